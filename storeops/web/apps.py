from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "storeops.web"
    label = "web"
    verbose_name = "界面"

    def ready(self) -> None:
        from storeops.web.permissions import register

        register()
