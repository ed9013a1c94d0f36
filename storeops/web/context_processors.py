from typing import Any

from django.http import HttpRequest

from storeops.notifications.selectors import unread_count
from storeops.web.navigation import request_modules


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The sidebar's modules, only worked out when a template shows them (not for JSON)."""
    return {"nav_modules": lambda: request_modules(request)}


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread badge: one COUNT, only when a page shows it, at most once a request."""
    cache: dict[str, int] = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = unread_count(actor=getattr(request, "user", None))
        return cache["n"]

    return {"unread_notifications": count}
