"""Delivery of notifications outside the inbox (e-mail, WeCom/DingTalk robots), after commit.

Each delivery is sent by its own task; a failed attempt schedules the next one with a growing
delay (`services.BACKOFF_SECONDS`). The periodic task is the safety net for a retry lost with a
worker: it queues every pending delivery whose time has passed. Sending is claimed by a
conditional update, so the scheduled retry and the safety net never both send.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.notifications.services import (
    deliveries_create,
    deliveries_requeue_due,
    delivery_attempt,
    notifications_purge,
)


@db_task()
def notification_dispatch_task(notification_ids: tuple[int, ...], alert_id: int | None) -> int:
    """Create each channel's delivery for these notifications; each is queued after commit."""
    return len(deliveries_create(notification_ids=notification_ids, alert_id=alert_id))


@db_task()
def delivery_send_task(delivery_id: int) -> int | None:
    delay = delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        delivery_send_task.schedule(kwargs={"delivery_id": delivery_id}, delay=delay)
    return delay


@db_periodic_task(crontab(minute="*"))
def delivery_requeue_periodic_task() -> int:
    due = deliveries_requeue_due()
    for delivery_id in due:
        delivery_send_task(delivery_id)
    return len(due)


@db_periodic_task(
    crontab(hour="19", minute="40")
)  # 03:40 Asia/Shanghai (the scheduler runs in UTC)
def notifications_purge_periodic_task() -> dict[str, int]:
    return notifications_purge()
