from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "storeops.inventory"
    label = "inventory"
    verbose_name = "库存"
