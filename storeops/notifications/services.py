"""Raising and resolving alerts, notifying people (R4.3). Delivery runs after commit, in a task.

Other apps call only these three: `alert_raise` (a condition needing action, deduplicated by key),
`alert_resolve` (the condition cleared) and `notify` (a plain notice: an approval is waiting …).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.jobs import on_commit_enqueue
from storeops.notifications.enums import Severity
from storeops.notifications.models import Alert, Notification


def _object_ref(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _recipients(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.is_active:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _fan_out(
    *,
    recipients: list[Any],
    kind: str,
    severity: str,
    title: str,
    body: str,
    url: str,
    store: Any,
    alert: Alert | None,
) -> list[Notification]:
    now = clock.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                alert=alert,
                kind=kind,
                severity=severity,
                title=title[:200],
                body=body,
                url=url,
                store=store,
                created_at=now,
            )
            for user in recipients
        ]
    )
    ids = sorted(n.pk for n in created)  # SQLite and PostgreSQL return the new ids
    if ids:
        on_commit_enqueue(
            "storeops.notifications.tasks.notification_dispatch_task",
            notification_ids=tuple(ids),
            alert_id=alert.pk if alert else None,
        )
    return created


@transaction.atomic
def alert_raise(
    *,
    kind: str,
    title: str,
    recipients: Iterable[Any],
    body: str = "",
    url: str = "",
    obj: Any = None,
    store: Any = None,
    severity: str = Severity.WARNING,
    dedupe_key: str = "",
) -> Alert:
    """Raise an alert and put it in each recipient's inbox (and out on the configured channels).

    With a `dedupe_key`, an alert already open under that key is returned as it is: a periodic
    check may call this every hour and people are told once (the partial unique index decides,
    also between two workers at once).
    """
    if dedupe_key:
        existing = Alert.objects.filter(dedupe_key=dedupe_key, resolved_at__isnull=True).first()
        if existing is not None:
            return existing
    object_type, object_id = _object_ref(obj)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                severity=severity,
                title=title[:200],
                body=body,
                url=url,
                object_type=object_type,
                object_id=object_id,
                store=store,
                dedupe_key=dedupe_key,
                raised_at=clock.now(),
            )
    except IntegrityError:  # raised by someone else a moment ago
        return Alert.objects.get(dedupe_key=dedupe_key, resolved_at__isnull=True)
    people = _recipients(recipients)
    _fan_out(
        recipients=people,
        kind=kind,
        severity=severity,
        title=title,
        body=body,
        url=url,
        store=store,
        alert=alert,
    )
    audit_record(
        actor=None,
        action="notifications.alert.raise",
        obj=alert,
        store=store,
        after={
            "kind": kind,
            "title": title,
            "dedupe_key": dedupe_key,
            "recipients": [u.username for u in people],
        },
    )
    return alert


@transaction.atomic
def alert_resolve(*, dedupe_key: str, actor: Any = None) -> int:
    """Close the open alert under this key (its condition cleared). Returns how many closed."""
    if not dedupe_key:
        return 0
    open_alerts = list(Alert.objects.filter(dedupe_key=dedupe_key, resolved_at__isnull=True))
    now = clock.now()
    for alert in open_alerts:
        alert.resolved_at = now
        alert.save(update_fields=["resolved_at"])
        audit_record(
            actor=actor,
            action="notifications.alert.resolve",
            obj=alert,
            store=alert.store,
            after={"kind": alert.kind, "dedupe_key": dedupe_key},
        )
    return len(open_alerts)


@transaction.atomic
def notify(
    *,
    kind: str,
    title: str,
    recipients: Iterable[Any],
    body: str = "",
    url: str = "",
    store: Any = None,
    severity: str = Severity.INFO,
) -> list[Notification]:
    """A plain notice to these people (an approval waits for you, a draft was rejected …)."""
    return _fan_out(
        recipients=_recipients(recipients),
        kind=kind,
        severity=severity,
        title=title,
        body=body,
        url=url,
        store=store,
        alert=None,
    )
