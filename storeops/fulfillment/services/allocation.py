"""配货 (R2.9): allocate a reviewed order to a warehouse, waves, cancellation before shipment,
and what follows when the platform closes an order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.catalog.selectors import sku_expand
from storeops.core import clock
from storeops.core.errors import Conflict, DomainError, Invalid, NotFound
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.fulfillment.models import (
    Allocation,
    AllocationLine,
    Wave,
)
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.fulfillment.selectors import (
    allocation_get_for_change,
    expected_weight,
    standard_for_skus,
)
from storeops.fulfillment.services.common import MAX_WAVE, A, _audit, _transition
from storeops.inventory.enums import ReservationStatus
from storeops.inventory.models import Reservation, Warehouse
from storeops.inventory.services import (
    stock_release_for_order,
    stock_reserve_for_order,
)
from storeops.orders.enums import LineStatus, OrderStatus
from storeops.orders.models import Order, OrderLine
from storeops.orders.selectors_list import order_get_for_change
from storeops.orders.services.timeline import timeline_add
from storeops.orders.services.transactions import order_close


# --- allocation (配货) ----------------------------------------------------------------------------
def _pick_lines(order: Order) -> list[tuple[OrderLine, Sku, int, str]]:
    """(order line, SKU to pick, quantity, combo code) with combos expanded into components —
    from what was recorded at import (`expansion`), else from the catalog."""
    picked: list[tuple[OrderLine, Sku, int, str]] = []
    lines = list(order.lines.select_related("sku").order_by("line_no", "id"))
    unmatched = [line.line_no for line in lines if line.status == LineStatus.UNMATCHED]
    if unmatched:
        raise Conflict(
            "order.unmatched_lines",
            _("订单有未匹配的商品，请先匹配商品"),
            {"field": "lines", "lines": unmatched},
        )
    for line in lines:
        if line.status != LineStatus.NORMAL or line.sku is None:
            continue
        if line.expansion:
            skus = {s.pk: s for s in Sku.objects.filter(pk__in=[p["sku"] for p in line.expansion])}
            parts = [(skus[p["sku"]], int(p["quantity"])) for p in line.expansion]
        else:
            parts = sku_expand(line.sku, line.quantity)
        combo = line.sku.merchant_code if line.sku.is_combo else ""
        picked.extend((line, sku, qty, combo) for sku, qty in parts)
    if not picked:
        raise Conflict("allocation.no_lines", _("订单没有需要发货的商品"), {"field": "lines"})
    return picked


def _active_reservations(reference: str) -> list[Reservation]:
    return list(
        Reservation.objects.select_related("warehouse").filter(
            reference=reference, status=ReservationStatus.ACTIVE
        )
    )


@transaction.atomic
def allocation_create(
    *, actor: Any, order_id: int, warehouse: Warehouse | None = None, wave: Wave | None = None
) -> Allocation:
    """配货: a reviewed order goes to a warehouse — the one holding its reservation, or the one
    chosen (the reservation moves there), or the first that holds every line."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=FulfillmentPerm.ALLOCATE)
    if order.status != OrderStatus.REVIEWED:
        raise Conflict(
            "allocation.order_not_reviewed",
            _("只有已审核(待发货)的订单可以配货（当前：%(status)s）")
            % {"status": order.get_status_display()},
            {"field": "order", "status": order.status},
        )
    picked = _pick_lines(order)
    reference = f"order:{order.pk}"
    held = _active_reservations(reference)
    houses = {r.warehouse_id for r in held}
    if held and (len(houses) > 1 or (warehouse is not None and warehouse.pk not in houses)):
        stock_release_for_order(actor=actor, reference=reference, reason=_("配货改仓"))
        held = []
    if held:
        house = held[0].warehouse
    else:
        reservations = stock_reserve_for_order(
            actor=actor,
            reference=reference,
            lines=[(sku, qty) for _line, sku, qty, _combo in picked],
            warehouse=warehouse,
        )
        house = reservations[0].warehouse
    now = clock.now()
    skus = [sku for _line, sku, _qty, _combo in picked]
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                order=order,
                store=order.store,
                warehouse=house,
                wave=wave,
                allocated_by=actor,
                allocated_at=now,
                standard=standard_for_skus(skus),
            )
    except IntegrityError as exc:
        raise Conflict(
            "allocation.exists", _("该订单已在配货中"), {"field": "order", "order": order.pk}
        ) from exc
    lines = AllocationLine.objects.bulk_create(
        [
            AllocationLine(
                allocation=allocation, order_line=line, sku=sku, quantity=qty, combo_code=combo
            )
            for line, sku, qty, combo in picked
        ]
    )
    for line in lines:
        line.sku = next(s for s in skus if s.pk == line.sku_id)
    allocation.expected_weight_g = expected_weight(lines)
    allocation.save(update_fields=["expected_weight_g"])
    after = {
        "order": order.platform_order_no,
        "warehouse": house.code,
        "wave": wave.pk if wave else None,
        "lines": [[line.sku.merchant_code, line.quantity] for line in lines],
    }
    timeline_add(
        order=order,
        actor=actor,
        kind="allocated",
        message=_("配货：%(wh)s") % {"wh": house.name},
        after={"warehouse": house.code, "allocation": allocation.pk},
    )
    _audit(actor, "create", allocation, after=after)
    return allocation


