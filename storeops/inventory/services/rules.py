"""Stock rules and 库存预警 (R2.16)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.errors import Invalid
from storeops.core.permissions import require
from storeops.core.roles import RoleCode
from storeops.inventory.models import (
    StockRule,
)
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.selectors import (
    sku_outlook,
    stock_rules_with_skus,
)
from storeops.inventory.services.levels import MAX_QUANTITY, on_commit_alert_check
from storeops.notifications.enums import Severity
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve


# --- stock rules (R2.16) -------------------------------------------------------------------------
@transaction.atomic
def stock_rule_set(
    *,
    actor: Any,
    sku: Sku,
    safety_stock: int,
    upper_limit: int | None,
    lead_time_days: int,
    responsible: Any = None,
) -> StockRule:
    require(actor, InventoryPerm.MANAGE_RULE)
    if sku.is_combo:
        raise Invalid("stock.combo_sku", _("组合装没有自己的库存，请按组件设置"), {"field": "sku"})
    safety = _bounded(safety_stock, field="safety_stock", low=0, high=MAX_QUANTITY)
    upper = (
        None
        if upper_limit in (None, "")
        else _bounded(upper_limit, field="upper_limit", low=1, high=MAX_QUANTITY)
    )
    lead = _bounded(lead_time_days, field="lead_time_days", low=0, high=365)
    if upper is not None and upper <= safety:
        raise Invalid(
            "stock_rule.upper_below_safety",
            _("库存上限必须大于安全库存"),
            {"field": "upper_limit"},
        )
    rule = StockRule.objects.select_for_update().filter(sku=sku).first()
    before = None
    if rule is None:
        rule = StockRule(sku=sku)
    else:
        before = {
            "safety_stock": rule.safety_stock,
            "upper_limit": rule.upper_limit,
            "lead_time_days": rule.lead_time_days,
            "responsible": rule.responsible_id,
        }
    rule.safety_stock, rule.upper_limit, rule.lead_time_days = safety, upper, lead
    rule.responsible = responsible
    rule.save()
    audit_record(
        actor=actor,
        action="inventory.rule.set",
        obj=rule,
        object_repr=sku.merchant_code,
        before=before,
        after={
            "safety_stock": safety,
            "upper_limit": upper,
            "lead_time_days": lead,
            "responsible": getattr(responsible, "pk", None),
        },
    )
    on_commit_alert_check(sku)
    return rule


def _bounded(value: Any, *, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(f"{field}.invalid", _("请填写整数"), {"field": field}) from None
    if not low <= number <= high:
        raise Invalid(
            f"{field}.out_of_range",
            _("必须在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high},
            {"field": field},
        )
    return number


# --- stock alerts (R2.16) ------------------------------------------------------------------------
ALERT_LOW, ALERT_HIGH = "inventory.stock_low", "inventory.stock_high"


def _alert_recipients(rule: StockRule) -> list[Any]:
    if rule.responsible is not None and rule.responsible.is_active:
        return [rule.responsible]
    return list(users_with_roles([RoleCode.OPERATIONS, RoleCode.WAREHOUSE]))


@transaction.atomic
def stock_alert_check(*, sku_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Raise 库存预警 when available is under the safety stock or above the upper limit, and
    resolve it when that clears. One open alert per SKU and kind (the dedupe key decides), so the
    periodic task may run every few minutes and people are told once."""
    rules = stock_rules_with_skus()
    if sku_ids is not None:
        rules = rules.filter(sku_id__in=list(sku_ids))
    now = clock.now()
    counts = {"low": 0, "high": 0, "resolved": 0}
    for rule in rules:
        sku = rule.sku
        outlook = sku_outlook(sku, rule, now=now)
        url = reverse("inventory:sku_ledger", args=[sku.pk])
        low_key, high_key = f"{ALERT_LOW}:{sku.pk}", f"{ALERT_HIGH}:{sku.pk}"
        figures = _("可用 %(available)s，日均销量 %(daily)s，建议补货 %(reorder)s 件") % {
            "available": outlook.available,
            "daily": outlook.daily_sales,
            "reorder": outlook.reorder_quantity,
        }
        if outlook.available < rule.safety_stock:
            alert_raise(
                kind=ALERT_LOW,
                title=_("库存预警：%(sku)s 可用 %(available)s，低于安全库存 %(safety)s")
                % {
                    "sku": sku.merchant_code,
                    "available": outlook.available,
                    "safety": rule.safety_stock,
                },
                body=figures,
                recipients=_alert_recipients(rule),
                url=url,
                obj=sku,
                dedupe_key=low_key,
            )
            counts["low"] += 1
        else:
            counts["resolved"] += alert_resolve(dedupe_key=low_key)
        if rule.upper_limit is not None and outlook.available > rule.upper_limit:
            alert_raise(
                kind=ALERT_HIGH,
                title=_("库存预警：%(sku)s 可用 %(available)s，超过库存上限 %(upper)s")
                % {
                    "sku": sku.merchant_code,
                    "available": outlook.available,
                    "upper": rule.upper_limit,
                },
                body=figures,
                recipients=_alert_recipients(rule),
                url=url,
                obj=sku,
                severity=Severity.INFO,
                dedupe_key=high_key,
            )
            counts["high"] += 1
        else:
            counts["resolved"] += alert_resolve(dedupe_key=high_key)
    return counts
