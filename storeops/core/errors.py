"""Domain errors: raised by services and selectors, rendered as the API error shape or an HTML page."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a user can understand: a stable code, a message in their language, details."""

    status = 400
    default_code = "error"

    def __init__(self, code: str | None = None, message: str = "", details: Any = None) -> None:
        self.code = code or self.default_code
        self.message = str(message) or self.code
        self.details = details
        super().__init__(self.message)


class MissingHeader(DomainError):
    status = 400
    default_code = "header.missing"


class Unauthorized(DomainError):
    status = 401
    default_code = "auth.required"


class Forbidden(DomainError):
    status = 403
    default_code = "permission.denied"


class NotFound(DomainError):
    """Also what a user gets for an object in a store they do not work in: it does not exist for them."""

    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    default_code = "state.conflict"


class Invalid(DomainError):
    status = 422
    default_code = "invalid"


class UnsupportedMediaType(DomainError):
    status = 415
    default_code = "request.media_type"


class RateLimited(DomainError):
    status = 429
    default_code = "auth.locked_out"
