"""API of the org app: the credential vault (R5.2), departments, the matrix, store profiles."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from storeops.core.access import authenticated, requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid
from storeops.org import selectors, services
from storeops.org.models import Department, Duty, StoreCredential, StoreProfile
from storeops.org.permissions import OrgPerm
from storeops.org.schemas import (
    CredentialIn,
    CredentialOut,
    CredentialPage,
    CredentialPatch,
    DepartmentPage,
    DutyOut,
    DutyPage,
    DutyPatch,
    SecretOut,
    StoreProfileIO,
    StoreProfileOut,
)

router = Router(tags=["org"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODE = Path(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
ID = Path(..., ge=1, le=MAX_ID)


def _user(username: str | None, field: str) -> Any:
    if not username:
        return None
    if "\x00" in username:
        raise Invalid("user.not_found", "用户不存在", {"field": field})
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Invalid("user.not_found", "用户不存在", {"field": field, "username": username})
    return user


def _users(usernames: list[str], field: str) -> list[Any]:
    return [_user(name, field) for name in dict.fromkeys(usernames)]


def credential_out(credential: StoreCredential) -> dict[str, Any]:
    return {
        "id": credential.pk,
        "store": credential.store.code,
        "name": credential.name,
        "login": credential.login,
        "custodian": credential.custodian.username if credential.custodian else None,
        "rotation_due": credential.rotation_due,
        "allowed_revealers": sorted(u.username for u in credential.allowed_revealers.all()),
        "secret_changed_at": credential.secret_changed_at,
        "updated_at": credential.updated_at,
    }


# --- the vault (R5.2) ----------------------------------------------------------------------------
@router.post(
    "/stores/{code}/credentials",
    response={201: CredentialOut, **ERRORS},
    summary="保存网店后台账号（密码加密存储，不会返回）",
)
@authenticated  # the store decides first (404 elsewhere), then the permission (403)
def credential_create_api(request: HttpRequest, payload: CredentialIn, code: str = CODE) -> Any:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credential = services.credential_create(
        actor=request.user,
        store=store,
        name=payload.name,
        login=payload.login,
        secret=payload.secret,
        custodian=_user(payload.custodian, "custodian"),
        rotation_due=payload.rotation_due,
        allowed_revealers=_users(payload.allowed_revealers, "allowed_revealers"),
    )
    return Status(201, credential_out(credential))


@router.get(
    "/stores/{code}/credentials",
    response={200: CredentialPage, **ERRORS},
    summary="网店后台账号列表（不含密码）",
)
@authenticated  # the store decides first (404 elsewhere), then the permission (403)
def credential_list_api(
    request: HttpRequest,
    code: str = CODE,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    store = selectors.store_for_actor(actor=request.user, code=code)
    rows, next_cursor = keyset_page(
        selectors.credential_list(actor=request.user, store=store),
        cursor=cursor,
        limit=limit,
        newest_first=False,
    )
    return {"items": [credential_out(c) for c in rows], "next": next_cursor}


@router.patch(
    "/stores/{code}/credentials/{credential_id}",
    response={200: CredentialOut, **ERRORS},
    summary="修改网店后台账号（登录名、替换密码、保管人、改密日期、限定查看人）",
)
@authenticated  # the store decides first (404 elsewhere), then the permission (403)
def credential_update_api(
    request: HttpRequest, payload: CredentialPatch, code: str = CODE, credential_id: int = ID
) -> Any:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credential = selectors.credential_get_for_change(
        actor=request.user, store=store, credential_id=credential_id
    )
    given = payload.model_dump(exclude_unset=True)
    kwargs: dict[str, Any] = {}
    if "login" in given and payload.login is not None:
        kwargs["login"] = payload.login
    if "secret" in given and payload.secret is not None:
        kwargs["secret"] = payload.secret
    if "custodian" in given:
        kwargs["custodian"] = _user(payload.custodian, "custodian")
    if "rotation_due" in given:
        kwargs["rotation_due"] = payload.rotation_due
    if "allowed_revealers" in given and payload.allowed_revealers is not None:
        kwargs["allowed_revealers"] = _users(payload.allowed_revealers, "allowed_revealers")
    credential = services.credential_update(actor=request.user, credential=credential, **kwargs)
    return credential_out(credential)


@router.post(
    "/stores/{code}/credentials/{credential_id}/reveal",
    response={200: SecretOut, **ERRORS},
    summary="查看密码（仅限有保管库权限者；每次查看都记入操作日志）",
)
@authenticated  # a refusal must be audited, so the door lets the service decide (403 + audit)
def credential_reveal_api(request: HttpRequest, code: str = CODE, credential_id: int = ID) -> Any:
    store = selectors.store_for_actor(actor=request.user, code=code)
    credential = selectors.credential_get(
        actor=request.user, store=store, credential_id=credential_id
    )
    return {"secret": services.credential_reveal(actor=request.user, credential=credential)}


# --- departments (R2.5) --------------------------------------------------------------------------
@router.get("/org/departments", response={200: DepartmentPage, **ERRORS}, summary="部门与接口人")
@authenticated
def department_list_api(request: HttpRequest) -> Any:
    items = [
        {
            "id": d.pk,
            "code": d.code,
            "name": d.name,
            "contact_person": d.contact_person.username if d.contact_person else None,
            "members": sorted(u.username for u in d.members.all()),
        }
        for d in selectors.department_list(actor=request.user)[:PAGE_MAX]
    ]
    return {"items": items, "next": None}


# --- the responsibility matrix (R2.1–R2.17) ------------------------------------------------------
def duty_out(duty: Duty) -> dict[str, Any]:
    return {
        "id": duty.pk,
        "policy_id": duty.policy_id,
        "module": duty.module,
        "module_label": str(duty.get_module_display()),
        "category": duty.category,
        "item": duty.item,
        "owner": duty.owner.username if duty.owner else None,
        "owner_name": str(duty.owner) if duty.owner else None,
        "department": (
            {"id": duty.department.pk, "code": duty.department.code, "name": duty.department.name}
            if duty.department
            else None
        ),
        "notes": duty.notes,
    }


@router.get("/org/duties", response={200: DutyPage, **ERRORS}, summary="职责矩阵")
@authenticated
def duty_list_api(
    request: HttpRequest,
    module: str = Query("", max_length=30),
    owner: str = Query("", max_length=150),
    unassigned: bool = False,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(PAGE_MAX, ge=1, le=PAGE_MAX),
) -> Any:
    owner_id = None
    if owner:
        found = get_user_model().objects.filter(username=owner.replace("\x00", "")).first()
        owner_id = found.pk if found else -1
    rows, next_cursor = keyset_page(
        selectors.duty_list(
            actor=request.user, module=module, owner_id=owner_id, unassigned=unassigned
        ),
        cursor=cursor,
        limit=limit,
        newest_first=False,
    )
    return {"items": [duty_out(d) for d in rows], "next": next_cursor}


@router.patch(
    "/org/duties/{duty_id}", response={200: DutyOut, **ERRORS}, summary="指定责任人、部门、备注"
)
@requires(OrgPerm.MANAGE_DUTY)
def duty_update_api(request: HttpRequest, payload: DutyPatch, duty_id: int = ID) -> Any:
    duty = selectors.duty_get_for_change(actor=request.user, duty_id=duty_id)
    given = payload.model_dump(exclude_unset=True)
    kwargs: dict[str, Any] = {}
    if "owner" in given:
        kwargs["owner"] = _user(payload.owner, "owner")
    if "department" in given:
        department = None
        if payload.department:
            department = Department.objects.filter(pk=payload.department).first()
            if department is None:
                raise Invalid("department.not_found", "部门不存在", {"field": "department"})
        kwargs["department"] = department
    if "notes" in given and payload.notes is not None:
        kwargs["notes"] = payload.notes
    return duty_out(services.duty_update(actor=request.user, duty=duty, **kwargs))


# --- store profiles (R2.2) -----------------------------------------------------------------------
def profile_out(profile: StoreProfile) -> dict[str, Any]:
    return {
        "store": profile.store.code,
        **{f: getattr(profile, f) for f in services.PROFILE_FIELDS},
        "updated_at": profile.updated_at,
        "updated_by": profile.updated_by.username if profile.updated_by else None,
    }


@router.get("/stores/{code}/profile", response={200: StoreProfileOut, **ERRORS}, summary="网店定位")
@authenticated
def store_profile_get_api(request: HttpRequest, code: str = CODE) -> Any:
    return profile_out(selectors.store_profile_get(actor=request.user, code=code))


@router.put(
    "/stores/{code}/profile", response={200: StoreProfileOut, **ERRORS}, summary="编辑网店定位"
)
@authenticated  # the store decides first (404 elsewhere), then the permission (403)
def store_profile_put_api(request: HttpRequest, payload: StoreProfileIO, code: str = CODE) -> Any:
    profile = selectors.store_profile_get_for_change(actor=request.user, code=code)
    return profile_out(
        services.store_profile_update(actor=request.user, profile=profile, **payload.model_dump())
    )
