"""API plumbing shared by every app's router: the error shape, bounded keyset pagination."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from storeops.core.errors import DomainError, Invalid

logger = logging.getLogger(__name__)

PAGE_DEFAULT = 50
PAGE_MAX = 200
MAX_ID = 2**53  # ids are bounded well below SQLite's and PostgreSQL's bigint limits


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without \\u escapes: Chinese stays readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message), "details": details}}
    return api.create_response(request, body, status=status)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        field = ".".join(p for p in loc if p not in {"body", "query", "path", "header", "payload"})
        details.append(
            {"field": field or None, "message": err.get("msg", ""), "type": err.get("type")}
        )
    return details


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error, ours or the framework's, answers {"error": {"code","message","details"}}."""

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api, request, 422, "invalid", "输入有误", _validation_details(list(exc.errors))
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "auth.required", "需要有效的 API 令牌")

    @api.exception_handler(AuthorizationError)
    def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(api, request, 403, "permission.denied", "你没有执行此操作的权限")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "对象不存在")

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(BadRequest)
    @api.exception_handler(SuspiciousOperation)
    def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A malformed body (e.g. multipart without a boundary) is the client's error, as in Django.
        return error_response(api, request, 400, "bad_request", "请求格式有误")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "auth.required",
            403: "permission.denied",
            404: "not_found",
            405: "method_not_allowed",
            409: "state.conflict",
        }
        return error_response(
            api, request, exc.status_code, code.get(exc.status_code, "error"), str(exc)
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s", request.path)
        return error_response(api, request, 500, "server_error", "服务器内部错误")


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise Invalid("pagination.cursor_invalid", "分页游标无效", {"field": "cursor"}) from exc
    if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key <= MAX_ID:
        raise Invalid("pagination.cursor_invalid", "分页游标无效", {"field": "cursor"})
    return key


def keyset_page(
    queryset: QuerySet[Any], *, cursor: str | None, limit: int, newest_first: bool = True
) -> tuple[list[Any], str | None]:
    """One page by primary key (stable under inserts), and the cursor of the next one."""
    limit = max(1, min(limit, PAGE_MAX))
    if cursor:
        key = decode_cursor(cursor)
        queryset = queryset.filter(pk__lt=key) if newest_first else queryset.filter(pk__gt=key)
    queryset = queryset.order_by("-pk" if newest_first else "pk")
    rows = list(queryset[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
