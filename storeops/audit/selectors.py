"""Reading the audit log: filtered, store-scoped, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from storeops.audit.models import AuditEvent
from storeops.audit.permissions import AuditPerm
from storeops.core import clock
from storeops.core.permissions import require


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list(
    *, actor: Any, filters: AuditFilter | None = None, perm: str = AuditPerm.VIEW_EVENT
) -> QuerySet[AuditEvent]:
    """Events the actor may see: those of their stores, and those that belong to no store."""
    require(actor, perm)
    f = filters or AuditFilter()
    qs = AuditEvent.objects.all()
    if not actor.is_superuser:
        qs = qs.filter(Q(store_id__isnull=True) | Q(store_id__in=actor.store_ids()))
    if f.actor:
        qs = qs.filter(actor_username=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.date_from:
        qs = qs.filter(occurred_at__gte=clock.start_of_business_day(f.date_from))
    if f.date_to:
        qs = qs.filter(
            occurred_at__lt=clock.start_of_business_day(f.date_to + dt.timedelta(days=1))
        )
    return qs.order_by("-id")
