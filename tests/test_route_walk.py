"""Every page and API operation declares who may reach it (@public, @authenticated, @requires).

The walk goes through every Django URL pattern and every django-ninja operation; one without an
access marker fails the suite, so a new view cannot ship open by forgetting a decorator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from ninja import Router
from ninja.constants import NOT_SET

from storeops.api.api import api
from storeops.core.access import access_of, authenticated, public, requires

View = Callable[..., Any]


def django_views(patterns: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, View]]:
    """(route, view) for every Django URL pattern, except ninja's own (walked separately)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == api.urls_namespace:
                continue
            yield from django_views(pattern.url_patterns, route)
        else:
            yield route, pattern.callback


def ninja_operations(routers: Iterable[tuple[str, Router]]) -> Iterator[tuple[str, Any]]:
    """(\"METHOD /path\", operation) for every operation of every router."""
    for prefix, router in routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                methods = ",".join(operation.methods)
                # a path converter ({orderid:order_id}) is listed as {order_id} in OpenAPI
                path = re.sub(r"\{\w+:(\w+)\}", r"{\1}", route)
                yield f"{methods} {prefix.rstrip('/')}{path}", operation


def unmarked(views: Iterable[tuple[str, View]]) -> list[str]:
    return [route for route, view in views if access_of(view) is None]


def _project_views() -> list[tuple[str, View]]:
    return list(django_views(get_resolver().url_patterns))


def _project_operations() -> list[tuple[str, Any]]:
    get_resolver().url_patterns  # noqa: B018 -- loading the URLconf binds each operation's auth
    return list(ninja_operations(api._routers))


# --- the walk itself -----------------------------------------------------------------------------
def test_every_page_has_an_access_marker():
    views = _project_views()
    assert len(views) >= 19  # the walk found the project's pages (web, accounts, audit)
    assert unmarked(views) == []


def test_every_api_operation_has_an_access_marker():
    operations = _project_operations()
    routes = [route for route, _op in operations]
    assert "POST /auth/token" in routes
    assert "GET /audit/events" in routes
    assert unmarked((route, op.view_func) for route, op in operations) == []


def test_public_operations_and_only_they_skip_authentication():
    # an operation marked public must not demand a token, and every other one must
    def effective_auth(router: Router, op: Any) -> Any:
        for auth in (op.auth_param, router.auth, api.auth):
            if auth is not NOT_SET:
                return auth
        return None

    get_resolver().url_patterns  # noqa: B018
    kinds = {}
    for prefix, router in api._routers:
        for route, op in ninja_operations([(prefix, router)]):
            kinds[route] = (access_of(op.view_func).kind, effective_auth(router, op) is None)
    assert kinds
    assert {route: (kind, kind == "public") for route, (kind, _none) in kinds.items()} == kinds


def test_the_skipped_include_holds_only_ninjas_own_views():
    (api_include,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == api.urls_namespace
    ]
    assert str(api_include.pattern) == "api/v1/"
    modules = set()
    for pattern in api_include.url_patterns:
        assert isinstance(pattern, URLPattern)
        callback = getattr(pattern.callback, "func", pattern.callback)  # openapi views: partial
        modules.add(callback.__module__.split(".")[0])
    assert modules == {"ninja"}


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_openapi_and_docs_are_public(url, client, db):
    response = client.get(url)
    assert response.status_code == 200


def test_openapi_document_lists_every_operation(client, db):
    document = client.get("/api/v1/openapi.json").json()
    listed = {
        f"{method.upper()} {route}" for route, item in document["paths"].items() for method in item
    }
    expected = set()
    for route, _op in _project_operations():
        method, _sep, op_path = route.partition(" ")
        expected.add(f"{method} /api/v1{op_path}")
    assert listed == expected


# --- the walk can fail ---------------------------------------------------------------------------
def _unmarked_view(request):
    return HttpResponse("open")


def _another_unmarked_view(request):
    return HttpResponse("open")


@public
def _public_view(request):
    return HttpResponse("ok")


@authenticated
def _member_view(request):
    return HttpResponse("ok")


@requires("audit.view_event")
def _auditor_view(request):
    return HttpResponse("ok")


def test_walk_reports_an_unmarked_page():
    patterns = [
        path("open/", _unmarked_view),
        path("public/", _public_view),
        path("member/", _member_view),
        path("auditor/", _auditor_view),
        path("nested/", include([path("deep/", _another_unmarked_view)])),
    ]
    assert unmarked(django_views(patterns)) == ["open/", "nested/deep/"]


def test_walk_reports_an_unmarked_api_operation():
    router = Router()
    router.get("/open")(_unmarked_view)
    router.get("/public", auth=None)(_public_view)
    router.post("/auditor")(_auditor_view)
    operations = list(ninja_operations([("/t", router)]))
    assert [route for route, _op in operations] == [
        "GET /t/open",
        "GET /t/public",
        "POST /t/auditor",
    ]
    assert unmarked((route, op.view_func) for route, op in operations) == ["GET /t/open"]


def test_access_of_follows_wrappers():
    assert access_of(_unmarked_view) is None
    assert access_of(_public_view).kind == "public"
    assert access_of(_member_view).kind == "authenticated"
    assert access_of(_auditor_view).kind == "permission"
    assert access_of(_auditor_view).permissions == ("audit.view_event",)
    from django.views.decorators.http import require_POST

    assert access_of(require_POST(_member_view)).kind == "authenticated"


# --- what the markers mean for a visitor -----------------------------------------------------------
def _plain_routes() -> list[tuple[str, View]]:
    return [(route, view) for route, view in _project_views() if "<" not in route]


def test_every_non_public_page_sends_a_visitor_to_login(client, db):
    checked = {}
    for route, view in _plain_routes():
        if access_of(view).kind == "public":
            continue
        url = "/" + route
        response = client.get(url)
        checked[url] = (response.status_code, response.get("Location"))
    assert checked
    assert checked == {url: (302, f"/login/?next={url}") for url in checked}
