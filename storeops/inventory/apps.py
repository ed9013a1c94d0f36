from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "storeops.inventory"
    label = "inventory"
    verbose_name = "库存"

    def ready(self) -> None:
        from storeops.governance.selectors import register_decided_by_owner
        from storeops.inventory.permissions import register

        register()
        # an adjustment is applied in the same transaction as its approval: decided here only
        register_decided_by_owner("inventory.stockadjustment")
        register_decided_by_owner("inventory.stocktake")
