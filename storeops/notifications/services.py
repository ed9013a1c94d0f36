"""Raising and resolving alerts, notifying people (R4.3). Delivery runs after commit, in a task.

Other apps call only these three: `alert_raise` (a condition needing action, deduplicated by key),
`alert_resolve` (the condition cleared) and `notify` (a plain notice: an approval is waiting …).
The rest serve this app's own pages and tasks: the inbox, robot channels, and deliveries
(e-mail and robot messages sent by a task, retried with a growing delay, never in a request).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock, crypto
from storeops.core.errors import Conflict, Invalid, NotFound
from storeops.core.jobs import on_commit_enqueue
from storeops.core.permissions import require
from storeops.notifications.channels import (
    DeliveryFailed,
    Message,
    email_send,
    robot_send,
    webhook_display,
)
from storeops.notifications.enums import (
    ChannelKind,
    DeliveryStatus,
    DeliveryVia,
    Severity,
)
from storeops.notifications.models import Alert, Channel, Delivery, Notification
from storeops.notifications.permissions import NotificationPerm
from storeops.notifications.selectors import channels_for_alert, users_with_permission

logger = logging.getLogger(__name__)

SEND_TASK = "storeops.notifications.tasks.delivery_send_task"
DELIVERY_FAILED_KEY = "notifications.delivery_failed"
# Delay before attempt 2, 3, …: the wait grows so a robot that is down for an hour is not hammered.
BACKOFF_SECONDS = (30, 120, 480, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# A delivery claimed by a worker that died is given back after this long (the send times out
# after 10 s, so a live worker is long finished by then).
SENDING_LEASE = dt.timedelta(minutes=5)
# housekeeping: what the inbox and the delivery log keep (the audit log keeps the business history)
KEEP_SENT_DELIVERIES = dt.timedelta(days=90)
KEEP_READ_NOTIFICATIONS = dt.timedelta(days=180)
KEEP_RESOLVED_ALERTS = dt.timedelta(days=365)


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


# --- the inbox ------------------------------------------------------------------------------------
@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of my notifications read (reading is private: not audited)."""
    if notification.recipient_id != actor.pk:
        raise NotFound(message=_("通知不存在"))
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=clock.now()
    )


