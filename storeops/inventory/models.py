"""Warehouses, stock levels, the append-only movement ledger, reservations, adjustments and per-SKU
stock rules (R2.9, R2.16, R3.2, R5.1).

Invariant, checked by `storeops inventory-check`: for every SKU × warehouse, `on_hand` is the sum of
its movements' `on_hand_delta`, `reserved` the sum of their `reserved_delta` and also the sum of its
active reservations. The CHECK constraints keep on hand, reserved and available (on hand − reserved)
from going negative whatever the code does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeops.inventory.enums import (
    AdjustmentStatus,
    MovementKind,
    PurchaseStatus,
    ReservationStatus,
    ShareMode,
    StocktakeStatus,
)


class Warehouse(models.Model):
    """A company-wide warehouse (not store-scoped). The code is ASCII: the API and files use it."""

    code = models.CharField(_("仓库编码"), max_length=32, unique=True)
    name = models.CharField(_("仓库名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    """Stock of one SKU in one warehouse; `unit_cost` is the moving average (seeded from the
    catalog's standard cost), so on hand × unit cost is the stock's value."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.BigIntegerField(_("在库"), default=0)
    reserved = models.BigIntegerField(_("预占"), default=0)
    unit_cost = models.DecimalField(_("移动平均成本"), max_digits=14, decimal_places=4, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="inventory_level_uniq"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="inventory_available_gte_0"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="inventory_cost_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """Stock held for someone (an order at review, an API caller). Each request is its own
    reservation: the reference is a label, not a key."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    reference = models.CharField(_("参考"), max_length=100, blank=True, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ReservationStatus.choices,
        default=ReservationStatus.ACTIVE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["sku", "warehouse"],
                condition=Q(status="active"),
                name="inventory_resv_active",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_resv_qty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sku_id}@{self.warehouse_id}×{self.quantity} {self.status}"


class Movement(models.Model):
    """One change of stock, never updated or deleted (a PostgreSQL trigger refuses it)."""

    kind = models.CharField(_("类型"), max_length=12, choices=MovementKind.choices)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    on_hand_delta = models.IntegerField(_("在库变动"), default=0)
    reserved_delta = models.IntegerField(_("预占变动"), default=0)
    unit_cost = models.DecimalField(_("单位成本"), max_digits=14, decimal_places=4, default=0)
    value = models.DecimalField(_("金额"), max_digits=16, decimal_places=2, default=0)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    reference = models.CharField(_("参考"), max_length=100, blank=True)
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    # PROTECT, not SET_NULL: the ledger is never updated (users are deactivated, not deleted)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["sku", "warehouse", "id"], name="inventory_mv_level"),
            models.Index(fields=["kind", "created_at"], name="inventory_mv_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sku_id}@{self.warehouse_id} {self.on_hand_delta:+}/{self.reserved_delta:+}"


class StockAdjustment(models.Model):
    """A manual correction of on hand, applied only after someone else approved it (R5.1)."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("调整数量"))  # + surplus, − shortage; never 0
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    movement = models.OneToOneField(
        Movement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="inventory_adj_qty_not_0"),
        ]

    def __str__(self) -> str:
        return f"调整 #{self.pk} {self.quantity:+}"


class StockRule(models.Model):
    """Per SKU (all warehouses together): safety stock, upper limit, lead time, who is told (R2.16)."""

    sku = models.OneToOneField("catalog.Sku", on_delete=models.CASCADE, related_name="stock_rule")
    safety_stock = models.PositiveIntegerField(_("安全库存"), default=0)
    upper_limit = models.PositiveIntegerField(_("库存上限"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("补货周期（天）"), default=7)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责人"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.safety_stock}–{self.upper_limit}"


class Stocktake(models.Model):
    """One count of every product in one warehouse (R3.2), with that week's sales and stock.

    Counted blind: the expected quantities are taken when the counts are handed in and shown only
    then. Variances become `stocktake` movements only after someone other than the counter
    approved them (R5.1)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocktakes")
    status = models.CharField(
        _("状态"), max_length=10, choices=StocktakeStatus.choices, default=StocktakeStatus.COUNTING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"))
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("盘点人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # the week the record covers (R3.2 "详细记录库存、卖出"): [period_start, submitted_at)
    period_start = models.DateTimeField(_("统计起点"))
    sold_quantity = models.BigIntegerField(_("期间销量"), default=0)
    sold_value = models.DecimalField(_("期间销售成本"), max_digits=16, decimal_places=2, default=0)
    stock_quantity = models.BigIntegerField(_("账面库存"), default=0)
    stock_value = models.DecimalField(_("账面金额"), max_digits=16, decimal_places=2, default=0)
    occurrence = models.ForeignKey(
        "governance.ObligationOccurrence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # one count at a time per warehouse
            models.UniqueConstraint(
                fields=["warehouse"],
                condition=Q(status__in=["counting", "submitted"]),
                name="inventory_stocktake_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"盘点 #{self.pk} {self.warehouse_id}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    counted = models.BigIntegerField(_("实盘数量"), null=True, blank=True)
    expected = models.BigIntegerField(_("账面数量"), null=True, blank=True)  # set at submission
    unit_cost = models.DecimalField(_("单位成本"), max_digits=14, decimal_places=4, default=0)
    sold = models.BigIntegerField(_("期间销量"), default=0)
    movement = models.OneToOneField(
        Movement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["stocktake_id", "sku_id"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "sku"], name="inventory_st_line_uniq"),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="inventory_st_counted_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake_id}/{self.sku_id}: {self.counted}"

    @property
    def variance(self) -> int | None:
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected

    @property
    def variance_value(self) -> Any:
        variance = self.variance
        if variance is None:
            return None
        from decimal import ROUND_HALF_UP, Decimal

        return (Decimal(variance) * self.unit_cost).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


class PurchaseOrder(models.Model):
    """A light purchase order: supplier, lines, expected date; what is not received is on order."""

    supplier = models.CharField(_("供应商"), max_length=100)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    expected_date = models.DateField(_("预计到货日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.OPEN
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"PO-{self.pk}"

    @property
    def number(self) -> str:
        return f"PO-{self.pk}"


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("采购数量"))
    received = models.PositiveIntegerField(_("已收数量"), default=0)
    unit_cost = models.DecimalField(_("采购单价"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="inventory_po_line_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_po_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(received__lte=F("quantity")), name="inventory_po_received_lte_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"PO-{self.order_id}/{self.sku_id}×{self.quantity}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received


class StoreStockShare(models.Model):
    """How much of the shared pool (available in every active warehouse) one store may sell:
    a ratio of the pool or a fixed quantity per SKU, less a safety buffer."""

    store = models.OneToOneField("accounts.Store", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(
        _("分配方式"), max_length=8, choices=ShareMode.choices, default=ShareMode.RATIO
    )
    ratio_percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, default=100)
    fixed_quantity = models.PositiveIntegerField(_("固定数量"), default=0)
    safety_buffer = models.PositiveIntegerField(_("安全缓冲"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio_percent__gte=0) & Q(ratio_percent__lte=100),
                name="inventory_share_ratio_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id}: {self.mode}"
