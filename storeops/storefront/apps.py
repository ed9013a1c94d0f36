from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "storeops.storefront"
    label = "storefront"
    verbose_name = "店铺页面"
