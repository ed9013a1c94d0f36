from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "storeops.org"
    label = "org"
    verbose_name = "组织与职责"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from storeops.core import crypto
        from storeops.org.permissions import register
        from storeops.org.signals import seed_duties_after_migrate

        register()
        crypto.register_encrypted_field("org.StoreCredential", "secret_encrypted")
        # The robots' webhook URL and signing secret are encrypted too: a key rotation must
        # rewrite them as well (registering twice is harmless, should notifications do it itself).
        crypto.register_encrypted_field("notifications.Channel", "webhook_url_encrypted")
        crypto.register_encrypted_field("notifications.Channel", "secret_encrypted")
        post_migrate.connect(seed_duties_after_migrate, sender=self)
