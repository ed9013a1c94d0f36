"""Kinds of stock movement and states of a reservation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    RESERVATION = "reservation", _("预占")
    RELEASE = "release", _("释放预占")
    SHIPMENT = "shipment", _("发货出库")
    RETURN = "return", _("退货入库")
    ADJUSTMENT = "adjustment", _("库存调整")
    STOCKTAKE = "stocktake", _("盘点调整")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("预占中")
    RELEASED = "released", _("已释放")
    CONSUMED = "consumed", _("已出库")


RESERVATION_TRANSITIONS = {
    ReservationStatus.ACTIVE: {ReservationStatus.RELEASED, ReservationStatus.CONSUMED},
    ReservationStatus.RELEASED: set(),
    ReservationStatus.CONSUMED: set(),
}


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPLIED = "applied", _("已执行")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已撤销")


ADJUSTMENT_TRANSITIONS = {
    AdjustmentStatus.PENDING: {
        AdjustmentStatus.APPLIED,
        AdjustmentStatus.REJECTED,
        AdjustmentStatus.CANCELLED,
    },
    AdjustmentStatus.APPLIED: set(),
    AdjustmentStatus.REJECTED: set(),
    AdjustmentStatus.CANCELLED: set(),
}


class StocktakeStatus(models.TextChoices):
    COUNTING = "counting", _("盘点中")
    SUBMITTED = "submitted", _("待审批")
    APPLIED = "applied", _("已完成")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已作废")


STOCKTAKE_TRANSITIONS = {
    StocktakeStatus.COUNTING: {
        StocktakeStatus.SUBMITTED,
        StocktakeStatus.APPLIED,  # no variance: nothing to approve
        StocktakeStatus.CANCELLED,
    },
    StocktakeStatus.SUBMITTED: {StocktakeStatus.APPLIED, StocktakeStatus.REJECTED},
    StocktakeStatus.APPLIED: set(),
    StocktakeStatus.REJECTED: set(),
    StocktakeStatus.CANCELLED: set(),
}


class PurchaseStatus(models.TextChoices):
    OPEN = "open", _("待收货")
    PARTIAL = "partial", _("部分收货")
    RECEIVED = "received", _("已收货")
    CANCELLED = "cancelled", _("已取消")


PURCHASE_OPEN_STATUSES = (PurchaseStatus.OPEN, PurchaseStatus.PARTIAL)


class ShareMode(models.TextChoices):
    RATIO = "ratio", _("按比例")
    FIXED = "fixed", _("固定数量")
