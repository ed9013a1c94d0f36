"""Pages of the storefront app: each store's pages and what is live, a page with its history and
a new draft, promotion-zone variants, redesign proposals with mock-ups, comments and decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_get, store_list
from storeops.catalog.models import Category
from storeops.content.permissions import ContentPerm
from storeops.content.services import draft_create
from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError, Invalid
from storeops.core.permissions import has_perm
from storeops.governance.selectors import approval_history, role_labels
from storeops.storefront import selectors, services
from storeops.storefront.enums import PageKind, ProposalStatus
from storeops.storefront.forms import (
    MAX_UPLOAD,
    ApproveForm,
    CommentForm,
    CompleteForm,
    ImageForm,
    PageDraftForm,
    PageForm,
    ProposalForm,
    RejectForm,
    StoreFilterForm,
    VariantForm,
)
from storeops.storefront.models import StorePage
from storeops.storefront.permissions import StorefrontPerm


def _form_error(form: Any, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def _store_from(request: HttpRequest, stores: list[Any]) -> Any:
    code = request.GET.get("store") or ""
    return next((s for s in stores if s.code == code), stores[0] if stores else None)


# --- pages ---------------------------------------------------------------------------------------
@requires(StorefrontPerm.VIEW_PAGE)
def page_index_view(request: HttpRequest) -> HttpResponse:
    """R2.3/R2.4 for one store: shop sign, category pages, sub-pages, zones, modules, blog."""
    stores = list(store_list(actor=request.user))
    store = _store_from(request, stores)
    coverage = selectors.store_coverage(actor=request.user, store=store) if store else None
    return render(
        request,
        "storefront/page_index.html",
        {
            "stores": stores,
            "store": store,
            "coverage": coverage,
            "can_manage": store is not None
            and has_perm(request.user, StorefrontPerm.MANAGE_PAGE, store=store),
        },
    )


def _page_form(request: HttpRequest, store: Any, *, editing: bool = False, **kwargs: Any) -> Any:
    return PageForm(
        request.POST or None,
        parents=StorePage.objects.filter(store=store, kind="store_page", is_archived=False),
        categories=Category.objects.filter(store=store).order_by("path"),
        main_pages=[]
        if store.is_main_store
        else StorePage.objects.filter(store__is_main_store=True, is_archived=False).exclude(
            kind="blog"
        ),
        editing=editing,
        **kwargs,
    )


@requires(StorefrontPerm.MANAGE_PAGE)
def page_create_view(request: HttpRequest) -> HttpResponse:
    store = store_get(actor=request.user, code=request.GET.get("store", ""))
    initial = {k: request.GET[k] for k in ("kind", "category", "name") if request.GET.get(k)}
    form = _page_form(request, store, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.page_create(
                actor=request.user,
                store=store,
                kind=data["kind"],
                name=data["name"],
                parent=_own_page(store, data.get("parent"), "parent"),
                category=_own_category(store, data.get("category")),
                module_type=data.get("module_type") or "",
                based_on=_main_page(data.get("based_on")),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("页面已建立，可以编写稿件了"))
            return redirect("storefront:page_detail", page_id=page.pk)
    return render(
        request, "storefront/page_form.html", {"form": form, "store": store, "page": None}
    )


def _own_page(store: Any, page_id: int | None, field: str) -> StorePage | None:
    if page_id is None:
        return None
    page = StorePage.objects.filter(pk=page_id, store=store).first()
    if page is None:
        raise Invalid("page.not_found", _("页面不存在"), {"field": field})
    return page


def _own_category(store: Any, category_id: int | None) -> Any:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id, store=store).first()
    if category is None:
        raise Invalid("page.category_invalid", _("类目不存在"), {"field": "category"})
    return category


def _main_page(page_id: int | None) -> StorePage | None:
    if page_id is None:
        return None
    page = StorePage.objects.select_related("store").filter(pk=page_id).first()
    if page is None:
        raise Invalid("page.based_on_invalid", _("页面不存在"), {"field": "based_on"})
    return page


@requires(StorefrontPerm.MANAGE_PAGE)
def page_edit_view(request: HttpRequest, page_id: int) -> HttpResponse:
    page = selectors.page_get_for_change(actor=request.user, page_id=page_id)
    form = _page_form(
        request,
        page.store,
        editing=True,
        initial={"name": page.name, "module_type": page.module_type, "based_on": page.based_on_id},
    )
    if not page.store.is_main_store:
        form.fields["based_on"].choices = [
            ("", "—"),
            *((p.pk, p.name) for p in selectors.main_store_pages(kind=page.kind)),
        ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.page_update(
                actor=request.user,
                page=page,
                name=data["name"],
                module_type=data.get("module_type") or "",
                based_on=_main_page(data.get("based_on")),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("页面已保存"))
            return redirect("storefront:page_detail", page_id=page.pk)
    return render(
        request, "storefront/page_form.html", {"form": form, "store": page.store, "page": page}
    )


@requires(StorefrontPerm.MANAGE_PAGE)
@require_POST
def page_archive_view(request: HttpRequest, page_id: int) -> HttpResponse:
    page = selectors.page_get_for_change(actor=request.user, page_id=page_id)
    try:
        services.page_archive(actor=request.user, page=page)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:page_detail", page_id=page.pk)
    messages.success(request, _("页面已停用"))
    return redirect(f"{_index_url()}?store={page.store.code}")


def _index_url() -> str:
    return reverse("storefront:page_index")


@requires(StorefrontPerm.VIEW_PAGE)
def page_detail_view(request: HttpRequest, page_id: int) -> HttpResponse:
    page = selectors.page_get(actor=request.user, page_id=page_id)
    live = selectors.page_live(page)
    can_write = has_perm(request.user, ContentPerm.WRITE_DRAFT, store=page.store)
    draft_form = PageDraftForm(
        initial={
            "title": live.revision.title if live else page.name,
            "body": live.revision.body if live else "",
            "priority": "general",
        }
    )
    return render(
        request,
        "storefront/page_detail.html",
        {
            "page": page,
            "live": live,
            "history": selectors.page_publications(page),
            "open_drafts": selectors.page_open_drafts(page),
            "children": page.children.filter(is_archived=False),
            "branch": selectors.branch_difference(page),
            "branch_pages": page.branch_pages.filter(is_archived=False).select_related("store"),
            "proposals": selectors.open_proposals_for_page(page),
            "draft_form": draft_form if can_write and not page.is_archived else None,
            "can_manage": has_perm(request.user, StorefrontPerm.MANAGE_PAGE, store=page.store),
            "can_propose": has_perm(
                request.user, StorefrontPerm.PROPOSE_REDESIGN, store=page.store
            ),
        },
    )


@requires(ContentPerm.WRITE_DRAFT)
@require_POST
def page_draft_view(request: HttpRequest, page_id: int) -> HttpResponse:
    """Write a new release draft for this page (content's draft → approval → publish)."""
    page = selectors.page_get(actor=request.user, page_id=page_id)
    form = PageDraftForm(request.POST)
    if form.is_valid():
        try:
            draft = draft_create(
                actor=request.user,
                store=page.store,
                kind=page.kind,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                priority=form.cleaned_data["priority"],
                target=page.pk,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("稿件已保存，请提交审批"))
            return redirect("content:draft_detail", draft_id=draft.pk)
    else:
        messages.error(request, _("请填写标题"))
    return redirect("storefront:page_detail", page_id=page.pk)


# --- promotion-zone variants ---------------------------------------------------------------------
@requires(StorefrontPerm.VIEW_PAGE)
def zone_variants_view(request: HttpRequest, page_id: int) -> HttpResponse:
    zone = selectors.page_get(actor=request.user, page_id=page_id)
    if zone.kind != PageKind.PROMOTION_ZONE:
        return redirect("storefront:page_detail", page_id=zone.pk)
    user = request.user
    can_manage = has_perm(user, StorefrontPerm.MANAGE_PAGE, store=zone.store) and has_perm(
        user, ContentPerm.WRITE_DRAFT, store=zone.store
    )
    form = VariantForm(request.POST or None, initial={"priority": "general"})
    if request.method == "POST":
        if not can_manage:
            return redirect("storefront:zone_variants", page_id=zone.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.variant_create(
                    actor=user,
                    zone=zone,
                    name=data["name"],
                    note=data["note"],
                    title=data["title"],
                    body=data["body"],
                    priority=data["priority"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("方案已建立，稿件提交审批后可上线"))
                return redirect("storefront:zone_variants", page_id=zone.pk)
    return render(
        request,
        "storefront/zone_variants.html",
        {
            "zone": zone,
            "variants": selectors.zone_variants(zone),
            "form": form if can_manage and not zone.is_archived else None,
            "can_manage": can_manage,
            "can_publish": has_perm(user, ContentPerm.PUBLISH_DRAFT, store=zone.store),
        },
    )


@requires(ContentPerm.PUBLISH_DRAFT)
@require_POST
def variant_activate_view(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = selectors.variant_get(actor=request.user, variant_id=variant_id)
    try:
        services.variant_activate(actor=request.user, variant=variant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已换上方案：%(name)s") % {"name": variant.name})
    return redirect("storefront:zone_variants", page_id=variant.zone_id)


@requires(StorefrontPerm.MANAGE_PAGE)
@require_POST
def variant_reuse_view(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = selectors.variant_get_for_change(actor=request.user, variant_id=variant_id)
    submit = request.POST.get("submit") == "1"
    try:
        draft = services.variant_reuse(actor=request.user, variant=variant, submit=submit)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:zone_variants", page_id=variant.zone_id)
    messages.success(
        request, _("已提交审批，通过后即可上线") if submit else _("已复制为新稿件，请修改后提交")
    )
    if submit:
        return redirect("storefront:zone_variants", page_id=variant.zone_id)
    return redirect("content:draft_detail", draft_id=draft.pk)


# --- redesign proposals --------------------------------------------------------------------------
@requires(StorefrontPerm.VIEW_PROPOSAL)
def proposal_list_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    form = StoreFilterForm(request.GET or None, stores=stores)
    data = form.cleaned_data if form.is_valid() else {}
    store = next((s for s in stores if s.code == data.get("store")), None)
    found = selectors.proposal_list(actor=request.user, store=store, status=data.get("status", ""))
    try:
        proposals, next_cursor = keyset_page(
            found, cursor=request.GET.get("cursor") or None, limit=PAGE_DEFAULT
        )
    except DomainError:
        proposals, next_cursor = [], None
    return render(
        request,
        "storefront/proposal_list.html",
        {"proposals": proposals, "next_cursor": next_cursor, "form": form},
    )


@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_create_view(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "")
    page = selectors.page_get(actor=request.user, page_id=int(raw) if raw.isdigit() else 0)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                actor=request.user,
                page=page,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("方案已建立，请上传设计稿"))
            return redirect("storefront:proposal_detail", proposal_id=proposal.pk)
    return render(
        request, "storefront/proposal_form.html", {"form": form, "page": page, "proposal": None}
    )


@requires(StorefrontPerm.PROPOSE_REDESIGN)
def proposal_edit_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    form = ProposalForm(
        request.POST or None,
        initial={"title": proposal.title, "description": proposal.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(
                actor=request.user,
                proposal=proposal,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("方案已保存"))
            return redirect("storefront:proposal_detail", proposal_id=proposal.pk)
    return render(
        request,
        "storefront/proposal_form.html",
        {"form": form, "page": proposal.page, "proposal": proposal},
    )


@requires(StorefrontPerm.VIEW_PROPOSAL)
def proposal_detail_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    user = request.user
    is_proposer = proposal.proposer_id == user.pk
    status = proposal.status
    refusal = None
    can_decide = False
    waiting = ""
    if status == ProposalStatus.SUBMITTED:
        refusal = selectors.proposal_decision_refusal(user, proposal)
        can_decide = refusal is None
        if not has_perm(user, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store):
            refusal, waiting = None, _("等待经理审批")
    is_owner = proposal.owner_id == user.pk
    can_finish = status == ProposalStatus.APPROVED and (
        is_owner or has_perm(user, StorefrontPerm.DECIDE_PROPOSAL, store=proposal.store)
    )
    history = list(approval_history(proposal))
    for item in history:
        item.step_rows = [{"step": step, "roles": role_labels(step)} for step in item.steps.all()]
    editable = is_proposer and status in (ProposalStatus.DISCUSSING, ProposalStatus.REJECTED)
    return render(
        request,
        "storefront/proposal_detail.html",
        {
            "proposal": proposal,
            "images": selectors.proposal_images(proposal),
            "comments": proposal.comments.select_related("author"),
            "history": history,
            "live": selectors.page_live(proposal.page),
            "can_edit": editable,
            "can_submit": editable,
            "can_withdraw": is_proposer
            and status
            in (ProposalStatus.DISCUSSING, ProposalStatus.SUBMITTED, ProposalStatus.REJECTED),
            "can_comment": status not in (ProposalStatus.DONE, ProposalStatus.WITHDRAWN)
            and has_perm(user, StorefrontPerm.PROPOSE_REDESIGN, store=proposal.store),
            "can_decide": can_decide,
            "refusal": refusal.message if refusal is not None else waiting,
            "can_finish": can_finish,
            "comment_form": CommentForm(),
            "approve_form": ApproveForm(owners=selectors.store_staff(proposal.store))
            if can_decide
            else None,
            "reject_form": RejectForm() if can_decide else None,
            "complete_form": CompleteForm() if can_finish else None,
            "mockup_form": ImageForm(initial={"kind": "mockup"}) if editable else None,
            "after_form": ImageForm(initial={"kind": "after"}) if can_finish else None,
        },
    )


def _back(proposal: Any) -> HttpResponse:
    return redirect("storefront:proposal_detail", proposal_id=proposal.pk)


@requires(StorefrontPerm.VIEW_PROPOSAL)
@require_POST
def proposal_image_upload_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择图片文件"))
        return _back(proposal)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MAX_UPLOAD:
            raise Invalid("image.too_large", _("图片不能超过 10 MB"), {"field": "file"})
        services.proposal_image_add(
            actor=request.user,
            proposal=proposal,
            kind=form.cleaned_data["kind"],
            content=upload.read(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("图片已上传"))
    return _back(proposal)


@authenticated
def proposal_image_view(request: HttpRequest, image_id: int) -> HttpResponse:
    """Mock-ups are company documents: shown only to people who may see the proposal."""
    image = selectors.proposal_image_get(actor=request.user, image_id=image_id)
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _act(request: HttpRequest, proposal: Any, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(proposal)


@requires(StorefrontPerm.PROPOSE_REDESIGN)
@require_POST
def proposal_comment_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    body = request.POST.get("body", "")
    return _act(
        request,
        proposal,
        lambda: services.proposal_comment(actor=request.user, proposal=proposal, body=body),
        _("评论已发表"),
    )


@requires(StorefrontPerm.PROPOSE_REDESIGN)
@require_POST
def proposal_submit_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    return _act(
        request,
        proposal,
        lambda: services.proposal_submit(actor=request.user, proposal=proposal),
        _("已提交经理审批"),
    )


@requires(StorefrontPerm.PROPOSE_REDESIGN)
@require_POST
def proposal_withdraw_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    return _act(
        request,
        proposal,
        lambda: services.proposal_withdraw(actor=request.user, proposal=proposal),
        _("方案已撤回"),
    )


@requires(StorefrontPerm.DECIDE_PROPOSAL)
@require_POST
def proposal_approve_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    staff = list(selectors.store_staff(proposal.store))
    form = ApproveForm(request.POST, owners=staff)
    if not form.is_valid():
        messages.error(request, _("请选择执行人和完成日期"))
        return _back(proposal)
    owner = next(u for u in staff if u.pk == form.cleaned_data["owner"])
    return _act(
        request,
        proposal,
        lambda: services.proposal_approve(
            actor=request.user,
            proposal=proposal,
            owner=owner,
            due_date=form.cleaned_data["due_date"],
            comment=form.cleaned_data["comment"],
        ),
        _("已批准，执行任务已交给 %(owner)s") % {"owner": owner},
    )


@requires(StorefrontPerm.DECIDE_PROPOSAL)
@require_POST
def proposal_reject_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    comment = request.POST.get("comment", "")
    return _act(
        request,
        proposal,
        lambda: services.proposal_reject(actor=request.user, proposal=proposal, comment=comment),
        _("方案已驳回"),
    )


@requires(StorefrontPerm.VIEW_PROPOSAL)
@require_POST
def proposal_complete_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_change(actor=request.user, proposal_id=proposal_id)
    note = request.POST.get("note", "")
    return _act(
        request,
        proposal,
        lambda: services.proposal_complete(actor=request.user, proposal=proposal, note=note),
        _("改版已完成"),
    )
