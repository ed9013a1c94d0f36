"""API schemas of the compliance app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from storeops.compliance.selectors import MAX_SCAN_LENGTH
from storeops.core.api import PAGE_MAX


class ScanIn(Schema):
    text: str = Field(..., max_length=MAX_SCAN_LENGTH, description="要检查的文案")
    listing_price: Decimal | None = Field(
        None,
        ge=0,
        le=Decimal("999999999.99"),
        max_digits=11,
        decimal_places=2,
        description="商品售价（元），用于核对文案中的价格声明",
    )


class FindingOut(Schema):
    rule: str
    severity: str
    text: str
    start: int
    end: int
    message: str


class ScanOut(Schema):
    findings: list[FindingOut]
    blocking: bool


class TermIn(Schema):
    term: str = Field(..., max_length=50)
    category: str = Field(..., max_length=32)
    severity: str = Field("", max_length=8, description="block / warn；留空按规则默认")
    note: str = Field("", max_length=200)


class TermOut(Schema):
    id: int
    term: str
    category: str
    category_label: str
    severity: str
    is_active: bool
    note: str
    updated_at: dt.datetime


class TermPage(Schema):
    items: list[TermOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None
