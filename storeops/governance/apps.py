from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "storeops.governance"
    label = "governance"
    verbose_name = "审批与制度"
