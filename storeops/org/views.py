"""Pages of the org app: the credential vault, departments, positions, the matrix, store profiles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_list
from storeops.core import clock
from storeops.core.access import authenticated, requires
from storeops.core.errors import DomainError
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm, require
from storeops.org import selectors, services
from storeops.org.enums import DutyModule
from storeops.org.forms import (
    CredentialForm,
    DepartmentForm,
    DutyForm,
    PositionCreateForm,
    PositionForm,
    ProcessForm,
    StoreProfileForm,
)
from storeops.org.permissions import OrgPerm

DUTY_HEADERS = ["编号", "模块", "任务类别", "任务项", "责任人", "部门", "备注"]


# --- the vault (R5.2) ----------------------------------------------------------------------------
@requires(OrgPerm.VIEW_CREDENTIAL)
def credential_overview_view(request: HttpRequest) -> HttpResponse:
    """后台账号保管: the credentials of every store I work in, and a link to each store's list."""
    return render(
        request,
        "org/credential_overview.html",
        {
            "credentials": selectors.credential_list_all(actor=request.user),
            "stores": store_list(actor=request.user),
            "can_manage": has_perm(request.user, OrgPerm.MANAGE_CREDENTIAL),
        },
    )


@authenticated  # the store decides first (404 elsewhere), then the permission (403)
def credential_list_view(request: HttpRequest, code: str) -> HttpResponse:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credentials = selectors.credential_list(actor=request.user, store=store)
    return render(
        request,
        "org/credential_list.html",
        {
            "store": store,
            "credentials": credentials,
            "can_manage": has_perm(request.user, OrgPerm.MANAGE_CREDENTIAL, store=store),
            "can_reveal": has_perm(request.user, OrgPerm.REVEAL_CREDENTIAL, store=store),
        },
    )


def _credential_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "login": data["login"],
        "custodian": data["custodian"],
        "rotation_due": data["rotation_due"],
        "allowed_revealers": list(data["allowed_revealers"]),
    }


@sensitive_post_parameters("secret")
@authenticated
def credential_create_view(request: HttpRequest, code: str) -> HttpResponse:
    store = selectors.store_for_actor(actor=request.user, code=code)
    require(request.user, OrgPerm.MANAGE_CREDENTIAL, store=store)
    form = CredentialForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.credential_create(
                actor=request.user,
                store=store,
                name=data["name"],
                secret=data["secret"],
                **_credential_kwargs(data),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("后台账号已保存"))
            return redirect("org:credential_list", code=store.code)
    return render(request, "org/credential_form.html", {"form": form, "store": store})


