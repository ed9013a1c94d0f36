"""Orders, their lines, the timeline, and imports from the marketplaces (R2.8, R2.11, R2.16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.orders.enums import (
    AfterSalesMarker,
    ExceptionReason,
    FlagColour,
    ImportFormat,
    ImportOutcome,
    ImportStatus,
    LineStatus,
    OrderSource,
    OrderStatus,
    PriceAdjustmentStatus,
    PriceTarget,
    ReviewRating,
)

ZERO = Decimal("0.00")


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=ZERO)


class Order(models.Model):
    """One platform order in one store. The key is (store, platform order number), a string.

    Receiver name, phone and address are personal data: shown masked except to roles whose work
    needs them, never in audit payloads, and erasable (`personal_data_erased_at`).
    """

    id = models.BigAutoField(primary_key=True)
    # db_index=False here and on the nullable links below: the store leads the unique key and
    # the list indexes; the links get partial indexes (see Meta) — fewer indexes per import row.
    store = models.ForeignKey(
        "accounts.Store", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    platform_order_no = models.CharField(_("平台订单号"), max_length=64)
    source = models.CharField(
        _("来源"), max_length=10, choices=OrderSource.choices, default=OrderSource.IMPORT
    )
    buyer_id = models.CharField(_("买家ID"), max_length=100, blank=True)
    buyer_nick = models.CharField(_("买家昵称"), max_length=100, blank=True)
    receiver_name = models.CharField(_("收货人"), max_length=100, blank=True)
    receiver_phone = models.CharField(_("收货人电话"), max_length=40, blank=True)
    receiver_phone_last4 = models.CharField(_("电话后四位"), max_length=4, blank=True)
    receiver_province = models.CharField(_("省"), max_length=40, blank=True)
    receiver_city = models.CharField(_("市"), max_length=40, blank=True)
    receiver_district = models.CharField(_("区"), max_length=40, blank=True)
    receiver_street = models.CharField(_("详细地址"), max_length=255, blank=True)
    receiver_address = models.CharField(_("收货地址（原文）"), max_length=500, blank=True)
    buyer_message = models.TextField(_("买家留言"), blank=True)
    seller_remark = models.TextField(_("卖家备注"), blank=True)
    flag = models.CharField(
        _("旗帜"), max_length=10, choices=FlagColour.choices, default=FlagColour.NONE, blank=True
    )
    goods_amount = _money(_("商品金额"))
    shipping_amount = _money(_("运费"))
    discount_amount = _money(_("优惠金额"))
    paid_amount = _money(_("实付金额"))
    refund_amount = _money(_("退款金额"))
    created_at = models.DateTimeField(_("下单时间"))
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cs_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客服"),
        db_index=False,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_REVIEW
    )
    exception_reason = models.CharField(
        _("异常原因"), max_length=30, choices=ExceptionReason.choices, blank=True
    )
    exception_detail = models.CharField(_("异常说明"), max_length=255, blank=True)
    aftersales = models.CharField(
        _("售后"),
        max_length=20,
        choices=AfterSalesMarker.choices,
        default=AfterSalesMarker.NONE,
        blank=True,
    )
    platform_status = models.CharField(_("平台状态"), max_length=60, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=255, blank=True)
    courier = models.CharField(_("快递公司"), max_length=40, blank=True)
    tracking_no = models.CharField(_("运单号"), max_length=64, blank=True)
    # Digest of the imported fields: a re-import compares one value to decide "unchanged".
    import_digest = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    personal_data_erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    # 合单 / 拆单 (review queue): a merged order is closed and points at the order that took its
    # lines; a split-off order points at the order it came from.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_orders",
        db_index=False,
    )
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_orders",
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "platform_order_no"], name="order_unique_store_platform_no"
            ),
        ]
        indexes = [
            models.Index(
                fields=["store", "status", "-created_at"], name="order_store_status_created"
            ),
            models.Index(fields=["store", "-created_at"], name="order_store_created"),
            # the list over every store, newest first (one walk instead of one per store)
            models.Index(fields=["-created_at", "-id"], name="order_created"),
            models.Index(fields=["receiver_phone_last4"], name="order_phone_last4"),
            models.Index(fields=["buyer_nick"], name="order_buyer_nick"),
            models.Index(fields=["store", "buyer_id"], name="order_store_buyer_id"),
            models.Index(fields=["platform_order_no"], name="order_platform_no"),
            models.Index(fields=["store", "flag", "-created_at"], name="order_store_flag_created"),
            # mostly NULL: indexed only where set (`= x` / `IN (…)` lookups still use them)
            models.Index(
                fields=["cs_agent"],
                name="order_cs_agent_set",
                condition=models.Q(cs_agent__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="order_merged_into_set",
                condition=models.Q(merged_into__isnull=False),
            ),
            models.Index(
                fields=["split_from"],
                name="order_split_from_set",
                condition=models.Q(split_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.platform_order_no


class OrderLine(models.Model):
    """One item line. An unknown code keeps the line (sku empty, status 未匹配商品)."""

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("行号"), default=1)
    platform_line_id = models.CharField(_("子订单编号"), max_length=64, blank=True)
    sku = models.ForeignKey(
        "catalog.Sku",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed once, by Meta's orderline_sku
    )
    merchant_code = models.CharField(_("商家编码"), max_length=64, blank=True)
    platform_item_id = models.CharField(_("平台商品ID"), max_length=64, blank=True)
    platform_sku_id = models.CharField(_("平台SKU ID"), max_length=64, blank=True)
    title = models.CharField(_("商品标题"), max_length=255, blank=True)
    attributes = models.CharField(_("商品属性"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    unit_price = _money(_("单价"))
    discount = _money(_("优惠"))
    status = models.CharField(
        _("行状态"), max_length=12, choices=LineStatus.choices, default=LineStatus.NORMAL
    )
    # Combo SKUs: the components as resolved at import, [{"sku": id, "code": "…", "quantity": n}].
    # Empty for a plain SKU. Stock reservation works from this, so a later change of the combo's
    # recipe does not rewrite what was sold.
    expansion = models.JSONField(_("组合装拆分"), default=list, blank=True)
    # The order's created_at, copied here so a merchant-code search walks one index newest first
    # (merchant code or SKU, then order time) instead of every order. Written wherever a line is
    # created or moves to another order (import, manual order, merge, split).
    order_created_at = models.DateTimeField(_("下单时间"), null=True, blank=True)

    class Meta:
        ordering = ["order_id", "line_no"]
        indexes = [
            models.Index(fields=["sku", "-order_created_at", "-order"], name="orderline_sku_time"),
            # the SKU too: a search that also checks the line's order skips, in the index, the
            # lines the SKU's own walk finds anyway (selectors_list._code_walks)
            models.Index(
                fields=["merchant_code", "-order_created_at", "-order", "sku"],
                name="orderline_code_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.order_created_at is None and self.order_id is not None:
            self.order_created_at = self.order.created_at
        super().save(*args, **kwargs)


class OrderImport(models.Model):
    """One import run (CLI, page or API): who, when, which files, what it did. Audited once."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    format = models.CharField(_("格式"), max_length=10, choices=ImportFormat.choices)
    channel = models.CharField(_("方式"), max_length=10, default="cli")  # cli / api / web
    files = models.JSONField(_("文件"), default=list)  # [{"name", "sha256", "size"}]
    status = models.CharField(
        _("结果"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.APPLIED
    )
    skip_invalid = models.BooleanField(_("跳过无效行"), default=False)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"line","field","message"}], capped
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    orders = models.ManyToManyField(Order, through="OrderImportOrder", related_name="imports")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.id}"


