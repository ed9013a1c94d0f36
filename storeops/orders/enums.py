"""Order statuses with their declared transition table, exception reasons, flags, import formats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.errors import Conflict


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("待付款")
    PENDING_REVIEW = "pending_review", _("待审核")
    EXCEPTION = "exception", _("异常")
    REVIEWED = "reviewed", _("已审核(待发货)")
    PARTIALLY_SHIPPED = "partially_shipped", _("部分发货")
    SHIPPED = "shipped", _("已发货")
    COMPLETED = "completed", _("已完成")
    CLOSED = "closed", _("已关闭")


S = OrderStatus

# The one table every status change is checked against (`order_transition_check`). Forward jumps
# are allowed because the platform may report an order already shipped or finished (shipped
# through the platform's own tools); backwards only 已审核 → 待审核 (反审核) and from 异常 back to
# review; any state but 已关闭 may close (the platform closed it, or a refund closed it).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset(
        {S.PENDING_REVIEW, S.EXCEPTION, S.REVIEWED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED}
        | {S.CLOSED}
    ),
    S.PENDING_REVIEW: frozenset(
        {S.REVIEWED, S.EXCEPTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED, S.CLOSED}
    ),
    S.EXCEPTION: frozenset(
        {S.PENDING_REVIEW, S.REVIEWED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED, S.CLOSED}
    ),
    S.REVIEWED: frozenset(
        {S.PENDING_REVIEW, S.EXCEPTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED, S.CLOSED}
    ),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.COMPLETED, S.CLOSED}),
    S.SHIPPED: frozenset({S.COMPLETED, S.CLOSED}),
    S.COMPLETED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Statuses in which the order waits on our side between payment and shipping. A platform export
# saying "paid, not shipped" never moves an order out of one of these (our review is newer news).
AWAITING_SHIPMENT = frozenset({S.PENDING_REVIEW, S.EXCEPTION, S.REVIEWED})

# Progress along the platform's life cycle, for "never backwards" on re-import.
STATUS_RANK: dict[str, int] = {
    S.PENDING_PAYMENT: 0,
    S.PENDING_REVIEW: 1,
    S.EXCEPTION: 1,
    S.REVIEWED: 1,
    S.PARTIALLY_SHIPPED: 2,
    S.SHIPPED: 3,
    S.COMPLETED: 4,
    S.CLOSED: 5,
}

# Orders still open for work (list filters, review queue).
OPEN_STATUSES = frozenset(
    {S.PENDING_PAYMENT, S.PENDING_REVIEW, S.EXCEPTION, S.REVIEWED, S.PARTIALLY_SHIPPED}
)


def order_transition_allowed(current: str, new: str) -> bool:
    return new in ORDER_TRANSITIONS.get(current, frozenset())


def order_transition_check(current: str, new: str) -> None:
    """Raise 409 `order.transition_refused` for a change the table does not declare."""
    if current == new or order_transition_allowed(current, new):
        return
    raise Conflict(
        "order.transition_refused",
        _("订单状态不能从“%(from)s”变为“%(to)s”")
        % {"from": OrderStatus(current).label, "to": OrderStatus(new).label},
        {"field": "status", "from": current, "to": new},
    )


def order_status_from_platform(current: str | None, reported: str) -> str:
    """The status an import sets, given the stored one and the one the platform reports.

    A new order takes the reported status. Later: forward moves only, except to 已关闭 when the
    platform says so; "paid, not shipped" (reported as 待审核) leaves our review states alone.
    """
    if current is None:
        return reported
    if current == reported:
        return current
    if reported == S.CLOSED:
        return S.CLOSED if current != S.CLOSED else current
    if reported in AWAITING_SHIPMENT and current in AWAITING_SHIPMENT:
        return current
    if STATUS_RANK[reported] > STATUS_RANK[current] and order_transition_allowed(current, reported):
        return reported
    return current


class ExceptionReason(models.TextChoices):
    UNMATCHED_SKU = "unmatched_sku", _("未匹配商品")
    ADDRESS_INCOMPLETE = "address_incomplete", _("地址不完整")
    BUYER_MESSAGE = "buyer_message", _("买家留言待处理")
    AMOUNT_OVER_LIMIT = "amount_over_limit", _("金额超限")
    BLACKLISTED_BUYER = "blacklisted_buyer", _("黑名单买家")
    STOCK_SHORTAGE = "stock_shortage", _("库存不足")
    OTHER = "other", _("其他")


class AfterSalesMarker(models.TextChoices):
    NONE = "", _("无")
    REQUESTED = "requested", _("售后中")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("售后关闭")


class FlagColour(models.TextChoices):
    """旗帜: Taobao's five colours; JD's 商家备注等级 1–5 map onto the same five."""

    NONE = "", _("无")
    RED = "red", _("红旗")
    YELLOW = "yellow", _("黄旗")
    GREEN = "green", _("绿旗")
    BLUE = "blue", _("蓝旗")
    PURPLE = "purple", _("紫旗")


class LineStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    UNMATCHED = "unmatched", _("未匹配商品")
    SHIPPED = "shipped", _("已发货")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("已关闭")


class OrderSource(models.TextChoices):
    IMPORT = "import", _("平台导入")
    MANUAL = "manual", _("手工录入")
    API = "api", _("接口")


class ImportFormat(models.TextChoices):
    """Order export layouts we read; `auto` detects from the headers."""

    TAOBAO = "taobao", _("淘宝/天猫")
    JD = "jd", _("京东")
    PDD = "pdd", _("拼多多")
    DOUYIN = "douyin", _("抖店")
    GENERIC = "generic", _("通用模板")


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("已导入")
    REJECTED = "rejected", _("已拒绝")
    FAILED = "failed", _("失败")


class ImportOutcome(models.TextChoices):
    """What an import did to one order (the import ↔ order link)."""

    CREATED = "created", _("新建")
    UPDATED = "updated", _("更新")


class OrderEventKind(models.TextChoices):
    """Timeline entries. Stored as plain text (no DB choices) so apps may add kinds freely."""

    IMPORTED = "imported", _("导入")
    UPDATED = "updated", _("平台更新")
    STATUS_CHANGED = "status_changed", _("状态变更")
    CREATED = "created", _("创建")
    REVIEWED = "reviewed", _("审单")
    EXCEPTION = "exception", _("转异常")
    REMARK = "remark", _("备注")
    FLAG = "flag", _("旗帜")
    PRICE_ADJUSTED = "price_adjusted", _("改价")
    SHIPPED = "shipped", _("发货")
    MERGED = "merged", _("合单")
    SPLIT = "split", _("拆单")
    SKU_MAPPED = "sku_mapped", _("匹配商品")
    AFTERSALES = "aftersales", _("售后")
    ERASED = "erased", _("删除个人信息")


# --- review queue, transaction handling, reviews (brief F) ---------------------------------------
class PriceTarget(models.TextChoices):
    """What a 改价 changes: one line's unit price, or the order's shipping fee."""

    LINE = "line", _("商品单价")
    SHIPPING = "shipping", _("运费")


class PriceAdjustmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("待经理审批")
    APPLIED = "applied", _("已生效")
    CANCELLED = "cancelled", _("已撤销")


class ReviewRating(models.TextChoices):
    """评价 as the platforms give it."""

    POSITIVE = "positive", _("好评")
    NEUTRAL = "neutral", _("中评")
    NEGATIVE = "negative", _("差评")


# Couriers from MARKETPLACES.md: (name users pick, kuaidi100 code). The tracking-number patterns there
# are hints only, never a reason to refuse a number.
COURIERS: tuple[tuple[str, str], ...] = (
    ("顺丰", "shunfeng"),
    ("中通", "zhongtong"),
    ("圆通", "yuantong"),
    ("韵达", "yunda"),
    ("申通", "shentong"),
    ("极兔", "jtexpress"),
    ("京东", "jd"),
    ("邮政/EMS", "ems"),
    ("德邦", "debangkuaidi"),
)
