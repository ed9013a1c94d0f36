from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "storeops.compliance"
    label = "compliance"
    verbose_name = "合规检查"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from storeops.compliance.permissions import register
        from storeops.compliance.signals import seed_lists_after_migrate

        register()
        post_migrate.connect(seed_lists_after_migrate, sender=self)
