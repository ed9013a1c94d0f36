"""API shapes for my notifications and alerts."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from storeops.core.api import PAGE_MAX


class NotificationOut(Schema):
    id: int
    kind: str
    severity: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class ReadAllOut(Schema):
    updated: int


class AlertOut(Schema):
    id: int
    kind: str
    severity: str
    title: str
    body: str
    url: str
    store_id: int | None
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    open: bool


class AlertPage(Schema):
    items: list[AlertOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None
