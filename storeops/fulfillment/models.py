"""Allocation, pick lists and waves, verification, packing and shipping (R2.9).

An `Allocation` is one order's trip through the warehouse: the warehouse holding its reservation,
its lines with combos expanded into what is actually picked, scans, the pack confirmation and its
shipments. At most one open allocation per order (a partial unique index decides).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeops.fulfillment.enums import (
    OPEN_ALLOCATION,
    AllocationStatus,
    PackExceptionKind,
    ScanResult,
)


class Courier(models.Model):
    """快递公司 as editable data: the number pattern only suggests, it never refuses a number."""

    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kuaidi100_code = models.CharField(_("快递100编码"), max_length=40, blank=True)
    pattern = models.CharField(_("单号规则（提示用）"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class PackingStandard(models.Model):
    """打包规范 for a product category (or the default one when `category` is empty)."""

    name = models.CharField(_("名称"), max_length=60)
    category = models.OneToOneField(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("商品类目"),
    )
    package_type = models.CharField(_("包装类型"), max_length=100)
    protective_material = models.CharField(_("缓冲材料"), max_length=100, blank=True)
    inserts = models.CharField(_("随箱物品"), max_length=200, blank=True)
    weight_tolerance_g = models.PositiveIntegerField(_("重量允差（克）"), default=50)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(category__isnull=True, is_active=True),
                name="packing_standard_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Wave(models.Model):
    """波次: several small orders of one warehouse picked together, batched by SKU."""

    id = models.BigAutoField(primary_key=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"W{self.pk}"


class Allocation(models.Model):
    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocations"
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AllocationStatus.choices,
        default=AllocationStatus.ALLOCATED,
    )
    # A wrong or extra item scanned blocks packing until someone confirms it was taken out.
    blocked_message = models.CharField(_("拦截原因"), max_length=255, blank=True)
    standard = models.ForeignKey(
        PackingStandard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checklist = models.JSONField(_("打包确认"), default=dict, blank=True)
    expected_weight_g = models.PositiveIntegerField(_("理论重量（克）"), default=0)
    weight_g = models.PositiveIntegerField(_("称重（克）"), null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(_("配货时间"))
    verified_at = models.DateTimeField(_("核对完成时间"), null=True, blank=True)
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    packed_at = models.DateTimeField(_("打包时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成/取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=255, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=sorted(OPEN_ALLOCATION)),
                name="allocation_one_open_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status"], name="allocation_store_status"),
            models.Index(fields=["status", "warehouse"], name="allocation_status_wh"),
        ]

    def __str__(self) -> str:
        return f"A{self.pk}"

    @property
    def reference(self) -> str:
        """The inventory reference of the order's reservation (`order:<id>`)."""
        return f"order:{self.order_id}"


class AllocationLine(models.Model):
    """What is picked: combos expanded into components (the combo's code kept for the label)."""

    id = models.BigAutoField(primary_key=True)
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    combo_code = models.CharField(_("组合装编码"), max_length=64, blank=True)
    quantity = models.PositiveIntegerField(_("数量"))
    scanned = models.PositiveIntegerField(_("已核对"), default=0)
    shipped = models.PositiveIntegerField(_("已发货"), default=0)

    class Meta:
        ordering = ["allocation_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scanned__lte=models.F("quantity")), name="allocline_scanned_le_qty"
            ),
            models.CheckConstraint(
                condition=Q(shipped__lte=models.F("quantity")), name="allocline_shipped_le_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id}:{self.sku_id}×{self.quantity}"


class Scan(models.Model):
    """Every barcode scanned at verification, right or wrong."""

    id = models.BigAutoField(primary_key=True)
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(_("条码"), max_length=64)
    line = models.ForeignKey(
        AllocationLine, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=10, choices=ScanResult.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["allocation_id", "id"]

    def __str__(self) -> str:
        return f"{self.allocation_id}:{self.code}:{self.result}"


class PackException(models.Model):
    """An exception at verification or the pack station, counted in the exceptions report."""

    id = models.BigAutoField(primary_key=True)
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="exceptions")
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=PackExceptionKind.choices)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["at", "kind"], name="packexception_at_kind")]

    def __str__(self) -> str:
        return f"{self.allocation_id}:{self.kind}"


class Pickup(models.Model):
    """揽收预约: a courier booked to collect at a warehouse."""

    id = models.BigAutoField(primary_key=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    pickup_at = models.DateTimeField(_("预约揽收时间"))
    booking_ref = models.CharField(_("预约单号"), max_length=64, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-pickup_at", "-id"]

    def __str__(self) -> str:
        return f"{self.courier}@{self.pickup_at}"


class Shipment(models.Model):
    """One parcel handed to a courier: its tracking number and the lines it carries."""

    id = models.BigAutoField(primary_key=True)
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="shipments")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    tracking_no = models.CharField(_("运单号"), max_length=64)
    # What the number's format suggested (empty: no pattern matched); a hint, never a refusal.
    suggested_courier = models.CharField(_("单号推荐快递"), max_length=10, blank=True)
    is_partial = models.BooleanField(_("部分发货"), default=False)
    pickup = models.ForeignKey(
        Pickup, null=True, blank=True, on_delete=models.SET_NULL, related_name="shipments"
    )
    source = models.CharField(_("录入方式"), max_length=10, default="manual")  # manual/scan/import
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("发货时间"))

    class Meta:
        ordering = ["-shipped_at", "-id"]
        indexes = [
            models.Index(fields=["store", "shipped_at"], name="shipment_store_shipped"),
            models.Index(fields=["tracking_no"], name="shipment_tracking_no"),
        ]

    def __str__(self) -> str:
        return f"{self.courier_id}:{self.tracking_no}"


class ShipmentLine(models.Model):
    id = models.BigAutoField(primary_key=True)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(AllocationLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))

    class Meta:
        ordering = ["shipment_id", "id"]

    def __str__(self) -> str:
        return f"{self.shipment_id}:{self.line_id}×{self.quantity}"
