"""Account pages: login, my settings (language, two-factor, API tokens), users, roles, stores."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from storeops.accounts import selectors, services
from storeops.accounts.enums import SESSION_2FA_KEY
from storeops.accounts.forms import (
    EmailForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    StoreCreateForm,
    TokenCreateForm,
    TotpConfirmForm,
    UserAccessForm,
    UserCreateForm,
)
from storeops.accounts.permissions import AccountPerm
from storeops.core.access import authenticated, public, requires
from storeops.core.errors import DomainError
from storeops.core.permissions import all_permissions, has_perm


@public
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:workbench")
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.login_verify(
                request=request,
                username=data["username"],
                password=data["password"],
                otp=data["otp"] or None,
            )
        except DomainError as exc:
            error = exc.message
            status = exc.status if exc.status == 429 else 200
            return render(
                request, "accounts/login.html", {"form": form, "error": error}, status=status
            )
        login(request, result.user)
        if result.device is not None:
            otp_login(request, result.device)
        elif result.needs_totp_setup:
            request.session[SESSION_2FA_KEY] = True
            return redirect("accounts:totp_setup")
        next_url = request.GET.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect("web:workbench")
    return render(request, "accounts/login.html", {"form": form, "error": error})


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@authenticated
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    language_form = LanguageForm(initial={"language": user.language})
    return render(
        request,
        "accounts/settings.html",
        {
            "language_form": language_form,
            "token_form": TokenCreateForm(),
            "tokens": selectors.token_list(actor=user)[:50],
            "new_token": request.session.pop("storeops_new_token", None),
            "totp_enabled": services.totp_confirmed_device(user) is not None,
            "totp_required": services.totp_required_for(user),
        },
    )


@authenticated
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        user = services.user_set_language(
            actor=request.user, language=form.cleaned_data["language"]
        )
        translation.activate(user.language)  # the confirmation speaks the language just chosen
        messages.success(request, _("界面语言已保存"))
    return redirect("accounts:settings")


@authenticated
@require_POST
def email_view(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_email(actor=request.user, email=form.cleaned_data["email"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("邮箱已保存"))
    else:
        messages.error(request, _("邮箱地址无效"))
    return redirect("accounts:settings")


@authenticated
@require_POST
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["password"],
                current_password=form.cleaned_data["current_password"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in here
            messages.success(request, _("密码已修改"))
    return redirect("accounts:settings")


@authenticated
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        _token, raw = services.token_create(
            user=request.user, name=form.cleaned_data["name"] or "web"
        )
        request.session["storeops_new_token"] = raw
    return redirect("accounts:settings")


@authenticated
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get_for_change(actor=request.user, token_id=token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已吊销"))
    return redirect("accounts:settings")


@authenticated
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            request.session.pop(SESSION_2FA_KEY, None)
            messages.success(request, _("两步验证已启用"))
            return redirect("accounts:settings")
    device = services.totp_device_start(actor=request.user) if request.method == "GET" else None
    qr_svg = ""
    if device is not None:
        qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "required": bool(request.session.get(SESSION_2FA_KEY)),
        },
    )


@authenticated
@require_POST
def totp_disable_view(request: HttpRequest) -> HttpResponse:
    services.totp_disable(actor=request.user)
    messages.success(request, _("两步验证已关闭"))
    return redirect("accounts:settings")


# --- administration ------------------------------------------------------------------------------
@requires(AccountPerm.VIEW_USER)
def user_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": selectors.user_list(actor=request.user),
            "can_manage": has_perm(request.user, AccountPerm.MANAGE_USER),
        },
    )


@requires(AccountPerm.MANAGE_USER)
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                roles=data["roles"],
                stores=data["stores"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("用户已创建"))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@requires(AccountPerm.MANAGE_USER)
def user_edit_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get_for_change(actor=request.user, user_id=user_id)
    initial = {"roles": user.roles.all(), "stores": user.stores.all(), "is_active": user.is_active}
    form = UserAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update_access(
                actor=request.user,
                user=user,
                roles=data["roles"],
                stores=data["stores"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "target": user})


@requires(AccountPerm.VIEW_ROLE)
def role_matrix_view(request: HttpRequest) -> HttpResponse:
    roles = list(selectors.role_list(actor=request.user))
    can_edit = has_perm(request.user, AccountPerm.MANAGE_ROLE)
    if request.method == "POST":
        grants: dict[int, set[str]] = {}
        for key in request.POST.getlist("grant"):
            role_id, _sep, codename = key.partition(":")
            if role_id.isdigit():
                grants.setdefault(int(role_id), set()).add(codename)
        services.role_matrix_update(actor=request.user, grants=grants)
        messages.success(request, _("权限矩阵已保存"))
        return redirect("accounts:role_matrix")
    granted = {(r.pk, g.codename) for r in roles for g in r.grants.all()}
    rows = [
        {
            "spec": spec,
            "cells": [
                {
                    "role": r,
                    "key": f"{r.pk}:{spec.codename}",
                    "on": (r.pk, spec.codename) in granted,
                }
                for r in roles
            ],
        }
        for spec in all_permissions()
    ]
    return render(
        request, "accounts/role_matrix.html", {"roles": roles, "rows": rows, "can_edit": can_edit}
    )


@requires(AccountPerm.MANAGE_STORE)
def store_list_view(request: HttpRequest) -> HttpResponse:
    form = StoreCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("店铺已创建"))
            return redirect("accounts:store_list")
    return render(
        request,
        "accounts/store_list.html",
        {"stores": selectors.store_list_all(actor=request.user), "form": form},
    )
