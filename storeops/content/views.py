"""Pages of the content app: drafts with countdown, diff and decisions; intake; the SLA report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_get, store_list
from storeops.catalog.models import Listing
from storeops.content import selectors, services
from storeops.content.forms import (
    ApproveForm,
    DraftFilterForm,
    DraftForm,
    DriftForm,
    DriftImportForm,
    FlagForm,
    IntakeForm,
    MonthForm,
    RejectForm,
)
from storeops.content.permissions import ContentPerm
from storeops.core import clock
from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError, Invalid
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.governance.enums import ApprovalStatus
from storeops.governance.selectors import (
    approval_decision_refusal,
    approval_for,
    approval_history,
    role_labels,
)


def _form_error(request: HttpRequest, form: Any, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


# --- drafts --------------------------------------------------------------------------------------
@requires(ContentPerm.VIEW_DRAFT)
def draft_list_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    form = DraftFilterForm(request.GET or None, stores=stores)
    data = form.cleaned_data if form.is_valid() else {}
    store = next((s for s in stores if s.code == data.get("store")), None)
    found = selectors.draft_list(
        actor=request.user,
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        priority=data.get("priority", ""),
        store=store,
        mine=request.GET.get("mine") == "1",
    ).select_related("publication")
    try:
        drafts, next_cursor = keyset_page(
            found, cursor=request.GET.get("cursor") or None, limit=PAGE_DEFAULT
        )
    except DomainError:
        drafts, next_cursor = [], None
    now = clock.now()
    for draft in drafts:
        draft.sla = selectors.sla_state(draft, now=now)
    return render(
        request,
        "content/draft_list.html",
        {
            "drafts": drafts,
            "next_cursor": next_cursor,
            "form": form,
            "can_write": has_perm(request.user, ContentPerm.WRITE_DRAFT),
        },
    )


@requires(ContentPerm.WRITE_DRAFT)
def draft_create_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    intakes = selectors.intake_choices(actor=request.user)
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("intake", "").isdigit():
        item = next((i for i in intakes if str(i.pk) == request.GET["intake"]), None)
        if item is not None:
            initial = {
                "intake": item.pk,
                "title": item.title,
                "body": item.content,
                "store": item.store.code if item.store_id else "",
                "kind": "listing" if item.listing_id else "blog",
                "target": item.listing_id,
            }
    elif request.method == "GET" and request.GET.get("target", "").isdigit():
        # "写更新稿" from the 待更新商品 board: a listing draft for that listing
        initial = {
            "kind": "listing",
            "target": int(request.GET["target"]),
            "store": request.GET.get("store", ""),
            "title": request.GET.get("title", "")[:200],
        }
    form = DraftForm(request.POST or None, stores=stores, intakes=intakes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store = store_get(actor=request.user, code=data["store"])
            intake = (
                selectors.intake_get(actor=request.user, intake_id=data["intake"])
                if data["intake"]
                else None
            )
            draft = services.draft_create(
                actor=request.user,
                store=store,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                priority=data["priority"],
                target=data["target"],
                intake=intake,
                price=data["price"],
            )
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            messages.success(request, _("稿件已保存"))
            return redirect("content:draft_detail", draft_id=draft.pk)
    return render(request, "content/draft_form.html", {"form": form, "draft": None})


@requires(ContentPerm.WRITE_DRAFT)
def draft_edit_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    revision = draft.current_revision
    form = DraftForm(
        request.POST or None,
        editing=True,
        initial={
            "title": revision.title,
            "body": revision.body,
            "priority": draft.priority,
            "price": revision.price,
        },
    )
    if draft.kind != "listing":
        del form.fields["price"]
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_update(
                actor=request.user,
                draft=draft,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                priority=form.cleaned_data["priority"],
                price=form.cleaned_data.get("price", ...),
            )
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            messages.success(request, _("已保存为新版本"))
            return redirect("content:draft_detail", draft_id=draft.pk)
    return render(request, "content/draft_form.html", {"form": form, "draft": draft})


@authenticated
def draft_detail_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get(actor=request.user, draft_id=draft_id)
    revision = draft.current_revision
    revisions = selectors.draft_revisions(draft)
    approval = approval_for(draft)
    refusal = None
    can_decide = False
    if approval is not None and approval.status == ApprovalStatus.PENDING:
        refusal = approval_decision_refusal(request.user, approval)
        can_decide = refusal is None and has_perm(
            request.user, ContentPerm.APPROVE_DRAFT, store=draft.store
        )
    history = list(approval_history(draft))
    for item in history:
        item.step_rows = [{"step": step, "roles": role_labels(step)} for step in item.steps.all()]
    findings = revision.findings or []
    user = request.user
    can_write = has_perm(user, ContentPerm.WRITE_DRAFT, store=draft.store)
    return render(
        request,
        "content/draft_detail.html",
        {
            "draft": draft,
            "revision": revision,
            "revisions": revisions,
            "sla": selectors.sla_state(draft),
            "title_segments": selectors.highlight_segments(revision.title, findings, "title"),
            "body_segments": selectors.highlight_segments(revision.body, findings, "body"),
            "findings": findings,
            "has_blocking": selectors.has_blocking_findings(findings),
            "history": history,
            "can_edit": can_write
            and draft.status in ("draft", "submitted", "approved", "rejected"),
            "can_submit": can_write and draft.status in ("draft", "rejected"),
            "can_decide": can_decide and draft.status == "submitted",
            "refusal": refusal.message if refusal is not None else "",
            "can_publish": has_perm(user, ContentPerm.PUBLISH_DRAFT, store=draft.store)
            and draft.status == "approved",
            "publication": getattr(draft, "publication", None),
            "listing": selectors.draft_target_listing(draft),
            "flags": selectors.draft_flags(draft),
        },
    )


@authenticated
def draft_diff_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get(actor=request.user, draft_id=draft_id)
    revisions = selectors.draft_revisions(draft)
    numbers = [r.number for r in revisions]

    def pick(name: str, default: int) -> int:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in numbers else default

    new_number = pick("b", numbers[-1])
    old_number = pick("a", max(1, new_number - 1))
    diff = selectors.revision_diff(
        selectors.revision_get(draft, old_number), selectors.revision_get(draft, new_number)
    )
    return render(
        request,
        "content/draft_diff.html",
        {"draft": draft, "diff": diff, "revisions": revisions},
    )


def _act(request: HttpRequest, draft_id: int, action: Any, done: str) -> HttpResponse:
    draft = selectors.draft_get_for_change(actor=request.user, draft_id=draft_id)
    try:
        action(draft)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("content:draft_detail", draft_id=draft_id)


@authenticated
@require_POST
def draft_submit_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    return _act(
        request,
        draft_id,
        lambda d: services.draft_submit(actor=request.user, draft=d),
        _("已提交审批"),
    )


@authenticated
@require_POST
def draft_approve_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    return _act(
        request,
        draft_id,
        lambda d: services.draft_approve(
            actor=request.user,
            draft=d,
            comment=data.get("comment", ""),
            override_reason=data.get("override_reason", ""),
        ),
        _("已通过"),
    )


@authenticated
@require_POST
def draft_reject_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    form = RejectForm(request.POST)
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    return _act(
        request,
        draft_id,
        lambda d: services.draft_reject(actor=request.user, draft=d, comment=comment),
        _("已驳回"),
    )


@authenticated
@require_POST
def draft_publish_view(request: HttpRequest, draft_id: int) -> HttpResponse:
    return _act(
        request,
        draft_id,
        lambda d: services.draft_publish(actor=request.user, draft=d),
        _("已发布"),
    )


# --- intake --------------------------------------------------------------------------------------
@requires(ContentPerm.VIEW_INTAKE)
def intake_list_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    can_submit = has_perm(request.user, ContentPerm.SUBMIT_INTAKE)
    form = IntakeForm(request.POST or None, stores=stores)
    if request.method == "POST":
        if not can_submit:
            raise Invalid("intake.forbidden", _("你没有提报信息的权限"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                store = store_get(actor=request.user, code=data["store"]) if data["store"] else None
                listing = None
                if data["listing"]:
                    listing = Listing.objects.filter(pk=data["listing"], store=store).first()
                    if listing is None:
                        raise Invalid(
                            "intake.listing_not_found",
                            _("该店铺没有这个商品"),
                            {"field": "listing"},
                        )
                services.intake_create(
                    actor=request.user,
                    source=data["source"],
                    classification=data["classification"],
                    title=data["title"],
                    content=data["content"],
                    store=store,
                    listing=listing,
                )
            except DomainError as exc:
                _form_error(request, form, exc)
            else:
                messages.success(request, _("已提报，企划组将编入发布稿件"))
                return redirect("content:intake_list")
    items = list(selectors.intake_list(actor=request.user).order_by("-id")[:200])
    return render(
        request,
        "content/intake_list.html",
        {
            "items": items,
            "form": form,
            "can_submit": can_submit,
            "can_write": has_perm(request.user, ContentPerm.WRITE_DRAFT),
        },
    )


# --- the SLA report ------------------------------------------------------------------------------
SLA_HEADERS = [
    "稿件",
    "店铺",
    "类型",
    "优先级",
    "负责人",
    "计时开始",
    "发布截止",
    "发布时间",
    "用时（小时）",
    "是否按时",
]


def _sla_rows(request: HttpRequest) -> tuple[MonthForm, list[Any]]:
    form = MonthForm(request.GET or None)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    publications = list(
        selectors.publication_list(actor=request.user, month=month).order_by("-published_at")[:2000]
    )
    for p in publications:
        p.lead_hours = round(p.lead_time_seconds / 3600, 1)
    return form, publications


@requires(ContentPerm.VIEW_SLA_REPORT)
def sla_report_view(request: HttpRequest) -> HttpResponse:
    form, publications = _sla_rows(request)
    return render(
        request,
        "content/sla_report.html",
        {
            "form": form,
            "publications": publications,
            "summary": selectors.publication_summary(publications),
            "query": request.GET.urlencode(),
        },
    )


@requires(ContentPerm.VIEW_SLA_REPORT)
def sla_report_export_view(request: HttpRequest) -> HttpResponse:
    _form, publications = _sla_rows(request)
    rows = (
        [
            p.revision.title,
            p.store.name,
            p.draft.get_kind_display(),
            p.draft.get_priority_display(),
            str(p.draft.owner),
            p.draft.sla_started_at,
            p.sla_deadline,
            p.published_at,
            p.lead_hours,
            _("按时") if p.is_sla_met else _("超时"),
        ]
        for p in publications
    )
    return xlsx_response(
        "发布时效报表.xlsx", workbook_bytes(_("发布时效"), [_(h) for h in SLA_HEADERS], rows)
    )


CSV_TYPE = "text/csv; charset=utf-8"


@requires(ContentPerm.VIEW_DRAFT)
def publication_export_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    """The content package as the platform's upload sheet (storeops never logs into a platform)."""
    publication = selectors.publication_get(actor=request.user, publication_id=publication_id)
    headers, rows = selectors.package_rows(publication.package)
    name = f"{publication.store.code}-{publication.draft_id}-v{publication.revision.number}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(selectors.package_csv(publication.package), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return xlsx_response(f"{name}.xlsx", workbook_bytes(publication.store.platform, headers, rows))


