from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "storeops.content"
    label = "content"
    verbose_name = "内容发布"

    def ready(self) -> None:
        from storeops.content.permissions import register
        from storeops.governance.selectors import register_decided_by_owner

        register()
        register_decided_by_owner("content.releasedraft")
