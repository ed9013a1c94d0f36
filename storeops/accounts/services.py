"""Every write on users, roles, stores and tokens: permission-checked, atomic, audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.accounts.enums import Language, Platform
from storeops.accounts.models import ApiToken, KnownPermission, Role, RolePermission, Store, User
from storeops.accounts.permissions import AccountPerm
from storeops.accounts.selectors import TokenGrant, token_cache_changed, token_digest
from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid, RateLimited, Unauthorized
from storeops.core.permissions import all_permissions, is_registered, require
from storeops.core.roles import RoleCode


# --- roles -------------------------------------------------------------------------------------
@transaction.atomic
def role_sync_defaults() -> list[str]:
    """Create the policy's roles; grant each newly introduced codename to its default roles, and
    a codename the code has since given another default role to that role.

    Each (codename, default role) applies once (KnownPermission.default_roles): a grant the admin
    removed is never restored; the 系统管理员 role always holds everything. Returns the codenames
    introduced by this run.
    """
    roles = {}
    for code in RoleCode:
        role, _created = Role.objects.get_or_create(
            code=code.value, defaults={"name": str(code.label), "is_system": True}
        )
        roles[code.value] = role
    known = {k.codename: k for k in KnownPermission.objects.all()}
    introduced: list[str] = []
    extended: dict[str, list[str]] = {}
    recorded: list[KnownPermission] = []
    grants = []
    for spec in all_permissions():
        defaults = set(spec.default_roles)
        row = known.get(spec.codename)
        targets = {RoleCode.ADMIN.value}
        if row is None:
            targets |= defaults
            introduced.append(spec.codename)
        elif row.default_roles is None:  # known before the roles were recorded: applied then
            row.default_roles = sorted(defaults)
            recorded.append(row)
        elif added := defaults - set(row.default_roles):
            targets |= added
            extended[spec.codename] = sorted(added)
            row.default_roles = sorted(defaults | set(row.default_roles))
            recorded.append(row)
        grants.extend(RolePermission(role=roles[r], codename=spec.codename) for r in targets)
    RolePermission.objects.bulk_create(grants, ignore_conflicts=True)
    token_cache_changed()  # bulk_create sends no signal
    specs = {spec.codename: spec for spec in all_permissions()}
    KnownPermission.objects.bulk_create(
        [
            KnownPermission(codename=c, default_roles=sorted(specs[c].default_roles))
            for c in introduced
        ],
        ignore_conflicts=True,
    )
    if recorded:
        KnownPermission.objects.bulk_update(recorded, ["default_roles"])
    if introduced or extended:
        after: dict[str, Any] = {"introduced": introduced}
        if extended:
            after["extended"] = extended
        audit_record(
            actor=None,
            action="accounts.role.sync_defaults",
            object_type="accounts.role",
            after=after,
        )
    return introduced


@transaction.atomic
def role_set_permissions(*, actor: User, role: Role, codenames: Iterable[str]) -> Role:
    """Edit one row of the role → permission matrix."""
    require(actor, AccountPerm.MANAGE_ROLE)
    wanted = {str(c) for c in codenames}
    unknown = sorted(c for c in wanted if not is_registered(c))
    if unknown:
        raise Invalid("role.permission_unknown", _("未知的权限"), {"codenames": unknown})
    if role.code == RoleCode.ADMIN:
        raise Conflict("role.admin_fixed", _("系统管理员始终拥有全部权限，不能修改"))
    before = sorted(role.grants.values_list("codename", flat=True))
    RolePermission.objects.filter(role=role).exclude(codename__in=wanted).delete()
    RolePermission.objects.bulk_create(
        [RolePermission(role=role, codename=c) for c in wanted], ignore_conflicts=True
    )
    token_cache_changed()  # bulk_create sends no signal
    after = sorted(wanted)
    if before != after:
        audit_record(
            actor=actor,
            action="accounts.role.update",
            obj=role,
            before={"permissions": before},
            after={"permissions": after},
        )
    return role


# --- stores ------------------------------------------------------------------------------------
@transaction.atomic
def store_create(
    *, actor: User | None, code: str, platform: str, name: str, is_main_store: bool = False
) -> Store:
    if actor is not None:
        require(actor, AccountPerm.MANAGE_STORE)
    if platform not in Platform.values:
        raise Invalid("store.platform_invalid", _("平台无效"), {"field": "platform"})
    try:
        with transaction.atomic():  # the unique index decides, also between two concurrent creates
            store = Store.objects.create(
                code=code, platform=platform, name=name, is_main_store=is_main_store
            )
    except IntegrityError as exc:
        raise Conflict("store.code_taken", _("店铺编码已存在"), {"field": "code"}) from exc
    audit_record(
        actor=actor,
        action="accounts.store.create",
        obj=store,
        store=store,
        after={"code": code, "platform": platform, "name": name, "is_main_store": is_main_store},
    )
    return store


# --- users -------------------------------------------------------------------------------------
def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "is_active": user.is_active,
        "roles": sorted(user.roles.values_list("code", flat=True)),
        "stores": sorted(user.stores.values_list("code", flat=True)),
        "language": user.language,
    }


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    first_name: str = "",
    roles: Iterable[Role] = (),
    stores: Iterable[Store] = (),
) -> User:
    if actor is not None:
        require(actor, AccountPerm.MANAGE_USER)
    user = User(username=username, first_name=first_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():  # the unique index decides, also between two concurrent creates
            user.save()
    except IntegrityError as exc:
        raise Conflict("user.username_taken", _("用户名已存在"), {"field": "username"}) from exc
    user.roles.set(list(roles))
    user.stores.set(list(stores))
    audit_record(actor=actor, action="accounts.user.create", obj=user, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_update_access(
    *, actor: User, user: User, roles: Iterable[Role], stores: Iterable[Store], is_active: bool
) -> User:
    """Assign roles and stores, or deactivate (users are never deleted: the audit log names them)."""
    require(actor, AccountPerm.MANAGE_USER)
    if user.pk == actor.pk and not is_active:
        raise Conflict("user.self_deactivate", _("不能停用自己的账号"))
    before = _user_snapshot(user)
    user.roles.set(list(roles))
    user.stores.set(list(stores))
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.forget_access_cache()
    after = _user_snapshot(user)
    if before != after:
        audit_record(
            actor=actor, action="accounts.user.update", obj=user, before=before, after=after
        )
    return user


@transaction.atomic
def user_set_password(
    *, actor: User, user: User, password: str, current_password: str | None = None
) -> User:
    """Set a password: one's own (the current one must be given) or, as 管理用户, anyone's.

    The new password passes the validators of AUTH_PASSWORD_VALIDATORS.
    """
    if actor.pk == user.pk:
        if not current_password or not user.check_password(current_password):
            raise Invalid(
                "user.current_password_wrong", _("当前密码不正确"), {"field": "current_password"}
            )
    else:
        require(actor, AccountPerm.MANAGE_USER)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid("user.password_weak", " ".join(exc.messages), {"field": "password"}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="accounts.user.set_password", obj=user)
    return user


@transaction.atomic
def user_set_email(*, actor: User, email: str) -> User:
    """One's own e-mail address: where notifications and alerts are delivered by e-mail.

    Empty removes it (no e-mail is sent then; the inbox still holds everything)."""
    email = (email or "").strip()
    if email:
        if len(email) > 254 or "\x00" in email:
            raise Invalid("user.email_invalid", _("邮箱地址无效"), {"field": "email"})
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid("user.email_invalid", _("邮箱地址无效"), {"field": "email"}) from exc
    before = actor.email
    if before == email:
        return actor
    actor.email = email
    actor.save(update_fields=["email"])
    audit_record(
        actor=actor,
        action="accounts.user.set_email",
        obj=actor,
        before={"email": before},
        after={"email": email},
    )
    return actor


@transaction.atomic
def user_set_language(*, actor: User, language: str) -> User:
    """The UI language is the user's own choice; the browser's language never decides it."""
    if language not in Language.values:
        raise Invalid("user.language_invalid", _("不支持的语言"), {"field": "language"})
    before = actor.language
    actor.language = language
    actor.save(update_fields=["language"])
    audit_record(
        actor=actor,
        action="accounts.user.set_language",
        obj=actor,
        before={"language": before},
        after={"language": language},
    )
    return actor


# --- login and API tokens ------------------------------------------------------------------------
def credentials_check(*, request: Any, username: str, password: str) -> User:
    """Password check through django-axes, so the API counts failures and locks like the form."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise RateLimited("auth.locked_out", _("登录失败次数过多，账号已暂时锁定，请稍后再试"))
    if user is None:
        raise Unauthorized("auth.invalid_credentials", _("用户名或密码错误"))
    return user


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token: 32 random bytes, returned once, stored as SHA-256."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=token_digest(raw), prefix=raw[:8]
    )
    audit_record(
        actor=user,
        action="accounts.token.create",
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


@dataclass(frozen=True)
class LoginResult:
    user: User
    device: Any  # the TOTP device that was passed, or None
    needs_totp_setup: bool  # the user's role requires two-factor and none is set up yet


def login_verify(*, request: Any, username: str, password: str, otp: str | None) -> LoginResult:
    """One login rule for the form and the API: password (counted by axes), then two-factor."""
    user = credentials_check(request=request, username=username, password=password)
    device = totp_check(user=user, code=otp)
    return LoginResult(user, device, device is None and totp_required_for(user))


def token_issue_for_login(
    *, request: Any, username: str, password: str, otp: str | None, name: str
) -> str:
    """The API's login: `login_verify`, then a new token.

    A role that must use two-factor gets no token until it is set up (on the web, where the QR
    code is shown). A success is announced as a login (`user_logged_in`), so axes resets the
    failure count just as the login form does, and `last_login` moves.
    """
    result = login_verify(request=request, username=username, password=password, otp=otp)
    if result.needs_totp_setup:
        raise Forbidden("auth.totp_setup_required", _("你的角色必须先在网页上启用两步验证"))
    _token, raw = token_create(user=result.user, name=name)
    user_logged_in.send(sender=result.user.__class__, request=request, user=result.user)
    return raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="accounts.token.revoke", obj=token, after={"prefix": token.prefix}
    )
    return token


