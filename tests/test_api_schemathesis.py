"""Schemathesis smoke run over the OpenAPI document, in-process against the WSGI app.

Every operation gets a handful of generated requests (valid and invalid input, plus schemathesis'
boundary "coverage" cases), once as the demo `admin` (so the authenticated operations run their
real code) and once without credentials. No request may answer 500, and every answer must match
the document: a declared status, JSON, the declared body.

A plain walk of the same document checks the API's promise that bad input never reaches the
database: every integer input is bounded, every list is paginated with a bounded `limit` or
declares a bounded `maxItems`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from storeops.accounts.services import token_create
from storeops.api.api import api
from storeops.core.api import MAX_ID, PAGE_MAX

OPENAPI_PATH = "/api/v1/openapi.json"
# Built from the same object the endpoint serves, without a request: collection must not need the
# database. test_openapi_document_is_served checks that the endpoint serves exactly this.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = application  # what from_wsgi() sets: every request, probes included, goes in-process
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=10,
    deterministic=True,
)

# Not negative_data_rejection: pydantic's lax mode accepts some "wrong" inputs on purpose (a query
# `date_to=0` is the epoch date), which answers 200 rather than 422 without any harm. Invalid
# input still runs (negative mode) and must not answer 500 nor an undeclared status.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SMOKE = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_process_requests():
    """Keep the test's connection across requests, as Django's test Client does.

    Schemathesis calls the WSGI app directly, so Django's request_started/finished signals would
    run close_old_connections: on PostgreSQL that closes the connection holding the test's
    transaction (SQLite's in-memory test database never closes, which hid it).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_bearer(demo, in_process_requests):
    """A fresh token of the demo `admin` for each request.

    Generated input may revoke a token (POST /auth/tokens/{id}/revoke with a small id), so each
    case brings its own: one revoked in an earlier example never turns later ones into 401s.
    """

    def make() -> dict[str, str]:
        _token, raw = token_create(user=demo["admin"], name="schemathesis")
        return {"Authorization": f"Bearer {raw}"}

    return make


@schema.parametrize()
@SMOKE
def test_api_as_admin(case, admin_bearer):
    case.call_and_validate(app=application, headers=admin_bearer(), checks=CHECKS)


@schema.parametrize()
@SMOKE
def test_api_without_auth(case, db, in_process_requests):
    case.call_and_validate(app=application, checks=CHECKS)


# --- the document itself -------------------------------------------------------------------------
@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get(OPENAPI_PATH)
    assert response.status_code == 200
    served = response.json()
    assert served["paths"] == _document()["paths"]
    assert served["components"] == _document()["components"]


def _document() -> dict[str, Any]:
    """The document as JSON has it (ninja's dict keys some responses by int status)."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _walk(doc: dict[str, Any], node: Any, where: str, seen: frozenset[str] = frozenset()):
    """Yield (where, schema) for every sub-schema of `node`, following $refs once per branch."""
    if isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {node["$ref"]}
        node = _resolve(doc, node)
    if not isinstance(node, dict):
        return
    yield where, node
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, sub in enumerate(node.get(key, [])):
            yield from _walk(doc, sub, f"{where}/{key}[{i}]", seen)
    for name, sub in node.get("properties", {}).items():
        yield from _walk(doc, sub, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield from _walk(doc, node[key], f"{where}/{key}", seen)


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                yield f"{method.upper()} {path}", operation


def _inputs(doc: dict[str, Any], operation: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for param in operation.get("parameters", []):
        param = _resolve(doc, param)
        yield f"{param['in']}:{param['name']}", param.get("schema", {})
    body = _resolve(doc, operation.get("requestBody", {}))
    for media, content in body.get("content", {}).items():
        yield f"body({media})", content.get("schema", {})


def _is_integer(schema_node: dict[str, Any]) -> bool:
    kind = schema_node.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def test_every_integer_input_is_bounded():
    doc = _document()
    unbounded = []
    for label, operation in _operations(doc):
        for name, root in _inputs(doc, operation):
            for where, node in _walk(doc, root, name):
                if not _is_integer(node):
                    continue
                low = node.get("minimum", node.get("exclusiveMinimum"))
                high = node.get("maximum", node.get("exclusiveMaximum"))
                if low is None or high is None or low < -MAX_ID or high > MAX_ID:
                    unbounded.append(f"{label} {where}: minimum={low} maximum={high}")
    assert unbounded == [], "unbounded integer inputs:\n" + "\n".join(unbounded)


def _list_items(doc: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """The `items` array of a list answer ({"items": [...], "next": ...}), or None."""
    ok = operation.get("responses", {}).get("200") or operation.get("responses", {}).get("201")
    if not ok:
        return None
    body = _resolve(doc, ok.get("content", {}).get("application/json", {}).get("schema", {}))
    if not isinstance(body, dict):
        return None
    if body.get("type") == "array":
        return body
    items = _resolve(doc, body.get("properties", {}).get("items"))
    if isinstance(items, dict) and items.get("type") == "array":
        return items
    return None


def test_every_list_is_bounded():
    doc = _document()
    lists = 0
    unbounded = []
    for label, operation in _operations(doc):
        items = _list_items(doc, operation)
        if items is None:
            continue
        lists += 1
        limit = next(
            (
                _resolve(doc, p).get("schema", {})
                for p in operation.get("parameters", [])
                if _resolve(doc, p).get("name") == "limit" and _resolve(doc, p).get("in") == "query"
            ),
            None,
        )
        if limit is not None:
            if not (limit.get("minimum", 0) >= 1 and limit.get("maximum", MAX_ID) <= PAGE_MAX):
                unbounded.append(f"{label}: limit {limit}")
        elif items.get("maxItems", MAX_ID) > PAGE_MAX:
            unbounded.append(f"{label}: no `limit` parameter and no maxItems <= {PAGE_MAX}")
    assert lists >= 4  # tokens, stores, roles, audit events at least
    assert unbounded == [], "unbounded lists:\n" + "\n".join(unbounded)


# --- what the smoke run found --------------------------------------------------------------------
def test_token_endpoint_takes_json_only(api_as, admin):
    """A form body without a boundary once answered 500 (django-axes failed to read it), and the
    failed attempt went uncounted: 500 for a wrong password, 200 for the right one, no lockout.
    Now anything but JSON is refused before the password is checked."""
    from storeops.accounts.models import ApiToken
    from tests.conftest import PASSWORD

    client = api_as(None).client
    before = ApiToken.objects.count()
    for password in ("wrong-password", PASSWORD):
        response = client.post(
            "/api/v1/auth/token",
            data=json.dumps({"username": "admin", "password": password}),
            content_type="multipart/form-data",
        )
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "request.media_type"
    assert ApiToken.objects.count() == before
