"""Request context (id, client IP) for audit events, NUL characters refused at the door, domain
errors rendered as pages, and the short way through for API requests with a bearer token."""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from storeops.core import context
from storeops.core.errors import DomainError, Invalid

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our own proxies (STOREOPS_TRUSTED_PROXIES)
    the right-most X-Forwarded-For entry that is not one of them (the left ones are the client's
    own claim and can be forged)."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXIES
    if remote is None or remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        token = context.begin(
            request_id=incoming if _REQUEST_ID.match(incoming) else None,
            ip=client_ip(request),
        )
        try:
            response = self.get_response(request)
            ctx = context.current()
            if ctx is not None:
                response["X-Request-ID"] = ctx.request_id
            return response
        finally:
            context.end(token)


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) holding a NUL character, if any."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(item, here)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _nul_field(request: HttpRequest) -> str | None:
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        for key, values in QueryDict(query).lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "query"
        return "query"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        try:
            fields = request.POST
        except MultiPartParserError:
            return None  # a broken body: the view answers for it
        for key, values in fields.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "body"
        return None
    body = request.body
    if content_type == "application/json" or content_type.endswith("+json"):
        if b"\\u0000" not in body and b"\x00" not in body:
            return None
        try:
            return _nul_path(json.loads(body))
        except ValueError:
            return None  # not JSON: the view reports that
    if b"%00" in body or b"\x00" in body:
        for key, values in QueryDict(body).lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "body"
    return None


def _nul_refusal(request: HttpRequest, field: str) -> HttpResponse:
    error = Invalid("request.nul_character", _("输入中含有不允许的空字符（NUL）"), {"field": field})
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message, "details": error.details}},
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "web/error.html", {"error": error}, status=error.status)


class NulInputMiddleware:
    """No text field anywhere may hold a NUL character: PostgreSQL cannot store one and no user
    types one. Refused here, once, for every page and API operation, with the field named —
    instead of a check in every service or a database error. Uploaded files are not text and
    pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        return _nul_refusal(request, field)


@functools.lru_cache(maxsize=2048)
def _api_operation(urlconf: str, path: str) -> ResolverMatch | None:
    """The API operation a path resolves to (None: not one), remembered per path: resolving
    walks every API route's pattern, and a client calls the same few paths again and again."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match if "api" in match.namespaces else None


class ApiTokenMiddleware:
    """An API request with a bearer token goes from here straight to its API operation.

    Such a request is authenticated by its token alone (the API's TokenAuth), so the rest of the
    chain has nothing for it: no session or CSRF cookie (ninja exempts its operations from CSRF
    and checks it itself for session auth), no page login or two-factor redirect, no messages,
    no htmx, no page lockout (the token endpoint raises its own 429), no error page (the API
    renders its own errors). Skipping them is a third of the API's own cost on the hot paths
    (stock reservations). What it still gets: everything above this middleware (security
    headers, the request context for audit events), the NUL refusal, and the headers the skipped
    middleware would have added — X-Frame-Options, the Content-Security-Policy, Content-Length
    and the Content-Language of the default language (the page language of a token request
    was always the default: the user is known only once the operation runs).
    A path that is not an API operation (404, redirect to a slash) takes the full chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from csp.utils import build_policy

        self.get_response = get_response
        self.csp = build_policy()
        self.frame_options = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        self.language = settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (
            request.path_info.startswith("/api/")
            and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        ):
            return self.get_response(request)
        match = _api_operation(settings.ROOT_URLCONF, request.path_info)
        if match is None:
            return self.get_response(request)
        field = _nul_field(request)
        if field is not None:
            return self._headers(_nul_refusal(request, field))
        request.resolver_match = match
        request.user = AnonymousUser()
        request.LANGUAGE_CODE = self.language
        translation.activate(self.language)
        try:
            response = match.func(request, *match.args, **match.kwargs)
        finally:
            translation.deactivate()
        return self._headers(response)

    def _headers(self, response: HttpResponse) -> HttpResponse:
        headers = response.headers
        if not response.streaming and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(response.content))
        headers.setdefault("Content-Language", self.language)
        headers.setdefault("X-Frame-Options", self.frame_options)
        if self.csp:
            headers.setdefault("Content-Security-Policy", self.csp)
        return response


class DomainErrorMiddleware:
    """A DomainError raised under a page becomes an error page with its status (403, 404, 409 …).

    API operations never get here: the API's own handlers (core.api) render the JSON error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return render(request, "web/error.html", {"error": exception}, status=exception.status)
