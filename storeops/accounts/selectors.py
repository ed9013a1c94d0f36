"""Reading users, roles, stores and tokens, always within what the actor may see."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Prefetch, QuerySet

from storeops.accounts.models import ApiToken, Role, RolePermission, Store, User
from storeops.accounts.permissions import AccountPerm
from storeops.core.errors import NotFound
from storeops.core.permissions import require


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def store_list(*, actor: Any) -> QuerySet[Store]:
    """The stores the actor works in (every store for a superuser)."""
    if actor is None or not actor.is_authenticated:
        return Store.objects.none()
    return Store.objects.filter(id__in=actor.store_ids()).order_by("code")


def store_get(*, actor: Any, code: str) -> Store:
    store = store_list(actor=actor).filter(code=code).first()
    if store is None:
        raise NotFound("store.not_found", "店铺不存在", {"store": code})
    return store


def store_list_all(*, actor: Any) -> QuerySet[Store]:
    require(actor, AccountPerm.MANAGE_STORE)
    return Store.objects.order_by("code")


def role_list(*, actor: Any) -> QuerySet[Role]:
    require(actor, AccountPerm.VIEW_ROLE)
    return Role.objects.prefetch_related(
        Prefetch("grants", queryset=RolePermission.objects.order_by("codename"))
    ).order_by("id")


def user_list(*, actor: Any) -> QuerySet[User]:
    require(actor, AccountPerm.VIEW_USER)
    return User.objects.prefetch_related("roles", "stores").order_by("username")


def user_get_for_change(*, actor: Any, user_id: int) -> User:
    require(actor, AccountPerm.MANAGE_USER)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("user.not_found", "用户不存在")
    return user


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None. One indexed lookup, no password hashing."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user, token


def token_list(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-id")


def token_get_for_change(*, actor: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound("token.not_found", "令牌不存在")
    return token
