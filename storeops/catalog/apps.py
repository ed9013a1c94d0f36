from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storeops.catalog"
    label = "catalog"
    verbose_name = "商品"
