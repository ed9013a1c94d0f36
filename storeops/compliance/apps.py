from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "storeops.compliance"
    label = "compliance"
    verbose_name = "合规检查"
