"""Delivery of notifications outside the inbox (e-mail, WeCom/DingTalk robots), after commit."""

from huey.contrib.djhuey import db_task


@db_task()
def notification_dispatch_task(notification_ids: tuple[int, ...], alert_id: int | None) -> int:
    """Queue each channel's delivery for these notifications (filled in with the channels)."""
    return len(notification_ids)
