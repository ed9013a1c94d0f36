"""Content API: release drafts (stable: used by external checks), intake, publications."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from storeops.accounts.selectors import store_get
from storeops.catalog.models import Listing
from storeops.content import selectors, services
from storeops.content.permissions import ContentPerm
from storeops.content.schemas import (
    ApproveIn,
    DraftIn,
    DraftOut,
    DraftPage,
    DraftUpdateIn,
    DriftImportOut,
    DriftIn,
    DriftOut,
    FlagIn,
    FlagOut,
    IntakeIn,
    IntakeOut,
    IntakePage,
    KindLiteral,
    PriorityLiteral,
    PublicationPage,
    RejectIn,
    RevisionPage,
)
from storeops.core.access import authenticated, requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid

router = Router(tags=["content"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DraftId = Path(..., ge=1, le=MAX_ID)
PublicationId = Path(..., ge=1, le=MAX_ID)


def publication_out(publication: Any) -> dict[str, Any]:
    return {
        "id": publication.id,
        "draft": publication.draft_id,
        "revision": publication.revision.number,
        "store": publication.store.code,
        "kind": publication.kind,
        "target": publication.target,
        "published_by": publication.published_by.username,
        "published_at": publication.published_at,
        "sla_deadline": publication.sla_deadline,
        "lead_time_seconds": publication.lead_time_seconds,
        "is_sla_met": publication.is_sla_met,
        "is_live": publication.is_live,
        "superseded_by": publication.superseded_by_id,
    }


def draft_out(draft: Any) -> dict[str, Any]:
    revision = draft.current_revision
    publication = getattr(draft, "publication", None)
    return {
        "id": draft.id,
        "store": draft.store.code,
        "kind": draft.kind,
        "target": draft.target,
        "title": revision.title,
        "body": revision.body,
        "priority": draft.priority,
        "status": draft.status,
        "status_label": str(draft.get_status_display()),
        "owner": draft.owner.username,
        "intake": draft.intake_id,
        "revision": revision.number,
        "approved_revision": draft.approved_revision.number if draft.approved_revision_id else None,
        "sla_started_at": draft.sla_started_at,
        "sla_deadline": draft.sla_deadline,
        "sla_hours": draft.sla_hours,
        "compliance": revision.findings,
        "price": revision.price,
        "override_reason": draft.override_reason,
        "publication": publication_out(publication) if publication else None,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _fresh(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    return draft_out(selectors.draft_get(actor=request.user, draft_id=draft_id))


def intake_out(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "store": item.store.code if item.store_id else None,
        "source": item.source,
        "classification": item.classification,
        "title": item.title,
        "content": item.content,
        "listing": item.listing_id,
        "status": item.status,
        "submitted_by": item.submitted_by.username,
        "submitted_at": item.submitted_at,
    }


# --- drafts --------------------------------------------------------------------------------------
@router.post("/drafts", response={201: DraftOut, **ERRORS}, summary="新建发布稿件")
@requires(ContentPerm.WRITE_DRAFT)
def draft_create_api(request: HttpRequest, payload: DraftIn) -> Any:
    store = store_get(actor=request.user, code=payload.store)
    intake = (
        selectors.intake_get(actor=request.user, intake_id=payload.intake)
        if payload.intake
        else None
    )
    draft = services.draft_create(
        actor=request.user,
        store=store,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        priority=payload.priority,
        target=payload.target,
        intake=intake,
        price=payload.price,
    )
    return Status(201, _fresh(request, draft.pk))


@router.get("/drafts", response={200: DraftPage, **ERRORS}, summary="发布稿件列表")
@requires(ContentPerm.VIEW_DRAFT)
def draft_list_api(
    request: HttpRequest,
    status: str | None = Query(None, max_length=20),
    kind: KindLiteral | None = Query(None),
    priority: PriorityLiteral | None = Query(None),
    store: str | None = Query(None, max_length=32),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    store_obj = store_get(actor=request.user, code=store) if store else None
    found = selectors.draft_list(
        actor=request.user,
        status=status or "",
        kind=kind or "",
        priority=priority or "",
        store=store_obj,
    ).select_related("approved_revision", "publication")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [draft_out(d) for d in rows], "next": next_cursor}


@router.get("/drafts/{draft_id}", response={200: DraftOut, **ERRORS}, summary="发布稿件详情")
@authenticated
def draft_get_api(request: HttpRequest, draft_id: int = DraftId) -> Any:
    return _fresh(request, draft_id)


@router.patch(
    "/drafts/{draft_id}", response={200: DraftOut, **ERRORS}, summary="修改稿件（新版本）"
)
@authenticated
def draft_update_api(request: HttpRequest, payload: DraftUpdateIn, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    services.draft_update(
        actor=request.user,
        draft=draft,
        title=payload.title,
        body=payload.body,
        priority=payload.priority,
        price=payload.price if "price" in payload.model_fields_set else ...,
    )
    return _fresh(request, draft_id)


@router.get(
    "/drafts/{draft_id}/revisions", response={200: RevisionPage, **ERRORS}, summary="稿件的全部版本"
)
@authenticated
def draft_revisions_api(request: HttpRequest, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get(actor=request.user, draft_id=draft_id)
    return {
        "items": [
            {
                "number": r.number,
                "title": r.title,
                "body": r.body,
                "author": r.author.username,
                "created_at": r.created_at,
                "content_hash": r.content_hash,
                "findings": r.findings,
            }
            for r in selectors.draft_revisions(draft)[-PAGE_MAX:]
        ],
        "next": None,
    }


@router.post("/drafts/{draft_id}/submit", response={200: DraftOut, **ERRORS}, summary="提交审批")
@authenticated
def draft_submit_api(request: HttpRequest, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    services.draft_submit(actor=request.user, draft=draft)
    return _fresh(request, draft_id)


@router.post("/drafts/{draft_id}/approve", response={200: DraftOut, **ERRORS}, summary="审批通过")
@authenticated
def draft_approve_api(request: HttpRequest, payload: ApproveIn, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    services.draft_approve(
        actor=request.user,
        draft=draft,
        comment=payload.comment,
        override_reason=payload.override_reason or "",
    )
    return _fresh(request, draft_id)


@router.post("/drafts/{draft_id}/reject", response={200: DraftOut, **ERRORS}, summary="驳回")
@authenticated
def draft_reject_api(request: HttpRequest, payload: RejectIn, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    services.draft_reject(actor=request.user, draft=draft, comment=payload.comment)
    return _fresh(request, draft_id)


@router.post("/drafts/{draft_id}/publish", response={200: DraftOut, **ERRORS}, summary="发布")
@authenticated
def draft_publish_api(request: HttpRequest, draft_id: int = DraftId) -> Any:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    services.draft_publish(actor=request.user, draft=draft)
    return _fresh(request, draft_id)


# --- intake --------------------------------------------------------------------------------------
@router.post("/intake", response={201: IntakeOut, **ERRORS}, summary="提报信息")
@requires(ContentPerm.SUBMIT_INTAKE)
def intake_create_api(request: HttpRequest, payload: IntakeIn) -> Any:
    store = store_get(actor=request.user, code=payload.store) if payload.store else None
    listing = None
    if payload.listing is not None:
        listing = Listing.objects.filter(pk=payload.listing, store=store).first() if store else None
        if listing is None:
            raise Invalid("intake.listing_not_found", "该店铺没有这个商品", {"field": "listing"})
    item = services.intake_create(
        actor=request.user,
        source=payload.source,
        classification=payload.classification,
        title=payload.title,
        content=payload.content,
        store=store,
        listing=listing,
    )
    return Status(201, intake_out(item))


@router.get("/intake", response={200: IntakePage, **ERRORS}, summary="信息提报列表")
@requires(ContentPerm.VIEW_INTAKE)
def intake_list_api(
    request: HttpRequest,
    status: str | None = Query(None, max_length=20),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    rows, next_cursor = keyset_page(
        selectors.intake_list(actor=request.user, status=status or ""), cursor=cursor, limit=limit
    )
    return {"items": [intake_out(i) for i in rows], "next": next_cursor}


# --- publications (the SLA report) ---------------------------------------------------------------
@router.get("/publications", response={200: PublicationPage, **ERRORS}, summary="发布记录与时效")
@requires(ContentPerm.VIEW_SLA_REPORT)
def publication_list_api(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    rows, next_cursor = keyset_page(
        selectors.publication_list(actor=request.user).select_related("superseded_by"),
        cursor=cursor,
        limit=limit,
    )
    return {"items": [publication_out(p) for p in rows], "next": next_cursor}


# --- review flags (R3.1, R4.1) -------------------------------------------------------------------
def flag_out(flag: Any) -> dict[str, Any]:
    draft = flag.correction_draft
    return {
        "id": flag.id,
        "publication": flag.publication_id,
        "reason": flag.reason,
        "flagged_by": flag.flagged_by.username,
        "flagged_at": flag.flagged_at,
        "correction_draft": draft.id,
        "owner": draft.owner.username,
        "priority": draft.priority,
        "sla_deadline": draft.sla_deadline,
    }


@router.post(
    "/publications/{publication_id}/flags",
    response={201: FlagOut, **ERRORS},
    summary="标记线上描述不准确（生成重要纠错稿件）",
)
@requires(ContentPerm.FLAG_PUBLICATION)
def publication_flag_api(
    request: HttpRequest, payload: FlagIn, publication_id: int = PublicationId
) -> Any:
    publication = selectors.publication_get(actor=request.user, publication_id=publication_id)
    flag = services.publication_flag(
        actor=request.user, publication=publication, reason=payload.reason
    )
    return Status(201, flag_out(flag))


# --- drift (R5.1) --------------------------------------------------------------------------------
MAX_DRIFT_UPLOAD = 5 * 1024 * 1024


def drift_out(result: Any) -> dict[str, Any]:
    return {
        "publication": result.publication.pk,
        "drift": result.has_drift,
        "differences": [
            {
                "field": d["field"],
                "label": str(d["label"]),
                "approved": d["approved"],
                "live": d["live"],
                "diff": d.get("diff", []),
            }
            for d in result.differences
        ],
        "finding": result.finding.pk if result.finding else None,
        "resolved": result.resolved,
    }


@router.post(
    "/drift-checks",
    response={200: DriftOut, **ERRORS},
    summary="核对线上内容与审批版本（不一致则记录并预警）",
)
@requires(ContentPerm.CHECK_DRIFT)
def drift_check_api(request: HttpRequest, payload: DriftIn) -> Any:
    publication = selectors.publication_get(actor=request.user, publication_id=payload.publication)
    result = services.drift_check(
        actor=request.user,
        publication=publication,
        title=payload.title,
        body=payload.body,
        price=payload.price,
    )
    return drift_out(result)


@router.post(
    "/drift-imports",
    response={200: DriftImportOut, **ERRORS},
    summary="导入平台的商品导出文件核对线上内容（CSV/XLSX/XLS）；有错误行时整份拒绝（422）",
)
@requires(ContentPerm.CHECK_DRIFT)
def drift_import_api(
    request: HttpRequest,
    store: str = Form(..., min_length=1, max_length=32, description="店铺编码"),
    file: UploadedFile = File(..., description="平台商品ID或店铺商品编号、标题、价格、描述"),
) -> Any:
    if file.size is None or file.size > MAX_DRIFT_UPLOAD:
        raise Invalid("import.too_large", _("文件不能超过 5 MB"), {"field": "file"})
    store_obj = store_get(actor=request.user, code=store)
    result = services.drift_import(
        actor=request.user, store=store_obj, source=file.read(), filename=file.name or ""
    )
    if not result["applied"]:
        raise Invalid("import.rejected", _("文件有错误，未核对任何商品"), result)
    return result
