from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storeops.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from storeops.accounts.models import ApiToken, Role, RolePermission, Store, User
        from storeops.accounts.permissions import register
        from storeops.accounts.signals import access_changed, sync_roles_after_migrate

        register()
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        for model in (User, ApiToken, Role, RolePermission, Store):
            post_save.connect(access_changed, sender=model, dispatch_uid=f"access.{model}.save")
            post_delete.connect(access_changed, sender=model, dispatch_uid=f"access.{model}.del")
        for through in (User.roles.through, User.stores.through):
            m2m_changed.connect(access_changed, sender=through, dispatch_uid=f"access.{through}")
