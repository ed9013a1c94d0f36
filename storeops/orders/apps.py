from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "storeops.orders"
    label = "orders"
    verbose_name = "订单"

    def ready(self) -> None:
        from storeops.orders.permissions import register

        register()
        from storeops.orders.services.imports import (
            register_after_import,
            register_on_platform_close,
        )
        from storeops.orders.services.stock import order_stock_release_platform_closed

        register_after_import(_auto_review_after_import)
        register_on_platform_close(order_stock_release_platform_closed)
        _register_import_kind()


def _auto_review_after_import(import_id: int) -> None:
    """After an import commits, the store's auto-review rules run in the background."""
    from storeops.core.jobs import on_commit_enqueue

    on_commit_enqueue("storeops.orders.tasks.order_auto_review_import_task", import_id=import_id)


def _register_import_kind() -> None:
    """The order upload page runs as a core background import job (progress bar, result)."""
    from django.utils.translation import gettext_lazy as _

    from storeops.core.importjobs import register_import_kind
    from storeops.orders.permissions import OrderPerm
    from storeops.orders.services.imports import IMPORT_KIND, order_import_job_run

    register_import_kind(
        IMPORT_KIND,
        order_import_job_run,
        permission=OrderPerm.IMPORT_ORDER,
        label=_("导入订单"),
        back_url="orders:import",
        max_bytes=200 * 1024 * 1024,
    )