# --- robot channels -------------------------------------------------------------------------------
def _clean_webhook(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        parts = urllib.parse.urlsplit("")
    if len(url) > 2000 or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Invalid(
            "channel.webhook_invalid",
            _("Webhook 地址须以 http:// 或 https:// 开头"),
            {"field": "webhook_url"},
        )
    return url


def _clean_channel(
    *, name: str, kind: str, min_severity: str, alert_kinds: Iterable[str]
) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("channel.name_invalid", _("请填写渠道名称（100 字以内）"), {"field": "name"})
    if kind not in ChannelKind.values:
        raise Invalid("channel.kind_invalid", _("渠道类型无效"), {"field": "kind"})
    if min_severity not in Severity.values:
        raise Invalid("channel.severity_invalid", _("级别无效"), {"field": "min_severity"})
    kinds = sorted({k.strip() for k in alert_kinds if k and k.strip()})
    if any(len(k) > 64 for k in kinds):
        raise Invalid("channel.kinds_invalid", _("预警类型过长"), {"field": "alert_kinds"})
    return name, kinds


def _channel_snapshot(channel: Channel) -> dict[str, Any]:
    """What the audit log keeps of a channel: never the webhook's key nor the signing secret."""
    return {
        "name": channel.name,
        "kind": channel.kind,
        "webhook": channel.webhook_display,
        "is_signed": channel.has_secret,
        "is_active": channel.is_active,
        "min_severity": channel.min_severity,
        "alert_kinds": list(channel.alert_kinds),
        "store": channel.store.code if channel.store_id else None,
    }


def _save_channel(channel: Channel) -> None:
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise Conflict("channel.name_taken", _("已有同名的通知渠道"), {"field": "name"}) from exc


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    webhook_url: str,
    secret: str = "",
    min_severity: str = Severity.WARNING,
    alert_kinds: Iterable[str] = (),
    store: Any = None,
    is_active: bool = True,
) -> Channel:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    name, kinds = _clean_channel(
        name=name, kind=kind, min_severity=min_severity, alert_kinds=alert_kinds
    )
    url = _clean_webhook(webhook_url)
    secret = (secret or "").strip()
    if secret and kind != ChannelKind.DINGTALK:
        raise Invalid("channel.secret_unused", _("只有钉钉机器人使用加签密钥"), {"field": "secret"})
    now = clock.now()
    channel = Channel(
        name=name,
        kind=kind,
        webhook_url_encrypted=crypto.encrypt(url),
        webhook_display=webhook_display(url)[:300],
        secret_encrypted=crypto.encrypt(secret) if secret else "",
        is_active=is_active,
        min_severity=min_severity,
        alert_kinds=kinds,
        store=store,
        created_at=now,
        updated_at=now,
    )
    _save_channel(channel)
    audit_record(
        actor=actor,
        action="notifications.channel.create",
        obj=channel,
        after=_channel_snapshot(channel),
    )
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Any,
    channel: Channel,
    name: str,
    kind: str,
    min_severity: str,
    alert_kinds: Iterable[str],
    store: Any,
    is_active: bool,
    webhook_url: str = "",
    secret: str = "",
    clear_secret: bool = False,
) -> Channel:
    """Change a channel. An empty `webhook_url`/`secret` keeps the stored one (never shown back)."""
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before = _channel_snapshot(channel)
    name, kinds = _clean_channel(
        name=name, kind=kind, min_severity=min_severity, alert_kinds=alert_kinds
    )
    if webhook_url:
        url = _clean_webhook(webhook_url)
        channel.webhook_url_encrypted = crypto.encrypt(url)
        channel.webhook_display = webhook_display(url)[:300]
    secret = (secret or "").strip()
    if clear_secret or kind != ChannelKind.DINGTALK:
        if secret:
            raise Invalid(
                "channel.secret_unused", _("只有钉钉机器人使用加签密钥"), {"field": "secret"}
            )
        channel.secret_encrypted = ""
    elif secret:
        channel.secret_encrypted = crypto.encrypt(secret)
    channel.name = name
    channel.kind = kind
    channel.min_severity = min_severity
    channel.alert_kinds = kinds
    channel.store = store
    channel.is_active = is_active
    channel.updated_at = clock.now()
    _save_channel(channel)
    after = _channel_snapshot(channel)
    if webhook_url:
        after["webhook_changed"] = True
    if secret or (clear_secret and before["is_signed"]):
        after["signing_changed"] = True
    audit_record(
        actor=actor, action="notifications.channel.update", obj=channel, before=before, after=after
    )
    return channel


@transaction.atomic
def channel_set_active(*, actor: Any, channel: Channel, is_active: bool) -> Channel:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.is_active == is_active:
        return channel
    before = _channel_snapshot(channel)
    channel.is_active = is_active
    channel.updated_at = clock.now()
    channel.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action="notifications.channel.update",
        obj=channel,
        before=before,
        after=_channel_snapshot(channel),
    )
    return channel


@transaction.atomic
def channel_send_test(*, actor: Any, channel: Channel) -> Delivery:
    """Queue a test message to the robot; the result shows in 投递记录 (never sent in the request)."""
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    now = clock.now()
    delivery = Delivery.objects.create(
        via=channel.kind,
        channel=channel,
        title=_("测试消息：%(name)s") % {"name": channel.name},
        created_at=now,
        next_attempt_at=now,
    )
    audit_record(
        actor=actor,
        action="notifications.channel.test",
        obj=channel,
        after={"delivery": delivery.pk},
    )
    on_commit_enqueue(SEND_TASK, delivery_id=delivery.pk)
    return delivery


