"""Request context (id, client IP) for audit events, and domain errors rendered as pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from storeops.core import context
from storeops.core.errors import DomainError

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        token = context.begin(
            request_id=incoming if _REQUEST_ID.match(incoming) else None,
            ip=request.META.get("REMOTE_ADDR") or None,
        )
        try:
            response = self.get_response(request)
            ctx = context.current()
            if ctx is not None:
                response["X-Request-ID"] = ctx.request_id
            return response
        finally:
            context.end(token)


class DomainErrorMiddleware:
    """A DomainError raised under a page becomes an error page with its status (403, 404, 409 …)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_dict(), status=exception.status)
        return render(request, "web/error.html", {"error": exception}, status=exception.status)