@sensitive_post_parameters("secret")
@authenticated
def credential_edit_view(request: HttpRequest, code: str, credential_id: int) -> HttpResponse:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credential = selectors.credential_get_for_change(
        actor=request.user, store=store, credential_id=credential_id
    )
    initial = {
        "name": credential.name,
        "login": credential.login,
        "custodian": credential.custodian,
        "rotation_due": credential.rotation_due,
        "allowed_revealers": list(credential.allowed_revealers.all()),
    }
    form = CredentialForm(request.POST or None, initial=initial, store=store, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.credential_update(
                actor=request.user,
                credential=credential,
                secret=data["secret"] or None,
                **_credential_kwargs(data),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:credential_list", code=store.code)
    return render(
        request,
        "org/credential_form.html",
        {"form": form, "store": store, "credential": credential},
    )


@never_cache
@authenticated  # a refusal must be audited, so the service decides (403 + audit event)
@require_POST
def credential_reveal_view(request: HttpRequest, code: str, credential_id: int) -> HttpResponse:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credential = selectors.credential_get(
        actor=request.user, store=store, credential_id=credential_id
    )
    secret = services.credential_reveal(actor=request.user, credential=credential)
    response = render(
        request,
        "org/credential_reveal.html",
        {"store": store, "credential": credential, "secret": secret},
    )
    response["Cache-Control"] = "no-store, private"
    return response


# --- departments (R2.5) --------------------------------------------------------------------------
@authenticated
def department_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "org/department_list.html",
        {
            "company": selectors.company_get(),
            "departments": selectors.department_list(actor=request.user),
            "processes": selectors.process_list(),
            "can_edit": has_perm(request.user, OrgPerm.MANAGE_ORG),
        },
    )


@authenticated
def department_detail_view(request: HttpRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get(actor=request.user, department_id=department_id)
    processes = list(selectors.process_list(department=department))
    return render(
        request,
        "org/department_detail.html",
        {
            "department": department,
            "processes_out": [p for p in processes if p.from_department_id == department.pk],
            "processes_in": [p for p in processes if p.to_department_id == department.pk],
            "positions": department.positions.all(),
            "can_edit": has_perm(request.user, OrgPerm.MANAGE_ORG),
        },
    )


@requires(OrgPerm.MANAGE_ORG)
def department_create_view(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = services.department_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                contact_person=data["contact_person"],
                members=list(data["members"]),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("部门已创建"))
            return redirect("org:department_detail", department_id=department.pk)
    return render(request, "org/department_form.html", {"form": form})


@requires(OrgPerm.MANAGE_ORG)
def department_edit_view(request: HttpRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get_for_change(
        actor=request.user, department_id=department_id
    )
    form = DepartmentForm(
        request.POST or None,
        editing=True,
        initial={
            "name": department.name,
            "contact_person": department.contact_person,
            "members": list(department.members.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.department_update(
                actor=request.user,
                department=department,
                name=data["name"],
                contact_person=data["contact_person"],
                members=list(data["members"]),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:department_detail", department_id=department.pk)
    return render(request, "org/department_form.html", {"form": form, "department": department})


@requires(OrgPerm.MANAGE_ORG)
def process_create_view(request: HttpRequest) -> HttpResponse:
    initial = {}
    source = request.GET.get("from", "")
    if source.isdigit() and len(source) < 16:
        initial["from_department"] = int(source)
    form = ProcessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.process_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("流程已添加"))
            return redirect("org:department_list")
    return render(request, "org/process_form.html", {"form": form})


# --- positions (R2.6) ----------------------------------------------------------------------------
@authenticated
def position_list_view(request: HttpRequest) -> HttpResponse:
    positions = list(selectors.position_list(actor=request.user))
    for position in positions:
        position.may_see_pay = selectors.position_may_see_pay(actor=request.user, position=position)
    return render(
        request,
        "org/position_list.html",
        {"positions": positions, "can_edit": has_perm(request.user, OrgPerm.MANAGE_ORG)},
    )


@requires(OrgPerm.MANAGE_ORG)
def position_create_view(request: HttpRequest) -> HttpResponse:
    form = PositionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            position = services.position_create(
                actor=request.user, **{**data, "members": list(data["members"])}
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("岗位已创建"))
            return redirect("org:position_detail", position_id=position.pk)
    return render(request, "org/position_create.html", {"form": form})


@authenticated
def position_detail_view(request: HttpRequest, position_id: int) -> HttpResponse:
    position = selectors.position_get(actor=request.user, position_id=position_id)
    is_member = position.members.filter(pk=request.user.pk).exists()
    can_see_status = has_perm(request.user, OrgPerm.VIEW_PAY) or has_perm(
        request.user, OrgPerm.MANAGE_ORG
    )
    return render(
        request,
        "org/position_detail.html",
        {
            "position": position,
            "is_member": is_member,
            "may_see_pay": selectors.position_may_see_pay(actor=request.user, position=position),
            "acknowledged": is_member
            and selectors.position_has_acknowledged(user=request.user, position=position),
            "ack_status": (
                selectors.position_ack_status(actor=request.user, position=position)
                if can_see_status
                else None
            ),
            "can_edit": has_perm(request.user, OrgPerm.MANAGE_ORG),
            "commission_percent": position.commission_rate * 100,
        },
    )


@authenticated
@require_POST
def position_acknowledge_view(request: HttpRequest, position_id: int) -> HttpResponse:
    position = selectors.position_get(actor=request.user, position_id=position_id)
    services.position_acknowledge(actor=request.user, position=position)
    messages.success(request, _("已确认岗位职责与薪酬"))
    return redirect("org:position_detail", position_id=position.pk)


@requires(OrgPerm.MANAGE_ORG)
def position_edit_view(request: HttpRequest, position_id: int) -> HttpResponse:
    position = selectors.position_get_for_change(actor=request.user, position_id=position_id)
    form = PositionForm(
        request.POST or None,
        initial={
            "duties": position.duties,
            "qualifications": position.qualifications,
            "base_pay": position.base_pay,
            "commission_rate": position.commission_rate,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_update(actor=request.user, position=position, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存；在岗人员需要重新确认"))
            return redirect("org:position_detail", position_id=position.pk)
    return render(request, "org/position_form.html", {"form": form, "position": position})


# --- the responsibility matrix (R2.1–R2.17) ------------------------------------------------------
def _duty_filters(request: HttpRequest) -> dict[str, Any]:
    module = request.GET.get("module", "")
    owner = request.GET.get("owner", "")
    return {
        "module": module if module in DutyModule.values else "",
        "owner_id": int(owner) if owner.isdigit() and len(owner) < 16 else None,
        "unassigned": request.GET.get("unassigned") == "1",
    }


@authenticated
def duty_list_view(request: HttpRequest) -> HttpResponse:
    filters = _duty_filters(request)
    duties = selectors.duty_list(actor=request.user, **filters)
    return render(
        request,
        "org/duty_list.html",
        {
            "duties": duties,
            "filters": filters,
            "modules": DutyModule.choices,
            "owners": DutyForm().fields["owner"].queryset,
            "can_edit": has_perm(request.user, OrgPerm.MANAGE_DUTY),
            "query": request.GET.urlencode(),
        },
    )


@authenticated
def duty_export_view(request: HttpRequest) -> HttpResponse:
    duties = selectors.duty_list(actor=request.user, **_duty_filters(request))
    rows = (
        (
            d.policy_id,
            d.get_module_display(),
            d.category,
            d.item,
            str(d.owner) if d.owner else "",
            d.department.name if d.department else "",
            d.notes,
        )
        for d in duties
    )
    content = workbook_bytes("职责矩阵", DUTY_HEADERS, rows)
    return xlsx_response(f"职责矩阵-{clock.business_date():%Y%m%d}.xlsx", content)


@requires(OrgPerm.MANAGE_DUTY)
def duty_edit_view(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = selectors.duty_get_for_change(actor=request.user, duty_id=duty_id)
    form = DutyForm(
        request.POST or None,
        initial={"owner": duty.owner, "department": duty.department, "notes": duty.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_update(actor=request.user, duty=duty, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("责任人已保存"))
            return redirect("org:duty_list")
    return render(request, "org/duty_form.html", {"form": form, "duty": duty})


# --- store profiles (R2.2) -----------------------------------------------------------------------
@authenticated
def store_profile_index_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "org/store_profile_index.html", {"stores": store_list(actor=request.user)}
    )


@authenticated
def store_profile_view(request: HttpRequest, code: str) -> HttpResponse:
    profile = selectors.store_profile_get(actor=request.user, code=code)
    can_edit = has_perm(request.user, OrgPerm.EDIT_STORE_PROFILE, store=profile.store)
    initial = {f: getattr(profile, f) for f in services.PROFILE_FIELDS}
    form = StoreProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        profile = selectors.store_profile_get_for_change(actor=request.user, code=code)
        if form.is_valid():
            try:
                services.store_profile_update(
                    actor=request.user, profile=profile, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("网店定位已保存"))
                return redirect("org:store_profile", code=code)
    return render(
        request,
        "org/store_profile.html",
        {"profile": profile, "store": profile.store, "form": form, "can_edit": can_edit},
    )
