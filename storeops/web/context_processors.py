from typing import Any

from django.http import HttpRequest

from storeops.web.navigation import visible_modules


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"nav_modules": (lambda: visible_modules(user))}
