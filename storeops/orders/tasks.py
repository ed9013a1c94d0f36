"""Background work of orders: the auto-review rules over what an import created or changed."""

from typing import Any

from huey.contrib.djhuey import db_task

from storeops.orders.services.review import order_auto_review_after_import


@db_task()
def order_auto_review_import_task(import_id: int) -> dict[str, Any] | None:
    result = order_auto_review_after_import(import_id)
    return result.as_dict() if result is not None else None
