from typing import Any

from django.http import HttpRequest

from storeops.web.navigation import request_modules


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The sidebar's modules, only worked out when a template shows them (not for JSON)."""
    return {"nav_modules": lambda: request_modules(request)}