# --- deliveries -----------------------------------------------------------------------------------
def _create_delivery(**fields: Any) -> Delivery | None:
    """A new pending delivery, or None if this one exists already (dispatch ran twice)."""
    now = clock.now()
    try:
        with transaction.atomic():
            return Delivery.objects.create(created_at=now, next_attempt_at=now, **fields)
    except IntegrityError:
        return None


@transaction.atomic
def deliveries_create(*, notification_ids: Iterable[int], alert_id: int | None) -> list[Delivery]:
    """The deliveries outside the inbox for freshly created notifications, each sent by a task.

    An alert goes by e-mail to each recipient with an address, and to every robot channel whose
    filters let it through. Plain notices stay in the inbox. Idempotent per notification/channel.
    """
    alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
    if alert is None:
        return []
    created: list[Delivery] = []
    if settings.STOREOPS_EMAIL_ENABLED:
        notifications = Notification.objects.filter(
            pk__in=list(notification_ids), alert=alert
        ).select_related("recipient")
        for notification in notifications.order_by("id"):
            if not notification.recipient.email:
                continue
            delivery = _create_delivery(
                via=DeliveryVia.EMAIL,
                notification=notification,
                alert=alert,
                title=notification.title,
            )
            if delivery is not None:
                created.append(delivery)
    for channel in channels_for_alert(alert):
        delivery = _create_delivery(
            via=channel.kind, alert=alert, channel=channel, title=alert.title
        )
        if delivery is not None:
            created.append(delivery)
    for delivery in created:
        on_commit_enqueue(SEND_TASK, delivery_id=delivery.pk)
    return created


def retry_delay(attempts: int) -> int | None:
    """Seconds to wait after `attempts` failed attempts, or None when that was the last one."""
    if attempts < 1 or attempts >= MAX_ATTEMPTS:
        return None
    return BACKOFF_SECONDS[attempts - 1]


def _message_for(delivery: Delivery) -> Message:
    source = delivery.notification or delivery.alert
    if source is None:  # a channel's test message
        return Message(
            title=delivery.title,
            severity=Severity.INFO,
            body=_("这是一条来自电商运营管理系统的测试消息。"),
            url="/notifications/",
        )
    return Message(title=source.title, severity=source.severity, body=source.body, url=source.url)


class _PermanentFailure(DeliveryFailed):
    """Trying again cannot help (the channel was disabled, the person has no address)."""


def _deliver(delivery: Delivery) -> None:
    message = _message_for(delivery)
    if delivery.via == DeliveryVia.EMAIL:
        recipient = delivery.notification.recipient if delivery.notification else None
        if recipient is None or not recipient.is_active or not recipient.email:
            raise _PermanentFailure(_("收件人没有邮箱地址或已停用"))
        email_send(address=recipient.email, language=recipient.language, message=message)
        return
    channel = delivery.channel
    if channel is None or not channel.is_active:
        raise _PermanentFailure(_("通知渠道已停用"))
    robot_send(
        kind=channel.kind,
        webhook_encrypted=channel.webhook_url_encrypted,
        secret_encrypted=channel.secret_encrypted,
        message=message,
    )


def delivery_attempt(*, delivery_id: int) -> int | None:
    """Send one due delivery once; returns the seconds until the next attempt, if one is due.

    Runs in a task, outside any transaction: the network call holds no lock. The claim is a
    conditional UPDATE (pending and due → sending), so two workers never send the same delivery
    and a delivery already `sent` is never sent again.
    """
    now = clock.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=now + SENDING_LEASE,
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification__recipient", "alert", "channel").get(
        pk=delivery_id
    )
    mine = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    )
    try:
        _deliver(delivery)
    except DeliveryFailed as exc:
        error = str(exc)[:500]
        delay = None if isinstance(exc, _PermanentFailure) else retry_delay(delivery.attempts)
        logger.warning(
            "delivery %s (%s) attempt %s failed: %s",
            delivery.pk,
            delivery.via,
            delivery.attempts,
            error,
        )
        if delay is None:
            if mine.update(status=DeliveryStatus.FAILED, last_error=error, next_attempt_at=None):
                _tell_administrators_of_failure()
            return None
        mine.update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=now + dt.timedelta(seconds=delay),  # from the attempt's start,
        )
        return delay
    mine.update(
        status=DeliveryStatus.SENT, sent_at=clock.now(), last_error="", next_attempt_at=None
    )
    _resolve_failure_alert_if_clear()
    return None


