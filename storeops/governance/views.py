"""Pages of the governance app: 待我审批 and approval details, 定期任务, 制度参数."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_list
from storeops.core import clock
from storeops.core.access import authenticated, requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError
from storeops.core.permissions import has_perm
from storeops.governance import selectors, services
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.forms import (
    ApprovalFilterForm,
    CompleteForm,
    DecisionForm,
    ObligationForm,
    OccurrenceFilterForm,
    PolicyForm,
)
from storeops.governance.permissions import GovernancePerm


# --- approvals -----------------------------------------------------------------------------------
@authenticated
def approval_list_view(request: HttpRequest) -> HttpResponse:
    form = ApprovalFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    can_view_all = has_perm(request.user, GovernancePerm.VIEW_APPROVAL)
    tab = data.get("tab") or "decide"
    if tab == "all" and not can_view_all:
        tab = "decide"
    try:
        approvals, next_cursor = keyset_page(
            selectors.approval_list(actor=request.user, mine=tab, status=data.get("status", "")),
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_DEFAULT,
        )
    except DomainError:
        approvals, next_cursor = [], None
    return render(
        request,
        "governance/approval_list.html",
        {
            "approvals": approvals,
            "next_cursor": next_cursor,
            "tab": tab,
            "status": data.get("status", ""),
            "form": form,
            "can_view_all": can_view_all,
        },
    )


@authenticated
def approval_detail_view(request: HttpRequest, approval_id: int) -> HttpResponse:
    approval = selectors.approval_get_for_view(actor=request.user, approval_id=approval_id)
    previous = selectors.approval_previous_approved(approval)
    refusal = selectors.approval_decision_refusal(request.user, approval)
    steps = list(approval.steps.select_related("decided_by").order_by("sequence"))
    for step in steps:
        step.role_names = selectors.role_labels(step)
    return render(
        request,
        "governance/approval_detail.html",
        {
            "approval": approval,
            "previous": previous,
            "rows": selectors.snapshot_rows(
                approval.snapshot, previous.snapshot if previous else None
            ),
            "steps": steps,
            "can_decide": refusal is None and not selectors.approval_is_decided_by_owner(approval),
            "decide_at_owner": refusal is None and selectors.approval_is_decided_by_owner(approval),
            "refusal": refusal.message
            if refusal is not None and approval.status == "pending"
            else "",
            "form": DecisionForm(),
        },
    )


@authenticated
@require_POST
def approval_decide_view(request: HttpRequest, approval_id: int) -> HttpResponse:
    approval = selectors.approval_get_for_change(actor=request.user, approval_id=approval_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或驳回"))
        return redirect("governance:approval_detail", approval_id=approval.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.approval_decide_generic(
            actor=request.user,
            approval=approval,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已通过") if approve else _("已驳回"))
    return redirect("governance:approval_detail", approval_id=approval.pk)


# --- obligations ---------------------------------------------------------------------------------
@authenticated
def occurrence_list_view(request: HttpRequest) -> HttpResponse:
    form = OccurrenceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    can_view_all = has_perm(request.user, GovernancePerm.VIEW_OBLIGATION)
    mine = not (can_view_all and data.get("scope") == "all")
    found = selectors.occurrence_list(
        actor=request.user,
        mine=mine,
        status=data.get("status", ""),
        owner_id=data.get("owner"),
        policy_id=data.get("policy_id", ""),
    )
    unfinished = [OccurrenceStatus.OVERDUE, OccurrenceStatus.OPEN]
    occurrences = list(
        found.filter(status__in=unfinished).order_by("-status", "due_at")[:200]
    ) + list(found.filter(status=OccurrenceStatus.DONE).order_by("-done_at")[:50])
    now = clock.now()
    for occurrence in occurrences:
        occurrence.hours_left = int((occurrence.due_at - now).total_seconds() // 3600)
    return render(
        request,
        "governance/occurrence_list.html",
        {
            "occurrences": occurrences,
            "form": form,
            "scope": "mine" if mine else "all",
            "can_view_all": can_view_all,
            "can_manage": has_perm(request.user, GovernancePerm.MANAGE_OBLIGATION),
            "owners": selectors.owner_choices() if can_view_all else [],
        },
    )


@authenticated
def occurrence_complete_view(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    occurrence = selectors.occurrence_get_for_change(
        actor=request.user, occurrence_id=occurrence_id
    )
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_complete(
                actor=request.user, occurrence=occurrence, evidence=form.cleaned_data["evidence"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已完成"))
            return redirect("governance:occurrence_list")
    return render(
        request,
        "governance/occurrence_complete.html",
        {"occurrence": occurrence, "obligation": occurrence.obligation, "form": form},
    )


@requires(GovernancePerm.MANAGE_OBLIGATION)
def obligation_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/obligation_list.html",
        {"obligations": selectors.obligation_list(actor=request.user)},
    )


def _save_obligation(request: HttpRequest, form: ObligationForm, obligation=None) -> bool:
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "title": data["title"],
        "owner": data["owner"],
        "schedule": data["schedule"],
        "due_hours": data["due_hours"],
        "policy_id": data["policy_id"],
        "store": data["store"],
        "description": data["description"],
    }
    try:
        if obligation is None:
            services.obligation_create(**common)
        else:
            services.obligation_update(obligation=obligation, is_active=data["is_active"], **common)
    except DomainError as exc:
        field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    return True


@requires(GovernancePerm.MANAGE_OBLIGATION)
def obligation_create_view(request: HttpRequest) -> HttpResponse:
    form = ObligationForm(
        request.POST or None, stores=store_list(actor=request.user), initial={"is_active": True}
    )
    if request.method == "POST" and form.is_valid() and _save_obligation(request, form):
        messages.success(request, _("定期任务已创建"))
        return redirect("governance:obligation_list")
    return render(request, "governance/obligation_form.html", {"form": form, "creating": True})


@requires(GovernancePerm.MANAGE_OBLIGATION)
def obligation_edit_view(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = selectors.obligation_get_for_change(
        actor=request.user, obligation_id=obligation_id
    )
    initial = {
        "title": obligation.title,
        "policy_id": obligation.policy_id,
        "owner": obligation.owner_id,
        "store": obligation.store_id,
        "schedule": obligation.schedule,
        "due_hours": obligation.due_hours,
        "description": obligation.description,
        "is_active": obligation.is_active,
    }
    form = ObligationForm(
        request.POST or None, stores=store_list(actor=request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid() and _save_obligation(request, form, obligation):
        messages.success(request, _("已保存"))
        return redirect("governance:obligation_list")
    return render(
        request, "governance/obligation_form.html", {"form": form, "obligation": obligation}
    )


# --- policy settings -----------------------------------------------------------------------------
@requires(GovernancePerm.VIEW_POLICY)
def policy_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/policy.html",
        {
            "settings": selectors.policy_list(),
            "can_edit": has_perm(request.user, GovernancePerm.MANAGE_POLICY),
        },
    )


@requires(GovernancePerm.MANAGE_POLICY)
@require_POST
def policy_set_view(request: HttpRequest, key: str) -> HttpResponse:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写新的值"))
        return redirect("governance:policy")
    try:
        services.policy_set(actor=request.user, key=key, value=form.cleaned_data["value"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("制度参数已保存"))
    return redirect("governance:policy")
