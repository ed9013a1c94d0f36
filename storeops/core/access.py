"""Every page and API operation declares who may reach it: @public, @authenticated or @requires(...).

The route walk in tests/architecture fails for any view or operation without one of these.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login

from storeops.core.errors import Unauthorized
from storeops.core.permissions import require


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "authenticated" | "permission"
    permissions: tuple[str, ...] = ()


ACCESS_ATTR = "storeops_access"


def access_of(view: Callable[..., Any]) -> Access | None:
    seen = view
    while seen is not None:
        access = getattr(seen, ACCESS_ATTR, None)
        if access is not None:
            return access
        seen = getattr(seen, "__wrapped__", None)
    return None


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, ACCESS_ATTR, Access("public"))
    return view


def _guard(access: Access) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                if _is_api(request):
                    raise Unauthorized(message="需要登录或有效的 API 令牌")
                return redirect_to_login(request.get_full_path())
            for perm in access.permissions:
                require(user, perm)
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, access)
        return wrapper

    return decorate


def authenticated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any signed-in user: their own workbench, settings, the stores they work in."""
    return _guard(Access("authenticated"))(view)


def requires(*perms: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The coarse check at the door; services re-check per store with `require(..., store=)`."""
    if not perms:
        raise ValueError("requires() needs at least one permission")
    return _guard(Access("permission", tuple(str(p) for p in perms)))
