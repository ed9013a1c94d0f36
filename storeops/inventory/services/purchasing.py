"""Purchase orders, kept light (R2.16): supplier, lines, expected date. Receiving (all or part)
is a receipt movement per line at the line's cost, which moves the moving average; what is
ordered and not yet received is "on order" for the reorder suggestion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.permissions import has_perm, require
from storeops.core.text import clean_text
from storeops.inventory.enums import PURCHASE_OPEN_STATUSES, MovementKind, PurchaseStatus
from storeops.inventory.models import PurchaseOrder, PurchaseOrderLine, Warehouse
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.selectors import COST_PERM
from storeops.inventory.services.levels import (
    _cost_clean,
    _on_hand_change,
    _stockable,
    on_commit_alert_check,
    quantity_clean,
)

MAX_LINES = 200


def _snapshot(order: PurchaseOrder) -> dict[str, Any]:
    return {
        "supplier": order.supplier,
        "warehouse": order.warehouse.code,
        "expected_date": order.expected_date.isoformat() if order.expected_date else None,
        "status": order.status,
        "lines": [
            [line.sku.merchant_code, line.quantity, line.received, str(line.unit_cost)]
            for line in order.lines.select_related("sku").order_by("id")
        ],
    }


@transaction.atomic
def purchase_create(
    *,
    actor: Any,
    supplier: str,
    warehouse: Warehouse,
    lines: Sequence[tuple[Sku, Any, Any]],
    expected_date: Any = None,
    note: str = "",
) -> PurchaseOrder:
    """`lines`: (SKU, quantity, unit cost or None). Without a cost a line is bought at the SKU's
    standard cost; giving one needs the right to see costs."""
    require(actor, InventoryPerm.MANAGE_PURCHASE)
    supplier = clean_text(supplier, field="supplier", required=True, limit=100)
    note = clean_text(note, field="note", limit=200)
    if not lines:
        raise Invalid("purchase.no_lines", _("采购单至少要有一行"), {"field": "lines"})
    if len(lines) > MAX_LINES:
        raise Invalid("purchase.too_many_lines", _("采购单最多 200 行"), {"field": "lines"})
    order = PurchaseOrder.objects.create(
        supplier=supplier,
        warehouse=warehouse,
        expected_date=expected_date or None,
        note=note,
        created_by=actor,
        created_at=clock.now(),
    )
    seen: set[int] = set()
    for sku, quantity, unit_cost in lines:
        _stockable(sku, warehouse)
        if sku.pk in seen:
            raise Invalid(
                "purchase.duplicate_sku",
                _("商家编码重复：%(sku)s") % {"sku": sku.merchant_code},
                {"field": "lines"},
            )
        seen.add(sku.pk)
        if unit_cost in (None, ""):
            cost = sku.standard_cost
        elif not has_perm(actor, COST_PERM):
            raise Forbidden(
                "cost.forbidden", _("你没有查看成本价的权限，不能填写成本"), {"field": "lines"}
            )
        else:
            cost = _cost_clean(unit_cost)
        PurchaseOrderLine.objects.create(
            order=order, sku=sku, quantity=quantity_clean(quantity), unit_cost=cost
        )
    audit_record(actor=actor, action="inventory.purchase.create", obj=order, after=_snapshot(order))
    return order


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().select_related("warehouse").get(pk=order.pk)


@transaction.atomic
def purchase_receive(
    *, actor: Any, order: PurchaseOrder, quantities: Mapping[int, Any]
) -> PurchaseOrder:
    """Receive some or all of the outstanding lines: `quantities` maps line id → quantity (0 or
    missing: nothing of that line). Each received line is a receipt movement at the line's cost.
    More than outstanding is refused whole."""
    require(actor, InventoryPerm.RECEIVE_STOCK)
    order = _locked(order)
    if order.status not in PURCHASE_OPEN_STATUSES:
        raise Conflict(
            "purchase.closed",
            _("采购单当前状态为“%(status)s”，不能收货") % {"status": order.get_status_display()},
        )
    lines = {
        line.pk: line
        for line in order.lines.select_for_update(of=("self",))
        .select_related("sku")
        .order_by("sku_id")
    }
    received: list[list[Any]] = []
    unknown = set(quantities) - set(lines)
    if unknown:
        raise Invalid("purchase.line_unknown", _("采购单没有这一行"), {"field": "lines"})
    for line_id, line in lines.items():  # in SKU id order: the levels' lock order
        raw = quantities.get(line_id)
        if raw in (None, "", 0, "0"):
            continue
        quantity = quantity_clean(raw, field=f"line_{line_id}")
        if quantity > line.outstanding:
            raise Conflict(
                "purchase.over_receipt",
                _("%(sku)s 最多还能收 %(n)s 件")
                % {"sku": line.sku.merchant_code, "n": line.outstanding},
                {"field": f"line_{line_id}", "outstanding": line.outstanding},
            )
        _on_hand_change(
            actor=actor,
            kind=MovementKind.RECEIPT,
            sku=line.sku,
            warehouse=order.warehouse,
            delta=quantity,
            reason=_("采购收货：%(supplier)s") % {"supplier": order.supplier},
            reference=order.number,
            unit_cost=line.unit_cost,
        )
        line.received += quantity
        line.save(update_fields=["received"])
        received.append([line.sku.merchant_code, quantity])
    if not received:
        raise Invalid("purchase.nothing_received", _("请填写收货数量"), {"field": "lines"})
    before = order.status
    done = all(line.outstanding == 0 for line in lines.values())
    order.status = PurchaseStatus.RECEIVED if done else PurchaseStatus.PARTIAL
    order.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="inventory.purchase.receive",
        obj=order,
        before={"status": before},
        after={"status": order.status, "received": received},
    )
    for line in lines.values():
        on_commit_alert_check(line.sku)
    return order


@transaction.atomic
def purchase_cancel(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    """Close an order: what was not received is no longer on order (received goods stay)."""
    require(actor, InventoryPerm.MANAGE_PURCHASE)
    order = _locked(order)
    if order.status not in PURCHASE_OPEN_STATUSES:
        raise Conflict(
            "purchase.closed",
            _("采购单当前状态为“%(status)s”，不能取消") % {"status": order.get_status_display()},
        )
    before = order.status
    order.status = PurchaseStatus.CANCELLED
    order.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="inventory.purchase.cancel",
        obj=order,
        before={"status": before},
        after={"status": order.status},
    )
    return order
