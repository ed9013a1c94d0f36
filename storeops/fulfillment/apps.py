from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "storeops.fulfillment"
    label = "fulfillment"
    verbose_name = "配货发货"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from storeops.fulfillment.permissions import register
        from storeops.fulfillment.signals import seed_defaults_after_migrate

        register()
        post_migrate.connect(seed_defaults_after_migrate, sender=self)
        from storeops.fulfillment.services import allocations_cancel_platform_closed
        from storeops.orders.services.imports import register_on_platform_close

        register_on_platform_close(allocations_cancel_platform_closed)
