from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "storeops.notifications"
    label = "notifications"
    verbose_name = "预警与通知"

    def ready(self) -> None:
        from storeops.notifications.permissions import register

        register()
