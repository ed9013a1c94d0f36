from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "storeops.org"
    label = "org"
    verbose_name = "组织与职责"
