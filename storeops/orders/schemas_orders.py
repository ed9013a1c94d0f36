"""API shapes of orders, their handling (审单, 改价, remarks, shipping) and reviews (评价)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from storeops.core.api import MAX_ID

OrderId = Annotated[int, Field(ge=1, le=MAX_ID)]
LineNo = Annotated[int, Field(ge=1, le=10_000)]

StatusLiteral = Literal[
    "pending_payment",
    "pending_review",
    "exception",
    "reviewed",
    "partially_shipped",
    "shipped",
    "completed",
    "closed",
]
FlagLiteral = Literal["", "red", "yellow", "green", "blue", "purple"]
ReasonLiteral = Literal[
    "unmatched_sku",
    "address_incomplete",
    "buyer_message",
    "amount_over_limit",
    "blacklisted_buyer",
    "stock_shortage",
    "other",
]
Money = Field(..., ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2)


class OrderReceiverOut(Schema):
    name: str
    phone: str
    province: str
    city: str
    district: str
    street: str
    address: str


class OrderOut(Schema):
    id: int
    store: str
    platform_order_no: str = Field(..., description="平台订单号（字符串，绝不是数字）")
    source: str
    status: str
    status_label: str
    exception_reason: str
    exception_detail: str
    buyer_id: str
    buyer_nick: str
    receiver: OrderReceiverOut = Field(..., description="无“查看收货人信息”权限时打码")
    buyer_message: str
    seller_remark: str
    flag: str
    goods_amount: Decimal
    shipping_amount: Decimal
    discount_amount: Decimal
    paid_amount: Decimal
    refund_amount: Decimal
    created_at: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    courier: str
    tracking_no: str
    merged_into: int | None
    split_from: int | None


class OrderPageOut(Schema):
    items: list[OrderOut]
    next: str | None
    count: int = Field(
        ...,
        description="符合条件的订单数，最多数到 10000；商家编码与其他条件同用时，"
        "商家编码的订单多于 2000 单则只数最近的 2000 单（此时为下限）",
    )
    count_label: str = Field(
        ..., description="显示用：超过 10000 时为“10,000+”；为下限时在数字后加“+”"
    )


class OrderLineOut(Schema):
    id: int
    line_no: int
    merchant_code: str
    sku: int | None
    title: str
    attributes: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    status: str


class OrderEventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    message: str


class PriceAdjustmentOut(Schema):
    id: int
    order: int
    target: str
    line: int | None
    old_amount: Decimal
    new_amount: Decimal
    delta: Decimal
    percent: Decimal
    reason: str
    status: str
    requested_by: str
    applied_by: str | None


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]
    price_adjustments: list[PriceAdjustmentOut]


class OrderLineIn(Schema):
    merchant_code: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., ge=1, le=100_000)
    unit_price: Decimal | None = Field(
        None, ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2
    )


class OrderIn(Schema):
    store: str = Field(..., min_length=1, max_length=32)
    platform_order_no: str = Field("", max_length=64, description="留空自动编号 M<日期><序号>")
    buyer_nick: str = Field("", max_length=100)
    receiver_name: str = Field(..., min_length=1, max_length=100)
    receiver_phone: str = Field(..., min_length=1, max_length=40)
    receiver_province: str = Field("", max_length=40)
    receiver_city: str = Field("", max_length=40)
    receiver_district: str = Field("", max_length=40)
    receiver_street: str = Field("", max_length=255)
    buyer_message: str = Field("", max_length=2000)
    seller_remark: str = Field("", max_length=2000)
    shipping_amount: Decimal = Field(
        Decimal("0"), ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2
    )
    discount_amount: Decimal = Field(
        Decimal("0"), ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2
    )
    is_paid: bool = False
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=200)


class OrderIdsIn(Schema):
    ids: list[OrderId] = Field(..., min_length=1, max_length=500)


class OrderReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=255)


class OrderExceptionIn(Schema):
    reason: ReasonLiteral
    detail: str = Field("", max_length=255)


class OrderSplitIn(Schema):
    lines: list[LineNo] = Field(..., min_length=1, max_length=200)


class PriceAdjustIn(Schema):
    target: Literal["line", "shipping"]
    line: int | None = Field(None, ge=1, le=MAX_ID, description="改商品单价时必填")
    new_amount: Decimal = Field(
        ..., ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2
    )
    reason: str = Field(..., min_length=1, max_length=255)


class OrderRemarkIn(Schema):
    remark: str = Field("", max_length=2000)


class OrderFlagIn(Schema):
    flag: FlagLiteral


class OrderShipIn(Schema):
    courier: str = Field(..., min_length=1, max_length=40)
    tracking_no: str = Field(..., min_length=1, max_length=64)


class OrderBatchReviewOut(Schema):
    reviewed: list[int]
    refused: list[dict]


class OrderReviewOut(Schema):
    id: int
    store: str
    order: int | None
    platform_order_no: str
    item_title: str
    buyer_nick: str
    rating: str
    rating_label: str
    content: str
    reviewed_at: dt.datetime | None
    reply: str
    follow_up: int | None


class OrderReviewPageOut(Schema):
    items: list[OrderReviewOut]
    next: str | None


class ReviewReplyIn(Schema):
    reply: str = Field(..., min_length=1, max_length=5000)


class ReviewImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[dict]
