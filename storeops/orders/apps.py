from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "storeops.orders"
    label = "orders"
    verbose_name = "订单"

    def ready(self) -> None:
        from storeops.orders.permissions import register

        register()
