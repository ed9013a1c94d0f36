"""Statuses with their transition tables, and the policy's numbers with their defaults."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已撤销")


APPROVAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ApprovalStatus.PENDING: frozenset(
        {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.CANCELLED}
    ),
    ApprovalStatus.APPROVED: frozenset(),
    ApprovalStatus.REJECTED: frozenset(),
    ApprovalStatus.CANCELLED: frozenset(),
}


class StepStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    SKIPPED = "skipped", _("未进行")


class OccurrenceStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    OVERDUE = "overdue", _("已逾期")
    DONE = "done", _("已完成")


OCCURRENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    OccurrenceStatus.OPEN: frozenset({OccurrenceStatus.DONE, OccurrenceStatus.OVERDUE}),
    OccurrenceStatus.OVERDUE: frozenset({OccurrenceStatus.DONE}),
    OccurrenceStatus.DONE: frozenset(),
}


class PolicyKey(models.TextChoices):
    """Stable names other apps read through `selectors.policy_value(PolicyKey.X)`."""

    PUBLISH_SLA_GENERAL_HOURS = "publish_sla_general_hours", _("一般信息发布时限")
    PUBLISH_SLA_IMPORTANT_HOURS = "publish_sla_important_hours", _("重要信息发布时限")
    STOCKTAKE_INTERVAL_DAYS = "stocktake_interval_days", _("盘点周期")
    COPY_REFRESH_DAYS = "copy_refresh_days", _("商品文案与图片更新周期")
    PRICE_ADJUST_LIMIT_PERCENT_CUSTOMER_SERVICE = (
        "price_adjust_limit_percent_customer_service",
        _("客服改价上限"),
    )


@dataclass(frozen=True)
class PolicySpec:
    key: str
    kind: type  # int or Decimal
    default: Any
    minimum: Any
    maximum: Any
    unit: Any
    policy_id: str

    @property
    def label(self) -> Any:
        return PolicyKey(self.key).label


POLICY_SPECS: dict[str, PolicySpec] = {
    spec.key: spec
    for spec in (
        PolicySpec(PolicyKey.PUBLISH_SLA_GENERAL_HOURS, int, 24, 1, 720, _("小时"), "R4.2"),
        PolicySpec(PolicyKey.PUBLISH_SLA_IMPORTANT_HOURS, int, 12, 1, 720, _("小时"), "R4.2"),
        PolicySpec(PolicyKey.STOCKTAKE_INTERVAL_DAYS, int, 7, 1, 366, _("天"), "R3.2"),
        PolicySpec(PolicyKey.COPY_REFRESH_DAYS, int, 15, 1, 366, _("天"), "R3.3"),
        PolicySpec(
            PolicyKey.PRICE_ADJUST_LIMIT_PERCENT_CUSTOMER_SERVICE,
            Decimal,
            Decimal("10"),
            Decimal("0"),
            Decimal("100"),
            "%",
            "R2.8",
        ),
    )
}
