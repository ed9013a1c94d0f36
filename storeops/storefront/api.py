"""Storefront API: store pages, and redesign proposals (create, comment, submit, decide, complete)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from storeops.accounts.selectors import store_get
from storeops.catalog.models import Category
from storeops.core.access import authenticated, requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid
from storeops.storefront import selectors, services
from storeops.storefront.models import StorePage
from storeops.storefront.permissions import StorefrontPerm
from storeops.storefront.schemas import (
    ApproveIn,
    CommentIn,
    CompleteIn,
    ImageOut,
    PageIn,
    PageKindLiteral,
    PageOut,
    PagePage,
    ProposalIn,
    ProposalOut,
    ProposalPage,
    ProposalStatusLiteral,
    RejectIn,
)

router = Router(tags=["storefront"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ProposalId = Path(..., ge=1, le=MAX_ID)
MAX_UPLOAD = 10 * 1024 * 1024


def page_out(page: Any, live: Any = None) -> dict[str, Any]:
    return {
        "id": page.id,
        "store": page.store.code,
        "kind": page.kind,
        "name": page.name,
        "parent": page.parent_id,
        "category": page.category_id,
        "module_type": page.module_type,
        "based_on": page.based_on_id,
        "is_archived": page.is_archived,
        "live": {
            "publication": live.id,
            "draft": live.draft_id,
            "title": live.revision.title,
            "body": live.revision.body,
            "published_at": live.published_at,
        }
        if live is not None
        else None,
        "created_at": page.created_at,
    }


def image_out(image: Any) -> dict[str, Any]:
    return {
        "id": image.id,
        "kind": image.kind,
        "url": reverse("storefront:proposal_image", args=[image.pk]),
        "width": image.width,
        "height": image.height,
        "sha256": image.sha256,
    }


def proposal_out(proposal: Any) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "store": proposal.store.code,
        "page": proposal.page_id,
        "title": proposal.title,
        "description": proposal.description,
        "status": proposal.status,
        "status_label": str(proposal.get_status_display()),
        "proposer": proposal.proposer.username,
        "owner": proposal.owner.username if proposal.owner_id else None,
        "due_at": proposal.due_at,
        "obligation": proposal.obligation_id,
        "before_publication": proposal.before_publication_id,
        "after_publication": proposal.after_publication_id,
        "images": [image_out(i) for i in proposal.images.order_by("id")],
        "comments": [
            {"id": c.id, "author": c.author.username, "body": c.body, "created_at": c.created_at}
            for c in proposal.comments.select_related("author").order_by("id")
        ],
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
    }


def _fresh(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    return proposal_out(selectors.proposal_get(actor=request.user, proposal_id=proposal_id))


def _store_page(store: Any, page_id: int | None, field: str) -> Any:
    if page_id is None:
        return None
    page = StorePage.objects.select_related("store").filter(pk=page_id).first()
    if page is None or (field != "based_on" and page.store_id != store.pk):
        raise Invalid("page.not_found", "页面不存在", {"field": field})
    return page


# --- pages ---------------------------------------------------------------------------------------
@router.get("/pages", response={200: PagePage, **ERRORS}, summary="店铺页面列表")
@requires(StorefrontPerm.VIEW_PAGE)
def page_list_api(
    request: HttpRequest,
    store: str | None = Query(None, max_length=32),
    kind: PageKindLiteral | None = Query(None),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    store_obj = store_get(actor=request.user, code=store) if store else None
    found = selectors.page_list(actor=request.user, store=store_obj, kind=kind or "")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    live = selectors.live_by_page(rows)
    return {"items": [page_out(p, live.get(p.pk)) for p in rows], "next": next_cursor}


@router.post("/pages", response={201: PageOut, **ERRORS}, summary="新建店铺页面")
@requires(StorefrontPerm.MANAGE_PAGE)
def page_create_api(request: HttpRequest, payload: PageIn) -> Any:
    store = store_get(actor=request.user, code=payload.store)
    category = None
    if payload.category is not None:
        category = Category.objects.filter(pk=payload.category, store=store).first()
        if category is None:
            raise Invalid("page.category_invalid", "该店铺没有这个类目", {"field": "category"})
    page = services.page_create(
        actor=request.user,
        store=store,
        kind=payload.kind,
        name=payload.name,
        parent=_store_page(store, payload.parent, "parent"),
        category=category,
        module_type=payload.module_type or "",
        based_on=_store_page(store, payload.based_on, "based_on"),
    )
    return Status(201, page_out(page))


@router.get("/pages/{page_id}", response={200: PageOut, **ERRORS}, summary="店铺页面详情")
@requires(StorefrontPerm.VIEW_PAGE)
def page_get_api(request: HttpRequest, page_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    page = selectors.page_get(actor=request.user, page_id=page_id)
    return page_out(page, selectors.page_live(page))


# --- proposals -----------------------------------------------------------------------------------
@router.get("/proposals", response={200: ProposalPage, **ERRORS}, summary="改版方案列表")
@requires(StorefrontPerm.VIEW_PROPOSAL)
def proposal_list_api(
    request: HttpRequest,
    store: str | None = Query(None, max_length=32),
    status: ProposalStatusLiteral | None = Query(None),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    store_obj = store_get(actor=request.user, code=store) if store else None
    found = selectors.proposal_list(actor=request.user, store=store_obj, status=status or "")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [proposal_out(p) for p in rows], "next": next_cursor}


@router.post("/proposals", response={201: ProposalOut, **ERRORS}, summary="提出改版方案")
@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_create_api(request: HttpRequest, payload: ProposalIn) -> Any:
    page = selectors.page_get(actor=request.user, page_id=payload.page)
    proposal = services.proposal_create(
        actor=request.user, page=page, title=payload.title, description=payload.description
    )
    return Status(201, _fresh(request, proposal.pk))


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS}, summary="改版方案")
@requires(StorefrontPerm.VIEW_PROPOSAL)
def proposal_get_api(request: HttpRequest, proposal_id: int = ProposalId) -> Any:
    return _fresh(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/images",
    response={201: ImageOut, **ERRORS},
    summary="上传设计稿或改版后截图",
)
@requires(StorefrontPerm.VIEW_PROPOSAL)
def proposal_image_api(
    request: HttpRequest,
    proposal_id: int = ProposalId,
    kind: str = Form("mockup", max_length=10),
    file: UploadedFile = File(...),
) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    if file.size is not None and file.size > MAX_UPLOAD:
        raise Invalid("image.too_large", "图片不能超过 10 MB", {"field": "file"})
    image = services.proposal_image_add(
        actor=request.user, proposal=proposal, kind=kind, content=file.read()
    )
    return Status(201, image_out(image))


@router.post(
    "/proposals/{proposal_id}/comments", response={201: ProposalOut, **ERRORS}, summary="评论"
)
@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_comment_api(
    request: HttpRequest, payload: CommentIn, proposal_id: int = ProposalId
) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    services.proposal_comment(actor=request.user, proposal=proposal, body=payload.body)
    return Status(201, _fresh(request, proposal_id))


@router.post(
    "/proposals/{proposal_id}/submit", response={200: ProposalOut, **ERRORS}, summary="提交审批"
)
@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_submit_api(request: HttpRequest, proposal_id: int = ProposalId) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    services.proposal_submit(actor=request.user, proposal=proposal)
    return _fresh(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/approve",
    response={200: ProposalOut, **ERRORS},
    summary="批准（指定执行人与完成日期）",
)
@requires(StorefrontPerm.DECIDE_PROPOSAL)
def proposal_approve_api(
    request: HttpRequest, payload: ApproveIn, proposal_id: int = ProposalId
) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    owner = get_user_model().objects.filter(pk=payload.owner).first()
    services.proposal_approve(
        actor=request.user,
        proposal=proposal,
        owner=owner,
        due_date=payload.due_date,
        comment=payload.comment,
    )
    return _fresh(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/reject", response={200: ProposalOut, **ERRORS}, summary="驳回"
)
@requires(StorefrontPerm.DECIDE_PROPOSAL)
def proposal_reject_api(
    request: HttpRequest, payload: RejectIn, proposal_id: int = ProposalId
) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    services.proposal_reject(actor=request.user, proposal=proposal, comment=payload.comment)
    return _fresh(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/withdraw", response={200: ProposalOut, **ERRORS}, summary="撤回"
)
@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_withdraw_api(request: HttpRequest, proposal_id: int = ProposalId) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    services.proposal_withdraw(actor=request.user, proposal=proposal)
    return _fresh(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/complete",
    response={200: ProposalOut, **ERRORS},
    summary="改版完成（记录改版后）",
)
@authenticated
def proposal_complete_api(
    request: HttpRequest, payload: CompleteIn, proposal_id: int = ProposalId
) -> Any:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    services.proposal_complete(actor=request.user, proposal=proposal, note=payload.note)
    return _fresh(request, proposal_id)
