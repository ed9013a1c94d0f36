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
