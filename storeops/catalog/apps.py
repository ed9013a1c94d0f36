from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storeops.catalog"
    label = "catalog"
    verbose_name = "商品"

    def ready(self) -> None:
        from storeops.catalog.permissions import register

        register()
