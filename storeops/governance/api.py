"""Governance API: approvals (list, detail, approve, reject), obligations, policy settings."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from storeops.accounts.selectors import store_get
from storeops.core.access import authenticated, requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.governance import selectors, services
from storeops.governance.permissions import GovernancePerm
from storeops.governance.schemas import (
    ApprovalOut,
    ApprovalPage,
    CompleteIn,
    DecisionIn,
    ObligationIn,
    ObligationOut,
    ObligationPage,
    OccurrenceOut,
    OccurrencePage,
    PolicyIn,
    PolicyOut,
    PolicyPage,
)

router = Router(tags=["governance"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def approval_out(approval: Any) -> dict[str, Any]:
    return {
        "id": approval.id,
        "object_type": approval.object_type,
        "object_id": approval.object_id,
        "store": approval.store.code if approval.store_id else None,
        "title": approval.title,
        "url": approval.url,
        "snapshot": approval.snapshot,
        "snapshot_hash": approval.snapshot_hash,
        "requested_by": approval.requested_by.username,
        "requested_at": approval.requested_at,
        "status": approval.status,
        "status_label": str(approval.get_status_display()),
        "current_sequence": approval.current_sequence,
        "decided_at": approval.decided_at,
        "steps": [
            {
                "sequence": step.sequence,
                "approver_roles": step.role_codes,
                "status": step.status,
                "decided_by": step.decided_by.username if step.decided_by_id else None,
                "decided_at": step.decided_at,
                "comment": step.comment,
            }
            for step in approval.steps.select_related("decided_by").order_by("sequence")
        ],
    }


def occurrence_out(occurrence: Any) -> dict[str, Any]:
    obligation = occurrence.obligation
    return {
        "id": occurrence.id,
        "obligation_id": obligation.id,
        "title": obligation.title,
        "policy_id": obligation.policy_id,
        "owner": obligation.owner.username,
        "store": obligation.store.code if obligation.store_id else None,
        "period_key": occurrence.period_key,
        "opens_at": occurrence.opens_at,
        "due_at": occurrence.due_at,
        "status": occurrence.status,
        "status_label": str(occurrence.get_status_display()),
        "evidence": occurrence.evidence,
        "done_by": occurrence.done_by.username if occurrence.done_by_id else None,
        "done_at": occurrence.done_at,
    }


def obligation_out(obligation: Any) -> dict[str, Any]:
    return {
        "id": obligation.id,
        "title": obligation.title,
        "description": obligation.description,
        "policy_id": obligation.policy_id,
        "kind": obligation.kind,
        "owner": obligation.owner.username,
        "owner_id": obligation.owner_id,
        "store": obligation.store.code if obligation.store_id else None,
        "schedule": obligation.schedule,
        "due_hours": obligation.due_hours,
        "is_active": obligation.is_active,
    }


def policy_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": row["key"],
        "label": str(row["label"]),
        "value": str(row["value"]),
        "default": str(row["default"]),
        "unit": str(row["unit"]),
        "kind": row["kind"],
        "minimum": str(row["minimum"]),
        "maximum": str(row["maximum"]),
        "policy_id": row["policy_id"],
        "updated_by": row["updated_by"].username if row["updated_by"] else None,
        "updated_at": row["updated_at"],
    }


# --- approvals -----------------------------------------------------------------------------------
@router.get("/approvals", response={200: ApprovalPage, **ERRORS}, summary="审批列表")
@authenticated
def approval_list_api(
    request: HttpRequest,
    mine: Literal["decide", "requested", "all"] = Query(
        "decide", description="decide 待我审批；requested 我发起的；all 本店全部（需查看审批权限）"
    ),
    status: Literal["pending", "approved", "rejected", "cancelled"] | None = Query(None),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.approval_list(actor=request.user, mine=mine, status=status or "")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [approval_out(a) for a in rows], "next": next_cursor}


@router.get("/approvals/{approval_id}", response={200: ApprovalOut, **ERRORS}, summary="审批详情")
@authenticated
def approval_get_api(request: HttpRequest, approval_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return approval_out(
        selectors.approval_get_for_view(actor=request.user, approval_id=approval_id)
    )


@router.post(
    "/approvals/{approval_id}/approve", response={200: ApprovalOut, **ERRORS}, summary="通过"
)
@authenticated
def approval_approve_api(
    request: HttpRequest, payload: DecisionIn, approval_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    approval = selectors.approval_get_for_change(actor=request.user, approval_id=approval_id)
    return approval_out(
        services.approval_decide_generic(
            actor=request.user, approval=approval, approve=True, comment=payload.comment
        )
    )


@router.post(
    "/approvals/{approval_id}/reject", response={200: ApprovalOut, **ERRORS}, summary="驳回"
)
@authenticated
def approval_reject_api(
    request: HttpRequest, payload: DecisionIn, approval_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    approval = selectors.approval_get_for_change(actor=request.user, approval_id=approval_id)
    return approval_out(
        services.approval_decide_generic(
            actor=request.user, approval=approval, approve=False, comment=payload.comment
        )
    )


# --- obligations ---------------------------------------------------------------------------------
@router.get(
    "/obligations/occurrences",
    response={200: OccurrencePage, **ERRORS},
    summary="定期任务（我的，或所有人的）",
)
@authenticated
def occurrence_list_api(
    request: HttpRequest,
    mine: bool = Query(True, description="false 查看所有人的（需查看定期任务权限）"),
    status: Literal["open", "overdue", "done"] | None = Query(None),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.occurrence_list(actor=request.user, mine=mine, status=status or "")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [occurrence_out(o) for o in rows], "next": next_cursor}


@router.post(
    "/obligations/occurrences/{occurrence_id}/complete",
    response={200: OccurrenceOut, **ERRORS},
    summary="完成一期定期任务（附凭证）",
)
@authenticated
def occurrence_complete_api(
    request: HttpRequest, payload: CompleteIn, occurrence_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    occurrence = selectors.occurrence_get_for_change(
        actor=request.user, occurrence_id=occurrence_id
    )
    done = services.occurrence_complete(
        actor=request.user, occurrence=occurrence, evidence=payload.evidence
    )
    return occurrence_out(done)


@router.get("/obligations", response={200: ObligationPage, **ERRORS}, summary="定期任务定义")
@requires(GovernancePerm.MANAGE_OBLIGATION)
def obligation_list_api(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    rows, next_cursor = keyset_page(
        selectors.obligation_list(actor=request.user), cursor=cursor, limit=limit
    )
    return {"items": [obligation_out(o) for o in rows], "next": next_cursor}


@router.post("/obligations", response={201: ObligationOut, **ERRORS}, summary="新建定期任务")
@requires(GovernancePerm.MANAGE_OBLIGATION)
def obligation_create_api(request: HttpRequest, payload: ObligationIn) -> Any:
    owner = selectors.owner_candidate(user_id=payload.owner_id)
    store = store_get(actor=request.user, code=payload.store) if payload.store else None
    obligation = services.obligation_create(
        actor=request.user,
        title=payload.title,
        owner=owner,
        schedule=payload.schedule,
        due_hours=payload.due_hours,
        policy_id=payload.policy_id,
        store=store,
        description=payload.description,
    )
    return Status(201, obligation_out(obligation))


# --- policy settings -----------------------------------------------------------------------------
@router.get("/policy", response={200: PolicyPage, **ERRORS}, summary="制度参数")
@authenticated
def policy_list_api(request: HttpRequest) -> Any:
    return {"items": [policy_out(row) for row in selectors.policy_list()], "next": None}


@router.put("/policy/{key}", response={200: PolicyOut, **ERRORS}, summary="修改制度参数")
@requires(GovernancePerm.MANAGE_POLICY)
def policy_set_api(
    request: HttpRequest, payload: PolicyIn, key: str = Path(..., max_length=100)
) -> Any:
    services.policy_set(actor=request.user, key=key, value=payload.value)
    return next(policy_out(row) for row in selectors.policy_list() if row["key"] == key)
