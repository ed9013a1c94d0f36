from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "storeops.content"
    label = "content"
    verbose_name = "内容发布"

    def ready(self) -> None:
        from storeops.content.permissions import register

        register()