# --- a publication: the live version, its flags and drift checks (R3.1, R4.1, R5.1) -------------
def _publication_context(request: HttpRequest, publication: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "publication": publication,
        "draft": publication.draft,
        "revision": publication.revision,
        "package": publication.package,
        "flags": selectors.publication_flags(publication),
        "drift": selectors.publication_drift(publication),
        "can_flag": publication.is_live
        and has_perm(user, ContentPerm.FLAG_PUBLICATION, store=publication.store),
        "can_check": publication.is_live
        and has_perm(user, ContentPerm.CHECK_DRIFT, store=publication.store),
        "flag_form": extra.pop("flag_form", None) or FlagForm(),
        "drift_form": extra.pop("drift_form", None) or DriftForm(),
        **extra,
    }


@requires(ContentPerm.VIEW_DRAFT)
def publication_detail_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = selectors.publication_get(actor=request.user, publication_id=publication_id)
    return render(
        request, "content/publication_detail.html", _publication_context(request, publication)
    )


@requires(ContentPerm.FLAG_PUBLICATION)
@require_POST
def publication_flag_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = selectors.publication_get(actor=request.user, publication_id=publication_id)
    form = FlagForm(request.POST)
    if form.is_valid():
        try:
            flag = services.publication_flag(
                actor=request.user, publication=publication, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            messages.success(
                request,
                _("已标记；纠错稿件 #%(id)s 已交给 %(owner)s，须在 %(h)s 小时内发布")
                % {
                    "id": flag.correction_draft_id,
                    "owner": flag.correction_draft.owner,
                    "h": flag.correction_draft.sla_hours,
                },
            )
            return redirect("content:publication_detail", publication_id=publication.pk)
    return render(
        request,
        "content/publication_detail.html",
        _publication_context(request, publication, flag_form=form),
        status=422,
    )


# --- freshness: the 待更新商品 board (R3.3) --------------------------------------------------------
FRESHNESS_HEADERS = ["店铺", "商品", "标题", "最近发布", "最近换图", "距上次更新（天）", "状态"]


def _freshness_rows(request: HttpRequest) -> dict[str, Any]:
    stores = list(store_list(actor=request.user))
    code = request.GET.get("store", "")
    store = next((s for s in stores if s.code == code), None)
    overdue_only = request.GET.get("overdue") == "1"
    rows = selectors.freshness_board(actor=request.user, store=store, overdue_only=overdue_only)
    obligation = selectors.freshness_obligation(store) if store is not None else None
    return {
        "stores": stores,
        "store": store,
        "overdue_only": overdue_only,
        "rows": rows,
        "days": selectors.copy_refresh_days(),
        "overdue_count": sum(1 for r in rows if r.is_overdue),
        "obligation": obligation,
        "query": request.GET.urlencode(),
        "can_write": has_perm(request.user, ContentPerm.WRITE_DRAFT),
    }


@requires(ContentPerm.VIEW_FRESHNESS)
def freshness_view(request: HttpRequest) -> HttpResponse:
    return render(request, "content/freshness.html", _freshness_rows(request))


@requires(ContentPerm.VIEW_FRESHNESS)
def freshness_export_view(request: HttpRequest) -> HttpResponse:
    data = _freshness_rows(request)
    rows = (
        [
            r.store.name,
            r.product.name,
            r.title,
            r.last_published_at,
            r.last_photo_at,
            r.age_days,
            _("已超期 %(n)s 天") % {"n": r.overdue_days}
            if r.is_overdue
            else _("还剩 %(n)s 天") % {"n": r.days_left},
        ]
        for r in data["rows"]
    )
    return xlsx_response(
        "待更新商品.xlsx",
        workbook_bytes(_("待更新商品"), [_(h) for h in FRESHNESS_HEADERS], rows),
    )


# --- drift: the live text against the approved version (R5.1) ------------------------------------
MAX_DRIFT_UPLOAD = 5 * 1024 * 1024


@requires(ContentPerm.CHECK_DRIFT)
@require_POST
def publication_drift_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = selectors.publication_get(actor=request.user, publication_id=publication_id)
    form = DriftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.drift_check(
                actor=request.user,
                publication=publication,
                title=data["title"],
                body=data["body"],
                price=data["price"],
            )
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            if result.has_drift:
                messages.error(
                    request,
                    _("线上内容与审批版本不一致（%(fields)s），已通知运营和经理")
                    % {"fields": "、".join(str(d["label"]) for d in result.differences)},
                )
            else:
                messages.success(request, _("线上内容与审批版本一致"))
            return redirect("content:publication_detail", publication_id=publication.pk)
    return render(
        request,
        "content/publication_detail.html",
        _publication_context(request, publication, drift_form=form),
        status=422,
    )


@requires(ContentPerm.CHECK_DRIFT)
def drift_view(request: HttpRequest) -> HttpResponse:
    """Import the platform's listing export; the open findings of my stores."""
    stores = list(store_list(actor=request.user))
    form = DriftImportForm(request.POST or None, request.FILES or None, stores=stores)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_DRIFT_UPLOAD:
                raise Invalid("import.too_large", _("文件不能超过 5 MB"), {"field": "file"})
            store = store_get(actor=request.user, code=form.cleaned_data["store"])
            result = services.drift_import(
                actor=request.user, store=store, source=upload.read(), filename=upload.name
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(
        request,
        "content/drift.html",
        {
            "form": form,
            "result": result,
            "open_findings": selectors.drift_open(actor=request.user),
        },
    )
