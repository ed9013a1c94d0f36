"""Reading users, roles, stores and tokens, always within what the actor may see."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
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


# --- bearer tokens: a short-lived per-process cache -----------------------------------------------
@dataclass
class TokenGrant:
    """What one bearer token stands for: its user's row and access, as read from the database."""

    token_id: int
    user_id: int
    last_used_at: dt.datetime | None  # moved forward by services.token_touch
    user_values: tuple[Any, ...]
    # read with the grant when it is cached; None: the user object reads them when asked
    codes: frozenset[str] | None
    role_codes: frozenset[str] | None
    store_ids: frozenset[int] | None
    expires: float  # _clock()


_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_GRANTS: dict[str, TokenGrant] = {}
_GRANTS_LOCK = threading.Lock()
_GRANTS_MAX = 10_000
_clock = time.monotonic
_generation = 0  # moved on every invalidation: a lookup that began before one stores nothing


def token_cache_forget(*, user_id: int | None = None) -> None:
    """Drop cached grants (one user's, or all) and keep any lookup already running from storing
    what it read before the change. Writers call it at once and again after commit (signals)."""
    global _generation
    with _GRANTS_LOCK:
        _generation += 1
        if user_id is None:
            _GRANTS.clear()
        else:
            for digest in [d for d, g in _GRANTS.items() if g.user_id == user_id]:
                del _GRANTS[digest]


def token_cache_changed(*, user_id: int | None = None) -> None:
    """A token, user, role, store or permission row changed: forget now, and again once the
    change is committed (a lookup in another thread between the two read the old rows)."""
    token_cache_forget(user_id=user_id)
    transaction.on_commit(lambda: token_cache_forget(user_id=user_id))


def _grant_read(digest: str, ttl: float) -> TokenGrant | None:
    """One indexed query for the token and its (active) user, then the user's access."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    cached = ttl > 0
    return TokenGrant(
        token_id=token.pk,
        user_id=user.pk,
        last_used_at=token.last_used_at,
        user_values=tuple(getattr(user, name) for name in _USER_FIELDS),
        codes=user.permission_codes() if cached else None,
        role_codes=user.role_codes() if cached else None,
        store_ids=user.store_ids() if cached else None,
        expires=_clock() + ttl,
    )


def token_grant(raw: str) -> TokenGrant | None:
    """The grant behind a bearer token, or None (unknown, revoked, or its user deactivated).

    Cached per process for `AUTH_TOKEN_CACHE_SECONDS`: a revoked token, a deactivated user or a
    changed role, store or permission takes effect at once in the process that made the change
    (signals drop the entries) and within those seconds in every other one."""
    if not raw or len(raw) > 200:
        return None
    digest = token_digest(raw)
    grant = _GRANTS.get(digest)
    if grant is not None and grant.expires > _clock():
        return grant
    ttl = float(getattr(settings, "AUTH_TOKEN_CACHE_SECONDS", 0))
    generation = _generation
    grant = _grant_read(digest, ttl)
    if grant is not None and ttl > 0:
        with _GRANTS_LOCK:
            if generation == _generation:
                if len(_GRANTS) >= _GRANTS_MAX:
                    _GRANTS.clear()
                _GRANTS[digest] = grant
    return grant


def user_for_grant(grant: TokenGrant) -> User:
    """A fresh User object for this request (never shared between threads), access preloaded."""
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, grant.user_values)
    if grant.codes is not None:
        user._storeops_codes = grant.codes
    if grant.role_codes is not None:
        user._storeops_roles = grant.role_codes
    if grant.store_ids is not None:
        user._storeops_store_ids = grant.store_ids
    return user


def user_for_token(raw: str) -> tuple[User, TokenGrant] | None:
    """The active user behind a bearer token, or None. No password hashing; cached briefly."""
    grant = token_grant(raw)
    if grant is None:
        return None
    return user_for_grant(grant), grant


def token_list(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-id")


def token_get_for_change(*, actor: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound("token.not_found", "令牌不存在")
    return token
