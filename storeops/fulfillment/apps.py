from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "storeops.fulfillment"
    label = "fulfillment"
    verbose_name = "配货发货"

    def ready(self) -> None:
        from storeops.fulfillment.permissions import register

        register()