def _tell_administrators_of_failure() -> None:
    """One open alert for 系统管理员 while any delivery has failed (raised again it stays one;
    a failed delivery of this alert itself therefore loops no further)."""
    alert_raise(
        kind=DELIVERY_FAILED_KEY,
        title=_("有通知投递失败，请查看投递记录"),
        recipients=users_with_permission(NotificationPerm.MANAGE_CHANNEL),
        url="/notifications/deliveries/?status=failed",
        dedupe_key=DELIVERY_FAILED_KEY,
    )


def _resolve_failure_alert_if_clear() -> None:
    if (
        Alert.objects.filter(dedupe_key=DELIVERY_FAILED_KEY, resolved_at__isnull=True).exists()
        and not Delivery.objects.filter(status=DeliveryStatus.FAILED).exists()
    ):
        alert_resolve(dedupe_key=DELIVERY_FAILED_KEY)


def deliveries_requeue_due(*, limit: int = 500) -> list[int]:
    """The safety net: deliveries whose time has come (a lost retry, a worker that died).

    A delivery left `sending` past its lease goes back to `pending` (or `failed` after its last
    attempt); then the ids of pending deliveries that are due are returned, to be queued.
    """
    now = clock.now()
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lte=now)
    if stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, last_error=_("发送中断（超时）"), next_attempt_at=None
    ):
        _tell_administrators_of_failure()
    stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=DeliveryStatus.PENDING, last_error=_("发送中断（超时）"), next_attempt_at=now
    )
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


@transaction.atomic
def delivery_retry(*, actor: Any, delivery: Delivery) -> Delivery:
    """An administrator sends a failed delivery again, with a fresh round of attempts."""
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict("delivery.not_failed", _("只有失败的投递可以重试"))
    before = {
        "status": delivery.status,
        "attempts": delivery.attempts,
        "error": delivery.last_error,
    }
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        actor=actor,
        action="notifications.delivery.retry",
        obj=delivery,
        before=before,
        after={"status": delivery.status, "attempts": 0},
    )
    on_commit_enqueue(SEND_TASK, delivery_id=delivery.pk)
    return delivery


@transaction.atomic
def notifications_purge(*, batch: int = 50000) -> dict[str, int]:
    """Delete what nobody needs any more, so the inbox and delivery tables stay small:
    deliveries sent more than 90 days ago, notifications read more than 180 days ago (unless their
    alert is still open), and alerts resolved more than a year ago that no inbox still shows.
    Unread notifications, open alerts and failed deliveries are never purged."""
    now = clock.now()
    deliveries = list(
        Delivery.objects.filter(
            status=DeliveryStatus.SENT, sent_at__lt=now - KEEP_SENT_DELIVERIES
        ).values_list("pk", flat=True)[:batch]
    )
    Delivery.objects.filter(pk__in=deliveries).delete()
    notifications = list(
        Notification.objects.filter(read_at__lt=now - KEEP_READ_NOTIFICATIONS)
        .filter(Q(alert__isnull=True) | Q(alert__resolved_at__isnull=False))
        .exclude(deliveries__status=DeliveryStatus.FAILED)
        .values_list("pk", flat=True)[:batch]
    )
    Notification.objects.filter(pk__in=notifications).delete()
    alerts = list(
        Alert.objects.filter(resolved_at__lt=now - KEEP_RESOLVED_ALERTS, notifications__isnull=True)
        .exclude(deliveries__status=DeliveryStatus.FAILED)
        .values_list("pk", flat=True)[:batch]
    )
    Alert.objects.filter(pk__in=alerts).delete()
    return {
        "deliveries": len(deliveries),
        "notifications": len(notifications),
        "alerts": len(alerts),
    }
