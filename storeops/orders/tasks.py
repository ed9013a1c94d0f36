"""Background work of orders: the auto-review rules over what an import created or changed."""

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.orders.services.review import order_auto_review_after_import
from storeops.orders.services.transactions import idempotency_purge


@db_task()
def order_auto_review_import_task(import_id: int) -> dict[str, Any] | None:
    result = order_auto_review_after_import(import_id)
    return result.as_dict() if result is not None else None


@db_periodic_task(crontab(hour="3", minute="41"))
def idempotency_purge_task() -> int:
    return idempotency_purge()
