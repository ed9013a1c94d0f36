from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "storeops.governance"
    label = "governance"
    verbose_name = "审批与制度"

    def ready(self) -> None:
        from storeops.governance.permissions import register

        register()
