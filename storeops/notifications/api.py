"""API of the notifications app: my inbox (read/unread) and the alerts I may see (R4.3)."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from storeops.core.access import authenticated
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.notifications import selectors, services
from storeops.notifications.schemas import AlertPage, NotificationOut, NotificationPage, ReadAllOut

router = Router(tags=["notifications"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def notification_out(notification: Any) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "severity": notification.severity,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
    }


def alert_out(alert: Any) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "title": alert.title,
        "body": alert.body,
        "url": alert.url,
        "store_id": alert.store_id,
        "raised_at": alert.raised_at,
        "resolved_at": alert.resolved_at,
        "open": alert.resolved_at is None,
    }


@router.get("/notifications", response={200: NotificationPage, **ERRORS}, summary="我的通知")
@authenticated
def notification_list_api(
    request: HttpRequest,
    unread: bool = Query(False, description="只看未读"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    items, next_cursor = keyset_page(
        selectors.inbox_list(actor=request.user, unread_only=unread), cursor=cursor, limit=limit
    )
    return {"items": [notification_out(n) for n in items], "next": next_cursor}


@router.post(
    "/notifications/read-all", response={200: ReadAllOut, **ERRORS}, summary="全部标为已读"
)
@authenticated
def notification_read_all_api(request: HttpRequest) -> Any:
    return {"updated": services.notification_mark_all_read(actor=request.user)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="把一条通知标为已读",
)
@authenticated
def notification_read_api(
    request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    notification = selectors.notification_get_for_change(
        actor=request.user, notification_id=notification_id
    )
    return notification_out(
        services.notification_mark_read(actor=request.user, notification=notification)
    )


@router.get("/alerts", response={200: AlertPage, **ERRORS}, summary="预警")
@authenticated
def alert_list_api(
    request: HttpRequest,
    open: bool | None = Query(None, description="true：未解除；false：已解除；不填：全部"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    items, next_cursor = keyset_page(
        selectors.alert_list(actor=request.user, open_only=open), cursor=cursor, limit=limit
    )
    return {"items": [alert_out(a) for a in items], "next": next_cursor}
