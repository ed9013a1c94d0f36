"""Accounts API: tokens, the current user, the stores they work in, roles."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router
from ninja.security import HttpBearer

from storeops.accounts import selectors, services
from storeops.accounts.permissions import AccountPerm
from storeops.accounts.schemas import (
    MeOut,
    RoleOut,
    RolePage,
    StoreOut,
    StorePage,
    TokenIn,
    TokenInfoOut,
    TokenOut,
    TokenPage,
)
from storeops.core.access import authenticated, public, requires
from storeops.core.api import MAX_ID, PAGE_MAX, ErrorOut
from storeops.core.errors import UnsupportedMediaType

router = Router(tags=["accounts"])
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: its SHA-256 looked up (cached for a few seconds per
    process, see selectors.token_grant), and a fresh user object for the request."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = selectors.user_for_token(token)
        if found is None:
            return None
        user, grant = found
        services.token_touch(grant)
        request.user = user
        return user


def store_out(store: Any) -> dict[str, Any]:
    return {
        "id": store.id,
        "code": store.code,
        "platform": store.platform,
        "platform_label": str(store.get_platform_display()),
        "name": store.name,
        "is_main_store": store.is_main_store,
    }


@router.post(
    "/auth/token",
    response={200: TokenOut, **ERRORS, 415: ErrorOut},
    auth=None,
    summary="用用户名和密码换取 API 令牌",
)
@public
def token_create_api(request: HttpRequest, payload: TokenIn) -> Any:
    # JSON only: with a malformed form body django-axes cannot record a failed attempt, so a
    # wrong password would go uncounted and the lockout could be sidestepped.
    if request.content_type != "application/json":
        raise UnsupportedMediaType(message="请以 application/json 提交")
    raw = services.token_issue_for_login(
        request=request,
        username=payload.username,
        password=payload.password,
        otp=payload.otp,
        name=payload.name or "api",
    )
    return {"token": raw}


@router.get("/auth/tokens", response={200: TokenPage, **ERRORS}, summary="我的 API 令牌")
@authenticated
def token_list_api(request: HttpRequest) -> Any:
    return {"items": list(selectors.token_list(actor=request.user)[:PAGE_MAX]), "next": None}


@router.post(
    "/auth/tokens/{token_id}/revoke",
    response={200: TokenInfoOut, **ERRORS},
    summary="吊销一个 API 令牌",
)
@authenticated
def token_revoke_api(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    token = selectors.token_get_for_change(actor=request.user, token_id=token_id)
    return services.token_revoke(actor=request.user, token=token)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户、角色、权限与店铺")
@authenticated
def me_api(request: HttpRequest) -> Any:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "language": user.language,
        "roles": [{"code": r.code, "name": r.name} for r in user.roles.order_by("id")],
        "permissions": sorted(user.permission_codes()),
        "stores": [store_out(s) for s in selectors.store_list(actor=user)],
        "two_factor_enabled": services.totp_confirmed_device(user) is not None,
    }


@router.get("/stores", response={200: StorePage, **ERRORS}, summary="我负责的店铺")
@authenticated
def store_list_api(request: HttpRequest) -> Any:
    found = selectors.store_list(actor=request.user)
    stores = [store_out(s) for s in found[:PAGE_MAX]]
    count = len(stores) if len(stores) < PAGE_MAX else found.count()
    return {"items": stores, "next": None, "count": count}


@router.get("/roles", response={200: RolePage, **ERRORS}, summary="角色与权限矩阵")
@requires(AccountPerm.VIEW_ROLE)
def role_list_api(request: HttpRequest) -> Any:
    roles = [
        {
            "id": r.id,
            "code": r.code,
            "name": r.name,
            "permissions": [g.codename for g in r.grants.all()],
        }
        for r in selectors.role_list(actor=request.user)[:PAGE_MAX]
    ]
    return {"items": roles, "next": None, "count": len(roles)}


__all__ = ["RoleOut", "StoreOut", "TokenAuth", "router"]
