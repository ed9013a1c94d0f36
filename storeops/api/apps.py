from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "storeops.api"
    label = "api"
    verbose_name = "API"
