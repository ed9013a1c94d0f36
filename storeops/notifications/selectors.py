"""Reading inboxes and alerts; who receives what."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from storeops.notifications.models import Alert, Notification


def users_with_roles(role_codes: Iterable[str], *, store: Any = None) -> QuerySet[Any]:
    """Active users holding any of these permission roles (and working in `store`, if given)."""
    users = get_user_model().objects.filter(
        is_active=True, roles__code__in=[str(c) for c in role_codes]
    )
    if store is not None:
        users = users.filter(stores=store)
    return users.distinct().order_by("id")


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