@dataclass
class WaveResult:
    wave: Wave | None
    allocated: list[Allocation] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # order id → message


@transaction.atomic
def wave_create(*, actor: Any, order_ids: Sequence[int], warehouse: Warehouse) -> WaveResult:
    """波次: allocate several orders to one warehouse together, each on its own (an order that
    cannot be allocated is reported with why; the others go ahead). An empty wave is not kept."""
    require(actor, FulfillmentPerm.ALLOCATE)
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        raise Invalid("wave.no_orders", _("请选择订单"), {"field": "orders"})
    if len(ids) > MAX_WAVE:
        raise Invalid(
            "wave.too_many", _("一个波次最多 %(n)s 个订单") % {"n": MAX_WAVE}, {"field": "orders"}
        )
    wave = Wave.objects.create(warehouse=warehouse, created_by=actor, created_at=clock.now())
    result = WaveResult(wave=wave)
    for order_id in ids:
        try:
            with transaction.atomic():
                result.allocated.append(
                    allocation_create(
                        actor=actor, order_id=order_id, warehouse=warehouse, wave=wave
                    )
                )
        except DomainError as exc:
            result.refused[order_id] = str(exc.message)
    if not result.allocated:
        wave.delete()
        result.wave = None
        return result
    audit_record(
        actor=actor,
        action="fulfillment.wave.create",
        obj=wave,
        after={
            "warehouse": warehouse.code,
            "allocations": [a.pk for a in result.allocated],
            "refused": {str(k): v for k, v in result.refused.items()},
        },
    )
    return result


@transaction.atomic
def allocation_cancel(
    *, actor: Any, allocation_id: int, reason: str, close_order: bool = False
) -> Allocation:
    """Cancel before shipment: the reservation is released; with `close_order` the order is
    closed too (orders' own rule and permission); otherwise it waits to be allocated again."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.CANCEL
    )
    reason = clean_text(reason, field="reason", required=True, limit=255)
    if allocation.shipments.exists():
        raise Conflict(
            "allocation.shipped",
            _("已有发货记录，不能取消；剩余商品请继续发货或走售后"),
            {"field": "status", "status": allocation.status},
        )
    _cancel(actor, allocation, reason, close_order=close_order)
    return allocation


def _cancel(
    actor: Any,
    allocation: Allocation,
    reason: str,
    *,
    close_order: bool = False,
    checked_by_caller: bool = False,
) -> None:
    """Cancel one allocation that shipped nothing: release what it holds, record why."""
    before = {"status": allocation.status}
    _transition(allocation, A.CANCELLED)
    released = stock_release_for_order(
        actor=actor,
        reference=allocation.reference,
        reason=_("取消配货：") + reason,
        checked_by_caller=checked_by_caller,
    )
    if close_order and allocation.order.status != OrderStatus.CLOSED:
        order_close(actor=actor, order_id=allocation.order_id, reason=reason)
    allocation.cancel_reason = reason
    allocation.closed_at = clock.now()
    allocation.save(update_fields=["status", "cancel_reason", "closed_at"])
    timeline_add(
        order=allocation.order,
        actor=actor,
        kind="allocation_cancelled",
        message=_("取消配货：%(reason)s") % {"reason": reason},
        before=before,
        after={"status": allocation.status},
    )
    _audit(
        actor,
        "cancel",
        allocation,
        before=before,
        after={
            "status": allocation.status,
            "reason": reason,
            "released": released,
            "order_closed": close_order,
        },
    )


def allocations_cancel_platform_closed(actor: Any, order_ids: list[int]) -> None:
    """The order import closed these orders (the platform says 已关闭): their allocations that
    shipped nothing are cancelled and what they held is released, inside the import's
    transaction (orders' `register_on_platform_close`). The importer needs no fulfillment
    permission: this follows from the platform, not from a decision in our warehouse."""
    open_ones = (
        Allocation.objects.select_for_update()
        .select_related("order")
        .filter(order_id__in=order_ids, status__in=(A.ALLOCATED, A.VERIFIED, A.PACKED))
        .order_by("pk")
    )
    reason = _("平台已关闭订单")
    for allocation in open_ones:
        if not allocation.shipments.exists():
            _cancel(actor, allocation, reason, checked_by_caller=True)


def order_for_allocation(*, actor: Any, order_id: int) -> Order:
    """An order in the actor's stores (for pages that start from an order)."""
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is None or not actor.works_in(order.store_id):
        raise NotFound("order.not_found", _("订单不存在"), {"id": order_id})
    return order
