from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storeops.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from storeops.accounts.permissions import register
        from storeops.accounts.signals import sync_roles_after_migrate

        register()
        post_migrate.connect(sync_roles_after_migrate, sender=self)
