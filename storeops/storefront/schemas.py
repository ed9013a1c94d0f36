"""API shapes of store pages and redesign proposals."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from storeops.core.api import MAX_ID

PageKindLiteral = Literal["shop_sign", "store_page", "promotion_zone", "custom_module", "blog"]
ModuleTypeLiteral = Literal["brand", "promotion"]
ProposalStatusLiteral = Literal[
    "discussing", "submitted", "approved", "rejected", "done", "withdrawn"
]


class LiveOut(Schema):
    publication: int
    draft: int
    title: str
    body: str
    published_at: dt.datetime


class PageIn(Schema):
    store: str = Field(..., min_length=1, max_length=32, description="店铺编码")
    kind: PageKindLiteral
    name: str = Field("", max_length=100, description="类目页可留空（用类目名）")
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="上级子页面")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="本店商品类目（类目页）")
    module_type: ModuleTypeLiteral | None = Field(None, description="自定义模块：品牌页或促销页")
    based_on: int | None = Field(None, ge=1, le=MAX_ID, description="分店页面对应的主店页面")


class PageOut(Schema):
    id: int
    store: str
    kind: str
    name: str
    parent: int | None
    category: int | None
    module_type: str
    based_on: int | None
    is_archived: bool
    live: LiveOut | None
    created_at: dt.datetime


class PagePage(Schema):
    items: list[PageOut]
    next: str | None


class ProposalIn(Schema):
    page: int = Field(..., ge=1, le=MAX_ID, description="目标页面")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: dt.datetime


class ImageOut(Schema):
    id: int
    kind: str
    url: str
    width: int
    height: int
    sha256: str


class ApproveIn(Schema):
    owner: int = Field(..., ge=1, le=MAX_ID, description="执行人（用户编号）")
    due_date: dt.date = Field(..., description="完成日期（当天 18:00 截止）")
    comment: str = Field("", max_length=2000)


class RejectIn(Schema):
    comment: str = Field(..., max_length=2000, description="驳回意见（必填）")


class CompleteIn(Schema):
    note: str = Field("", max_length=500)


class ProposalOut(Schema):
    id: int
    store: str
    page: int
    title: str
    description: str
    status: str
    status_label: str
    proposer: str
    owner: str | None
    due_at: dt.datetime | None
    obligation: int | None
    before_publication: int | None
    after_publication: int | None
    images: list[ImageOut]
    comments: list[CommentOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class ProposalPage(Schema):
    items: list[ProposalOut]
    next: str | None
