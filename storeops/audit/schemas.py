from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    store_id: int | None
    before: Any = None
    after: Any = None
    ip: str | None
    request_id: str
    sealed: bool


class AuditEventPage(Schema):
    items: list[AuditEventOut]
    next: str | None = None
