"""Who and where a write comes from: request id and client IP, carried through contextvars."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "storeops_request_context", default=None
)


def current() -> RequestContext | None:
    return _current.get()


def begin(*, request_id: str | None = None, ip: str | None = None) -> contextvars.Token:
    return _current.set(RequestContext(request_id=request_id or uuid.uuid4().hex, ip=ip))


def end(token: contextvars.Token) -> None:
    _current.reset(token)
