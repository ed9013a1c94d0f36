"""API shapes of release drafts, intake items and publications (the draft API is kept stable)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from storeops.core.api import MAX_ID, PAGE_MAX

KindLiteral = Literal[
    "listing", "shop_sign", "store_page", "promotion_zone", "custom_module", "blog"
]
PriorityLiteral = Literal["general", "important"]


class FindingOut(Schema):
    rule: str
    severity: str
    text: str
    start: int
    end: int
    message: str = ""
    field: str = "body"


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    author: str
    created_at: dt.datetime
    content_hash: str
    findings: list[FindingOut]


class DraftIn(Schema):
    store: str = Field(..., min_length=1, max_length=32, description="店铺编码")
    kind: KindLiteral
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=20000)
    priority: PriorityLiteral = "general"
    target: int | None = Field(None, ge=1, le=MAX_ID, description="所改对象的编号；新页面为 null")
    intake: int | None = Field(None, ge=1, le=MAX_ID, description="来自哪条信息提报")
    price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="商品详情稿件的新售价（可选）"
    )


class DraftUpdateIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=20000)
    priority: PriorityLiteral | None = None
    price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="省略则不变，null 清除"
    )


class ApproveIn(Schema):
    comment: str = Field("", max_length=2000)
    override_reason: str | None = Field(None, max_length=2000, description="有拦截项时必填")


class RejectIn(Schema):
    comment: str = Field(..., max_length=2000, description="驳回意见（必填）")


class PublicationOut(Schema):
    id: int
    draft: int
    revision: int
    store: str
    kind: str
    target: int | None
    published_by: str
    published_at: dt.datetime
    sla_deadline: dt.datetime
    lead_time_seconds: int
    is_sla_met: bool
    is_live: bool
    superseded_by: int | None


class DraftOut(Schema):
    id: int
    store: str
    kind: str
    target: int | None
    title: str
    body: str
    priority: str
    status: str
    status_label: str
    owner: str
    intake: int | None
    revision: int
    approved_revision: int | None
    sla_started_at: dt.datetime
    sla_deadline: dt.datetime
    sla_hours: int
    compliance: list[FindingOut]
    price: Decimal | None = None
    override_reason: str
    publication: PublicationOut | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftPage(Schema):
    items: list[DraftOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class RevisionPage(Schema):
    items: list[RevisionOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class IntakeIn(Schema):
    source: Literal["commerce", "marketing_group", "operations", "other"]
    classification: Literal[
        "new_product",
        "technology",
        "product_name",
        "price",
        "customer_service",
        "description_accuracy",
        "other",
    ]
    title: str = Field(..., min_length=1, max_length=200)
    content: str = Field(..., min_length=1, max_length=20000)
    store: str | None = Field(None, min_length=1, max_length=32)
    listing: int | None = Field(None, ge=1, le=MAX_ID)


class IntakeOut(Schema):
    id: int
    store: str | None
    source: str
    classification: str
    title: str
    content: str
    listing: int | None
    status: str
    submitted_by: str
    submitted_at: dt.datetime


class IntakePage(Schema):
    items: list[IntakeOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class PublicationPage(Schema):
    items: list[PublicationOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class FlagIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="线上描述哪里不准确")


class FlagOut(Schema):
    id: int
    publication: int
    reason: str
    flagged_by: str
    flagged_at: dt.datetime
    correction_draft: int
    owner: str
    priority: str
    sla_deadline: dt.datetime


class DriftIn(Schema):
    publication: int = Field(..., ge=1, le=MAX_ID, description="在线的发布记录编号")
    title: str | None = Field(None, max_length=200, description="线上标题")
    body: str | None = Field(None, max_length=20000, description="线上正文")
    price: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="线上售价"
    )


class DifferenceOut(Schema):
    field: str
    label: str
    approved: str
    live: str
    diff: list[str] = []


class DriftOut(Schema):
    publication: int
    drift: bool
    differences: list[DifferenceOut]
    finding: int | None
    resolved: int


class RowErrorOut(Schema):
    line: int
    field: str
    message: str


class DriftRowOut(Schema):
    line: int
    publication: int
    finding: int | None
    fields: list[str]


class DriftImportOut(Schema):
    created: int
    updated: int = Field(..., description="与审批版本不一致的行数")
    unchanged: int = Field(..., description="一致的行数")
    rejected: int
    errors: list[RowErrorOut]
    applied: bool
    findings: list[DriftRowOut]