def token_touch(grant: TokenGrant) -> None:
    """Record use at most once a minute (per process): no write on every request."""
    now = clock.now()
    if grant.last_used_at is None or (now - grant.last_used_at).total_seconds() > 60:
        grant.last_used_at = now
        ApiToken.objects.filter(pk=grant.token_id).update(last_used_at=now)


# --- two-factor (TOTP) -----------------------------------------------------------------------------
def totp_required_for(user: User) -> bool:
    """Whether company settings make two-factor mandatory for one of this user's roles."""
    from django.conf import settings

    required = set(settings.STOREOPS_2FA_REQUIRED_ROLES)
    return bool(required & set(user.role_codes()))


def totp_confirmed_device(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, actor: User) -> Any:
    """A fresh unconfirmed device; it counts only once a code from the app confirms it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="TOTP", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor: User, code: str) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
    if device is None:
        raise Conflict("totp.not_started", _("请先生成二维码"))
    if not code.isdigit() or not device.verify_token(code):
        raise Invalid("totp.code_invalid", _("动态验证码不正确"), {"field": "code"})
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="accounts.totp.enable", obj=actor)
    return device


@transaction.atomic
def totp_disable(*, actor: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if totp_required_for(actor):
        raise Conflict("totp.required", _("你的角色必须启用两步验证"))
    deleted, _rows = TOTPDevice.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, action="accounts.totp.disable", obj=actor)


def totp_check(*, user: User, code: str | None) -> Any:
    """The confirmed device when the code matches; None when the user has no device."""
    device = totp_confirmed_device(user)
    if device is None:
        return None
    if not code or not code.isdigit() or not device.verify_token(code):
        raise Unauthorized("auth.otp_invalid", _("动态验证码不正确"))
    return device


@transaction.atomic
def role_matrix_update(*, actor: User, grants: dict[int, set[str]]) -> list[Role]:
    """Save the whole matrix page at once: every editable role gets exactly its ticked codenames."""
    require(actor, AccountPerm.MANAGE_ROLE)
    changed = []
    for role in Role.objects.exclude(code=RoleCode.ADMIN).order_by("id"):
        changed.append(
            role_set_permissions(actor=actor, role=role, codenames=grants.get(role.pk, set()))
        )
    return changed
