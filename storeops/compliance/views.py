"""Pages of the compliance app: 合规检查, 违禁词库 (terms, import), 白名单, 机密规则, 规则设置."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.compliance import selectors, services
from storeops.compliance.enums import RuleKey, TermCategory
from storeops.compliance.forms import (
    CheckForm,
    PatternEditForm,
    PatternForm,
    RuleForm,
    TermEditForm,
    TermFilterForm,
    TermForm,
    TermImportForm,
    ToggleForm,
    WhitelistForm,
)
from storeops.compliance.permissions import CompliancePerm
from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError
from storeops.core.permissions import has_perm

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _can_manage(request: HttpRequest) -> bool:
    return has_perm(request.user, CompliancePerm.MANAGE_TERMS)


def _form_error(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- check ---------------------------------------------------------------------------------------
@authenticated
def check_view(request: HttpRequest) -> HttpResponse:
    """Paste copy, see its findings highlighted: the same scan as drafts get on submit."""
    form = CheckForm(request.POST or None)
    findings = None
    if request.method == "POST" and form.is_valid():
        scanned = selectors.compliance_scan(
            form.cleaned_data["text"],
            context=selectors.ScanContext(listing_price=form.cleaned_data["listing_price"]),
        )
        findings = [f.as_dict() for f in scanned]
    return render(
        request,
        "compliance/check.html",
        {
            "form": form,
            "text": form.cleaned_data.get("text", "") if form.is_bound and form.is_valid() else "",
            "findings": findings,
            "blocking": findings is not None and any(f["severity"] == "block" for f in findings),
        },
    )


# --- terms ---------------------------------------------------------------------------------------
def _term_list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    filters = TermFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    try:
        terms, next_cursor = keyset_page(
            selectors.term_list(
                actor=request.user, category=data.get("category", ""), q=data.get("q", "")
            ),
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_DEFAULT,
            newest_first=False,
        )
    except DomainError:
        terms, next_cursor = [], None
    can_manage = _can_manage(request)
    return {
        "filters": filters,
        "terms": terms,
        "next_cursor": next_cursor,
        "category": data.get("category", ""),
        "q": data.get("q", ""),
        "can_manage": can_manage,
        "create_form": TermForm() if can_manage else None,
        "import_form": TermImportForm() if can_manage else None,
        "severity_choices": TermEditForm.base_fields["severity"].choices,  # type: ignore[attr-defined]
        **extra,
    }


@requires(CompliancePerm.VIEW_TERMS)
def term_list_view(request: HttpRequest) -> HttpResponse:
    create_form = None
    if request.method == "POST":
        create_form = TermForm(request.POST)
        if create_form.is_valid():
            try:
                term = services.term_create(actor=request.user, **create_form.cleaned_data)
            except DomainError as exc:
                create_form.add_error(None, exc.message)
            else:
                messages.success(request, _("已添加“%(term)s”") % {"term": term.term})
                return redirect("compliance:term_list")
    context = _term_list_context(request)
    if create_form is not None:
        context["create_form"] = create_form
    return render(request, "compliance/term_list.html", context)


@requires(CompliancePerm.MANAGE_TERMS)
@require_POST
def term_edit_view(request: HttpRequest, term_id: int) -> HttpResponse:
    term = selectors.term_get_for_change(actor=request.user, term_id=term_id)
    form = TermEditForm(request.POST)
    if form.is_valid():
        try:
            services.term_update(
                actor=request.user,
                term=term,
                severity=form.cleaned_data["severity"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存“%(term)s”") % {"term": term.term})
    else:
        _form_error(request, form)
    return redirect(request.POST.get("next") or reverse("compliance:term_list"))


@requires(CompliancePerm.MANAGE_TERMS)
def term_import_view(request: HttpRequest) -> HttpResponse:
    form = TermImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件不能超过 5 MB"))
        else:
            try:
                result = services.term_import(
                    actor=request.user,
                    source=upload.read(),
                    filename=upload.name or "",
                    default_category=form.cleaned_data["default_category"],
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                if result.applied:
                    messages.success(
                        request,
                        _("导入完成：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d")
                        % {
                            "created": result.created,
                            "updated": result.updated,
                            "unchanged": result.unchanged,
                        },
                    )
                    return redirect("compliance:term_list")
    return render(request, "compliance/term_import.html", {"form": form, "result": result})


# --- whitelist -----------------------------------------------------------------------------------
@requires(CompliancePerm.VIEW_TERMS)
def whitelist_view(request: HttpRequest) -> HttpResponse:
    form = WhitelistForm(request.POST or None) if _can_manage(request) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.whitelist_entry_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已加入白名单"))
            return redirect("compliance:whitelist")
    q = str(request.GET.get("q", ""))[:50]
    return render(
        request,
        "compliance/whitelist.html",
        {
            "entries": selectors.whitelist_list(actor=request.user, q=q)[:1000],
            "q": q,
            "form": form,
            "can_manage": form is not None,
        },
    )


@requires(CompliancePerm.MANAGE_TERMS)
@require_POST
def whitelist_edit_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.whitelist_entry_get_for_change(actor=request.user, entry_id=entry_id)
    form = ToggleForm(request.POST)
    if form.is_valid():
        services.whitelist_entry_update(
            actor=request.user, entry=entry, is_active=form.cleaned_data["is_active"]
        )
        messages.success(request, _("已保存"))
    return redirect("compliance:whitelist")


# --- secret patterns -----------------------------------------------------------------------------
@requires(CompliancePerm.VIEW_TERMS)
def pattern_list_view(request: HttpRequest) -> HttpResponse:
    form = PatternForm(request.POST or None) if _can_manage(request) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.pattern_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("pattern", exc.message)
        else:
            messages.success(request, _("机密规则已添加"))
            return redirect("compliance:pattern_list")
    return render(
        request,
        "compliance/pattern_list.html",
        {
            "patterns": selectors.pattern_list(actor=request.user),
            "form": form,
            "can_manage": form is not None,
            "severity_choices": PatternEditForm.base_fields["severity"].choices,  # type: ignore[attr-defined]
        },
    )


@requires(CompliancePerm.MANAGE_TERMS)
@require_POST
def pattern_edit_view(request: HttpRequest, pattern_id: int) -> HttpResponse:
    pattern = selectors.pattern_get_for_change(actor=request.user, pattern_id=pattern_id)
    form = PatternEditForm(request.POST)
    if form.is_valid():
        services.pattern_update(
            actor=request.user,
            pattern=pattern,
            severity=form.cleaned_data["severity"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("已保存"))
    else:
        _form_error(request, form)
    return redirect("compliance:pattern_list")


# --- rule settings -------------------------------------------------------------------------------
@requires(CompliancePerm.VIEW_TERMS)
def rule_list_view(request: HttpRequest) -> HttpResponse:
    can_manage = _can_manage(request)
    if request.method == "POST":
        if not can_manage:
            return redirect("compliance:rule_list")
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                services.rule_setting_update(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("规则设置已保存"))
        else:
            _form_error(request, form)
        return redirect("compliance:rule_list")
    return render(
        request,
        "compliance/rule_list.html",
        {
            "rules": selectors.rule_setting_list(actor=request.user),
            "can_manage": can_manage,
            "near_duplicate": RuleKey.NEAR_DUPLICATE,
            "categories": TermCategory.choices,
        },
    )
