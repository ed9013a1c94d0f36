"""Warehouses, stock levels, the append-only movement ledger, reservations, adjustments and per-SKU
stock rules (R2.9, R2.16, R3.2, R5.1).

Invariant, checked by `storeops inventory-check`: for every SKU × warehouse, `on_hand` is the sum of
its movements' `on_hand_delta`, `reserved` the sum of their `reserved_delta` and also the sum of its
active reservations. The CHECK constraints keep on hand, reserved and available (on hand − reserved)
from going negative whatever the code does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeops.inventory.enums import AdjustmentStatus, MovementKind, ReservationStatus


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
