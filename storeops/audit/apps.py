from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "storeops.audit"
    label = "audit"
    verbose_name = "操作日志"

    def ready(self) -> None:
        from storeops.audit.permissions import register

        register()
