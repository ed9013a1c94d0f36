from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "storeops.notifications"
    label = "notifications"
    verbose_name = "预警与通知"

    def ready(self) -> None:
        from storeops.core import crypto
        from storeops.notifications.permissions import register

        register()
        # Robot webhooks carry their access key; DingTalk's signing secret is a key: a key
        # rotation (`storeops vault-rotate-key`) re-encrypts both.
        crypto.register_encrypted_field("notifications.Channel", "webhook_url_encrypted")
        crypto.register_encrypted_field("notifications.Channel", "secret_encrypted")