class OrderImportOrder(models.Model):
    """Which orders an import created or changed (not the unchanged ones)."""

    id = models.BigAutoField(primary_key=True)
    # indexed by the unique (order_import, order) and by order_import_link_order
    order_import = models.ForeignKey(
        OrderImport, on_delete=models.CASCADE, related_name="links", db_index=False
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="import_links", db_index=False
    )
    outcome = models.CharField(max_length=10, choices=ImportOutcome.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_import", "order"], name="order_import_link_unique"
            ),
        ]
        indexes = [models.Index(fields=["order"], name="order_import_link_order")]

    def __str__(self) -> str:
        return f"{self.order_import_id}:{self.order_id}:{self.outcome}"


class ImportAlias(models.Model):
    """An editable column alias for one platform's export: header text → our field name.

    Built-in profiles live in code (`orders.importing.profiles`); rows here add or override
    names when a platform changes its export.
    """

    format = models.CharField(_("平台格式"), max_length=10, choices=ImportFormat.choices)
    alias = models.CharField(_("表头"), max_length=100)
    field = models.CharField(_("字段"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["format", "field", "alias"]
        constraints = [
            models.UniqueConstraint(fields=["format", "alias"], name="import_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.format}:{self.alias}→{self.field}"


class OrderEvent(models.Model):
    """The order's timeline: who did what when, with before/after (no personal data in clear)."""

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=40)  # OrderEventKind values; open to other apps
    message = models.CharField(_("说明"), max_length=500, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    order_import = models.ForeignKey(
        OrderImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order_id", "at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="orderevent_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}"


# --- review queue, transaction handling, reviews, idempotent creates (brief F) --------------------
class ReviewRuleSet(models.Model):
    """A store's auto-review (自动审单) settings: an order passing every enabled check is reviewed
    without a person; one failing waits in 待审核 or goes to 异常 with the reason."""

    store = models.OneToOneField(
        "accounts.Store", on_delete=models.CASCADE, related_name="+", verbose_name=_("店铺")
    )
    is_enabled = models.BooleanField(_("启用自动审单"), default=False)
    require_address_complete = models.BooleanField(_("地址完整"), default=True)
    require_no_buyer_message = models.BooleanField(_("无买家留言"), default=True)
    require_known_skus = models.BooleanField(_("商品均已匹配"), default=True)
    amount_limit = models.DecimalField(
        _("实付金额上限"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    check_blacklist = models.BooleanField(_("非黑名单买家"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"review rules {self.store_id}"


class BlacklistedBuyer(models.Model):
    """A buyer (id or nick) whose orders never pass auto-review in this store."""

    store = models.ForeignKey("accounts.Store", on_delete=models.CASCADE, related_name="+")
    buyer = models.CharField(_("买家ID/昵称"), max_length=100)
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        ordering = ["store_id", "buyer"]
        constraints = [
            models.UniqueConstraint(fields=["store", "buyer"], name="blacklisted_buyer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.buyer}"


class PriceAdjustment(models.Model):
    """改价 (R2.8): a line's unit price or the shipping fee of an unpaid order, with a reason.
    Over the 客服 limit it waits for a 经理's approval of exactly this snapshot."""

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="price_adjustments")
    target = models.CharField(_("改价对象"), max_length=10, choices=PriceTarget.choices)
    line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    old_amount = _money(_("原金额"))
    new_amount = _money(_("新金额"))
    delta = _money(_("订单金额变化"))
    percent = models.DecimalField(_("变化比例(%)"), max_digits=8, decimal_places=2, default=ZERO)
    reason = models.CharField(_("原因"), max_length=255)
    status = models.CharField(_("状态"), max_length=20, choices=PriceAdjustmentStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"改价 {self.order_id}:{self.target}"


class IdempotencyRecord(models.Model):
    """`Idempotency-Key` of a create: the same key and body answer the first response again."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=60)  # e.g. "orders.create"
    key = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class OrderReview(models.Model):
    """评价 from the platform's review export: rating, text, our reply; a 差评 gets a follow-up
    duty (a one-off governance obligation) for a 客服."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    platform_order_no = models.CharField(_("平台订单号"), max_length=64)
    item_title = models.CharField(_("宝贝标题"), max_length=255, blank=True)
    # (order no, item, time) digest: importing the same export twice changes nothing.
    review_key = models.CharField(max_length=64)
    buyer_nick = models.CharField(_("买家昵称"), max_length=100, blank=True)
    rating = models.CharField(_("评价"), max_length=10, choices=ReviewRating.choices)
    content = models.TextField(_("评价内容"), blank=True)
    reviewed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reply = models.TextField(_("回复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    follow_up = models.ForeignKey(
        "governance.Obligation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("差评跟进"),
    )
    recorded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "review_key"], name="order_review_unique"),
        ]
        indexes = [models.Index(fields=["store", "rating"], name="order_review_store_rating")]

    def __str__(self) -> str:
        return f"{self.platform_order_no}:{self.rating}"
