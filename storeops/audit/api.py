"""GET /api/v1/audit/events: the audit log, filtered, newest first (审计, 经理, 系统管理员)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from storeops.audit.permissions import AuditPerm
from storeops.audit.schemas import AuditEventPage
from storeops.audit.selectors import AuditFilter, audit_event_list
from storeops.core.access import requires
from storeops.core.api import PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page

router = Router(tags=["audit"])


def event_out(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "store_id": event.store_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "request_id": event.request_id,
        "sealed": event.hash is not None,
    }


@router.get(
    "/events",
    response={200: AuditEventPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="操作日志（最新在前）",
)
@requires(AuditPerm.VIEW_EVENT)
def audit_event_list_api(
    request: HttpRequest,
    actor: str = Query("", max_length=150, description="操作人用户名"),
    action: str = Query("", max_length=100, description="动作前缀，如 accounts.token"),
    object_type: str = Query("", max_length=100),
    object_id: str = Query("", max_length=64),
    date_from: dt.date | None = Query(None, description="起始日期（北京时间）"),
    date_to: dt.date | None = Query(None, description="截止日期（含）"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    filters = AuditFilter(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        date_from=date_from,
        date_to=date_to,
    )
    events, next_cursor = keyset_page(
        audit_event_list(actor=request.user, filters=filters), cursor=cursor, limit=limit
    )
    return {"items": [event_out(e) for e in events], "next": next_cursor}
