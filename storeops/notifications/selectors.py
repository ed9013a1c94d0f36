"""Reading inboxes and alerts; who receives what."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from storeops.core.errors import NotFound
from storeops.core.permissions import has_perm, require
from storeops.notifications.enums import SEVERITY_RANK, DeliveryStatus
from storeops.notifications.models import Alert, Channel, Delivery, Notification
from storeops.notifications.permissions import NotificationPerm


def users_with_roles(role_codes: Iterable[str], *, store: Any = None) -> QuerySet[Any]:
    """Active users holding any of these permission roles (and working in `store`, if given)."""
    users = get_user_model().objects.filter(
        is_active=True, roles__code__in=[str(c) for c in role_codes]
    )
    if store is not None:
        users = users.filter(stores=store)
    return users.distinct().order_by("id")


def users_with_permission(codename: str) -> QuerySet[Any]:
    """Active users whose roles grant this permission (the matrix is data, roles may change)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(roles__grants__codename=str(codename)) | Q(is_superuser=True))
        .distinct()
        .order_by("id")
    )


def inbox_list(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    items = Notification.objects.filter(recipient=actor)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-id")


def unread_count(*, actor: Any) -> int:
    if actor is None or not actor.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def alert_open_for(*, actor: Any) -> QuerySet[Alert]:
    """Open alerts this user was notified of (the 工作台's 预警 panel)."""
    return (
        Alert.objects.filter(resolved_at__isnull=True, notifications__recipient=actor)
        .distinct()
        .order_by("-raised_at")
    )


def safe_local_url(url: str) -> str:
    """The url if it stays on this site (a path, not `//host` or `scheme:`), else ""."""
    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def notification_get_for_change(*, actor: Any, notification_id: int) -> Notification:
    """One of the actor's own notifications; anyone else's does not exist for them."""
    found = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if found is None:
        raise NotFound(message=_("通知不存在"))
    return found


def alert_list(*, actor: Any, open_only: bool | None = None) -> QuerySet[Alert]:
    """Alerts the actor was told of; with 查看全部预警 every alert of their stores (and storeless)."""
    mine = Q(notifications__recipient=actor)
    if has_perm(actor, NotificationPerm.VIEW_ALERT):
        alerts = Alert.objects.filter(
            mine | Q(store__isnull=True) | Q(store_id__in=actor.store_ids())
        )
    else:
        alerts = Alert.objects.filter(mine)
    if open_only is True:
        alerts = alerts.filter(resolved_at__isnull=True)
    elif open_only is False:
        alerts = alerts.filter(resolved_at__isnull=False)
    return alerts.distinct()


def channel_list(*, actor: Any) -> QuerySet[Channel]:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    return Channel.objects.select_related("store").order_by("name")


def channel_get_for_change(*, actor: Any, channel_id: int) -> Channel:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    found = Channel.objects.filter(pk=channel_id).first()
    if found is None:
        raise NotFound(message=_("通知渠道不存在"))
    return found


def channels_for_alert(alert: Alert) -> list[Channel]:
    """Active robots whose severity floor, kinds and store let this alert through."""
    rank = SEVERITY_RANK.get(alert.severity, 0)
    found = []
    for channel in Channel.objects.filter(is_active=True).order_by("id"):
        if SEVERITY_RANK.get(channel.min_severity, 0) > rank:
            continue
        if channel.alert_kinds and alert.kind not in channel.alert_kinds:
            continue
        if channel.store_id is not None and channel.store_id != alert.store_id:
            continue
        found.append(channel)
    return found


def delivery_list(*, actor: Any, status: str = "") -> QuerySet[Delivery]:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    deliveries = Delivery.objects.select_related("channel", "notification__recipient", "alert")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-id")


def delivery_get_for_change(*, actor: Any, delivery_id: int) -> Delivery:
    require(actor, NotificationPerm.MANAGE_CHANNEL)
    found = Delivery.objects.filter(pk=delivery_id).first()
    if found is None:
        raise NotFound(message=_("投递记录不存在"))
    return found


def delivery_failed_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.FAILED).count()
