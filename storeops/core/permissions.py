"""Permission codenames: each app declares a TextChoices enum and registers it with its defaults.

The role → permission matrix itself is data (accounts.Role); the defaults here only seed a role the
first time a codename appears, so an administrator's later edits are never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.db import models
from django.utils.translation import gettext

from storeops.core.errors import Forbidden, NotFound, Unauthorized
from storeops.core.roles import RoleCode


@dataclass(frozen=True)
class PermissionSpec:
    codename: str
    label: Any
    app_label: str
    default_roles: frozenset[str]


_REGISTRY: dict[str, PermissionSpec] = {}


def register_permissions(
    enum: type[models.TextChoices], defaults: Mapping[Any, Iterable[RoleCode]]
) -> None:
    """Called from an app's AppConfig.ready(); every member must say which roles get it by default."""
    for member in enum:
        codename = str(member.value)
        app_label, _, verb = codename.partition(".")
        if not verb:
            raise ValueError(f"permission {codename!r} must be '<app>.<verb>'")
        roles = frozenset(str(r) for r in defaults.get(member, ())) | {RoleCode.ADMIN.value}
        _REGISTRY[codename] = PermissionSpec(codename, member.label, app_label, roles)


def all_permissions() -> list[PermissionSpec]:
    return sorted(_REGISTRY.values(), key=lambda spec: spec.codename)


def is_registered(codename: str) -> bool:
    return codename in _REGISTRY


@runtime_checkable
class Actor(Protocol):
    """What core needs of a user; accounts.User provides it (core never imports accounts)."""

    is_authenticated: bool
    is_active: bool

    def permission_codes(self) -> frozenset[str]: ...

    def works_in(self, store: Any) -> bool: ...


def has_perm(actor: Any, perm: str, *, store: Any = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if str(perm) not in actor.permission_codes():
        return False
    return store is None or actor.works_in(store)


def require(actor: Any, perm: str, *, store: Any = None) -> None:
    """Refuse unless the actor holds `perm` (in `store`, when given).

    A store the actor does not work in answers 404, not 403: its data does not exist for them.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Unauthorized(message=gettext("请先登录"))
    if store is not None and not actor.works_in(store):
        raise NotFound(message=gettext("对象不存在"))
    if str(perm) not in actor.permission_codes():
        raise Forbidden(
            message=gettext("你没有执行此操作的权限"), details={"permission": str(perm)}
        )
