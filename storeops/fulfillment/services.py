"""Every fulfillment write (R2.9): allocate (配货) and waves, verify by scanning (核对), pack by the
standard (打包规范), ship (发货) with tracking numbers typed, scanned or imported, pick-up booking,
cancellation before shipment. Permission-checked, atomic, audited, on the order's timeline.

Stock moves only through the inventory services under the order's reference `order:<id>`:
allocation reserves (or keeps the reservation made at review), shipping consumes it as a shipment
movement, cancelling releases it. The order's status moves only through the orders services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Category, Sku
from storeops.catalog.selectors import sku_expand
from storeops.core import clock
from storeops.core.errors import Conflict, DomainError, Invalid, NotFound
from storeops.core.imports import Column, ImportResult, RowInvalid, open_table, run_import
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.fulfillment.enums import (
    ALLOCATION_TRANSITIONS,
    CHECKLIST_ITEMS,
    COURIER_SEED,
    AllocationStatus,
    PackExceptionKind,
    ScanResult,
)
from storeops.fulfillment.models import (
    Allocation,
    AllocationLine,
    Courier,
    PackException,
    PackingStandard,
    Pickup,
    Scan,
    Shipment,
    ShipmentLine,
    Wave,
)
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.fulfillment.selectors import (
    allocation_get_for_change,
    allocation_lines,
    courier_by_value,
    courier_suggest,
    expected_weight,
    standard_for_skus,
    tracking_normalise,
)
from storeops.inventory.enums import ReservationStatus
from storeops.inventory.models import Reservation, Warehouse
from storeops.inventory.services import (
    stock_release_for_order,
    stock_reserve_for_order,
    stock_ship_for_order,
)
from storeops.orders.enums import LineStatus, OrderStatus
from storeops.orders.models import Order, OrderLine
from storeops.orders.selectors_list import order_get_for_change
from storeops.orders.services.shipping import order_ship_partial
from storeops.orders.services.timeline import timeline_add
from storeops.orders.services.transactions import TRACKING_PATTERN, order_close, order_ship

A = AllocationStatus
MAX_WEIGHT_G = 1_000_000
MAX_WAVE = 500


def _transition(allocation: Allocation, status: str) -> None:
    if status != allocation.status and status not in ALLOCATION_TRANSITIONS[allocation.status]:
        raise Conflict(
            "allocation.transition_refused",
            _("配货单状态不能从“%(from)s”变为“%(to)s”")
            % {"from": A(allocation.status).label, "to": A(status).label},
            {"field": "status", "from": allocation.status, "to": status},
        )
    allocation.status = status


def _audit(
    actor: Any, verb: str, allocation: Allocation, *, before: Any = None, after: Any = None
) -> None:
    audit_record(
        actor=actor,
        action=f"fulfillment.allocation.{verb}",
        obj=allocation,
        object_repr=f"{allocation} {allocation.order.platform_order_no}",
        store=allocation.store_id,
        before=before,
        after=after,
    )


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
    before = {"status": allocation.status}
    _transition(allocation, A.CANCELLED)
    released = stock_release_for_order(
        actor=actor, reference=allocation.reference, reason=_("取消配货：") + reason
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
    return allocation


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
        if allocation.shipments.exists():
            continue
        before = {"status": allocation.status}
        _transition(allocation, A.CANCELLED)
        released = stock_release_for_order(
            actor=actor, reference=allocation.reference, reason=reason, checked_by_caller=True
        )
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
            after={"status": allocation.status, "reason": reason, "released": released},
        )


# --- verification (核对) --------------------------------------------------------------------------
@dataclass
class ScanOutcome:
    result: str
    message: str
    line: AllocationLine | None
    complete: bool


def _matches(line: AllocationLine, code: str) -> bool:
    sku = line.sku
    return bool(code) and (
        (sku.barcode and sku.barcode == code) or sku.merchant_code.upper() == code.upper()
    )


def _exception(allocation: Allocation, actor: Any, kind: str, note: str) -> PackException:
    return PackException.objects.create(
        allocation=allocation,
        store_id=allocation.store_id,
        kind=kind,
        note=note[:255],
        actor=actor,
        at=clock.now(),
    )


@transaction.atomic
def verify_scan(*, actor: Any, allocation_id: int, code: str) -> ScanOutcome:
    """One scanned barcode (SKU barcode or merchant code) against the order's lines. The right
    item counts for its line; a wrong or extra item blocks packing until it is taken out."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.VERIFY
    )
    code = clean_text(code, field="code", required=True, limit=64).replace(" ", "")
    if allocation.status not in (A.ALLOCATED, A.VERIFIED):
        raise Conflict(
            "verify.not_open",
            _("该配货单已%(status)s，不能再核对") % {"status": A(allocation.status).label},
            {"field": "status", "status": allocation.status},
        )
    lines = allocation_lines(allocation)
    matching = [line for line in lines if _matches(line, code)]
    line = next((ln for ln in matching if ln.scanned < ln.quantity), None)
    now = clock.now()
    if line is not None:
        AllocationLine.objects.filter(pk=line.pk, scanned__lt=F("quantity")).update(
            scanned=F("scanned") + 1
        )
        line.scanned += 1
        result = ScanResult.OK
        message = _("正确：%(name)s（%(done)s/%(qty)s）") % {
            "name": line.sku.product.name,
            "done": line.scanned,
            "qty": line.quantity,
        }
    else:
        if matching:
            result = ScanResult.EXTRA
            line = matching[0]
            message = _("多出商品：%(name)s 已够 %(qty)s 件，请取出多出的这一件") % {
                "name": line.sku.product.name,
                "qty": line.quantity,
            }
            kind = PackExceptionKind.EXTRA_ITEM
        else:
            known = (
                Sku.objects.select_related("product").filter(barcode=code).first()
                or Sku.objects.select_related("product").filter(merchant_code__iexact=code).first()
            )
            result = ScanResult.WRONG if known else ScanResult.UNKNOWN
            message = (
                _("错误商品：%(name)s（%(code)s）不在此订单中，请取出")
                % {
                    "name": known.product.name,
                    "code": known.merchant_code,
                }
                if known
                else _("无法识别的条码 %(code)s：不在此订单中，请取出后重扫") % {"code": code}
            )
            kind = PackExceptionKind.WRONG_ITEM
        allocation.blocked_message = message[:255]
        if allocation.status == A.VERIFIED:
            _transition(allocation, A.ALLOCATED)
        allocation.save(update_fields=["blocked_message", "status"])
        _exception(allocation, actor, kind, message)
        _audit(actor, "scan_refused", allocation, after={"code": code, "result": result})
    Scan.objects.create(
        allocation=allocation, code=code, line=line, result=result, actor=actor, at=now
    )
    complete = _verified_if_complete(actor, allocation, lines)
    return ScanOutcome(result=result, message=message, line=line, complete=complete)


def _verified_if_complete(actor: Any, allocation: Allocation, lines: list[AllocationLine]) -> bool:
    done = all(line.scanned >= line.quantity for line in lines)
    if done and not allocation.blocked_message and allocation.status == A.ALLOCATED:
        _transition(allocation, A.VERIFIED)
        allocation.verified_at = clock.now()
        allocation.save(update_fields=["status", "verified_at"])
        _audit(actor, "verify", allocation, after={"status": allocation.status})
    return allocation.status == A.VERIFIED


@transaction.atomic
def verify_clear_block(*, actor: Any, allocation_id: int, note: str = "") -> Allocation:
    """The wrong or extra item was taken out: packing is no longer blocked (audited)."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.VERIFY
    )
    note = clean_text(note, field="note", limit=255)
    if not allocation.blocked_message:
        return allocation
    before = {"blocked": allocation.blocked_message}
    allocation.blocked_message = ""
    allocation.save(update_fields=["blocked_message"])
    _audit(actor, "unblock", allocation, before=before, after={"note": note})
    _verified_if_complete(actor, allocation, allocation_lines(allocation))
    return allocation


# --- packing (打包规范) ---------------------------------------------------------------------------
@transaction.atomic
def pack_confirm(
    *,
    actor: Any,
    allocation_id: int,
    checklist: dict[str, bool],
    weight_g: int | None = None,
    exception_note: str = "",
) -> Allocation:
    """Confirm the packing standard at the pack station. An unconfirmed item or a weight outside
    the tolerance is an exception: recorded (and counted) with a note, or refused without one."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.PACK
    )
    exception_note = clean_text(exception_note, field="exception_note", limit=255)
    if allocation.blocked_message:
        raise Conflict(
            "pack.blocked", allocation.blocked_message, {"field": "code", "blocked": True}
        )
    if allocation.status != A.VERIFIED:
        lines = allocation_lines(allocation)
        missing = [
            f"{line.sku.merchant_code} {line.scanned}/{line.quantity}"
            for line in lines
            if line.scanned < line.quantity
        ]
        if allocation.status == A.ALLOCATED:
            raise Conflict(
                "pack.not_verified",
                _("核对未完成，不能打包：%(lines)s") % {"lines": "、".join(missing)},
                {"field": "status", "missing": missing},
            )
        _transition(allocation, A.PACKED)  # raises with the status named
    if weight_g is not None and not (0 < int(weight_g) <= MAX_WEIGHT_G):
        raise Invalid("pack.weight", _("请填写正确的重量（克）"), {"field": "weight_g"})
    standard = allocation.standard
    problems: list[tuple[str, str]] = []
    if standard is not None:
        for item, kind in CHECKLIST_ITEMS:
            if getattr(standard, item) and not checklist.get(item):
                problems.append((kind, str(PackExceptionKind(kind).label)))
        if weight_g is not None and allocation.expected_weight_g:
            diff = int(weight_g) - allocation.expected_weight_g
            if abs(diff) > standard.weight_tolerance_g:
                problems.append(
                    (
                        PackExceptionKind.WEIGHT,
                        _("重量 %(w)s 克，理论 %(e)s 克，允差 ±%(t)s 克")
                        % {
                            "w": weight_g,
                            "e": allocation.expected_weight_g,
                            "t": standard.weight_tolerance_g,
                        },
                    )
                )
    if problems and not exception_note:
        raise Invalid(
            "pack.exception_note_required",
            _("打包规范未满足：%(items)s。请说明原因后记录为异常")
            % {"items": "；".join(text for _kind, text in problems)},
            {"field": "exception_note", "problems": [kind for kind, _text in problems]},
        )
    for kind, text in problems:
        _exception(allocation, actor, kind, f"{text}：{exception_note}")
    _transition(allocation, A.PACKED)
    allocation.checklist = {item: bool(checklist.get(item)) for item, _kind in CHECKLIST_ITEMS}
    allocation.weight_g = int(weight_g) if weight_g is not None else None
    allocation.packed_by = actor
    allocation.packed_at = clock.now()
    allocation.save(update_fields=["status", "checklist", "weight_g", "packed_by", "packed_at"])
    _audit(
        actor,
        "pack",
        allocation,
        after={
            "checklist": allocation.checklist,
            "weight_g": allocation.weight_g,
            "exceptions": [kind for kind, _text in problems],
            "note": exception_note,
        },
    )
    return allocation


# --- shipping (发货) ------------------------------------------------------------------------------
def courier_choose(courier: str | Courier | None, tracking_no: str) -> tuple[Courier, str]:
    """The courier to record and what the number suggested (its code, or ""). The suggestion is a
    hint only: a chosen courier always wins, a number matching no pattern is never refused."""
    suggested = courier_suggest(tracking_no)
    if isinstance(courier, Courier):
        chosen: Courier | None = courier
    elif courier:
        chosen = courier_by_value(courier)
        if chosen is None:
            raise Invalid(
                "shipment.courier",
                _("未知的快递公司：%(c)s") % {"c": courier},
                {"field": "courier"},
            )
    else:
        chosen = suggested
        if chosen is None:
            raise Invalid(
                "shipment.courier_required",
                _("无法从运单号判断快递公司，请选择快递公司"),
                {"field": "courier"},
            )
    return chosen, suggested.code if suggested else ""


def _tracking_clean(tracking_no: str) -> str:
    number = tracking_normalise(
        clean_text(tracking_no, field="tracking_no", required=True, limit=64)
    )
    if not TRACKING_PATTERN.match(number):
        raise Invalid(
            "shipment.tracking_no",
            _("运单号只能是 6–40 位字母、数字或短横线"),
            {"field": "tracking_no"},
        )
    return number


def _parcel(
    allocation: Allocation, lines: list[AllocationLine], wanted: Iterable[tuple[int, int]] | None
) -> list[tuple[AllocationLine, int]]:
    if wanted is None:
        parcel = [(line, line.quantity - line.shipped) for line in lines]
        return [(line, qty) for line, qty in parcel if qty > 0]
    by_id = {line.pk: line for line in lines}
    parcel: dict[int, int] = {}
    for line_id, qty in wanted:
        line = by_id.get(int(line_id))
        if line is None:
            raise Invalid(
                "shipment.line", _("发货行不属于此配货单"), {"field": "lines", "line": line_id}
            )
        qty = int(qty)
        if qty <= 0:
            continue
        parcel[line.pk] = parcel.get(line.pk, 0) + qty
        if parcel[line.pk] > line.quantity - line.shipped:
            raise Invalid(
                "shipment.quantity",
                _("%(code)s 最多还能发 %(n)s 件")
                % {"code": line.sku.merchant_code, "n": line.quantity - line.shipped},
                {"field": "lines", "line": line.pk},
            )
    result = [(by_id[pk], qty) for pk, qty in parcel.items()]
    if not result:
        raise Invalid("shipment.empty", _("请选择要发货的商品和数量"), {"field": "lines"})
    return result


def _ship_stock(
    actor: Any,
    allocation: Allocation,
    parcel: list[tuple[AllocationLine, int]],
    last: bool,
    number: int,
) -> None:
    """The goods leave as shipment movements. The whole (or the last) parcel consumes the
    order's reservation; a partial parcel moves its part onto its own reference first (release,
    reserve the parcel and the rest again in the same warehouse, in one transaction)."""
    if last:
        stock_ship_for_order(actor=actor, reference=allocation.reference)
        return
    remaining: dict[int, tuple[Sku, int]] = {}
    for line in allocation_lines(allocation):
        remaining.setdefault(line.sku_id, (line.sku, 0))
        sku, qty = remaining[line.sku_id]
        remaining[line.sku_id] = (sku, qty + line.quantity - line.shipped)
    shipping: dict[int, int] = {}
    for line, qty in parcel:
        shipping[line.sku_id] = shipping.get(line.sku_id, 0) + qty
    stock_release_for_order(actor=actor, reference=allocation.reference, reason=_("部分发货拆分"))
    parcel_ref = f"{allocation.reference}:s{number}"
    stock_reserve_for_order(
        actor=actor,
        reference=parcel_ref,
        lines=[(remaining[pk][0], qty) for pk, qty in shipping.items()],
        warehouse=allocation.warehouse,
    )
    rest = [
        (sku, qty - shipping.get(pk, 0))
        for pk, (sku, qty) in remaining.items()
        if qty - shipping.get(pk, 0) > 0
    ]
    if rest:
        stock_reserve_for_order(
            actor=actor, reference=allocation.reference, lines=rest, warehouse=allocation.warehouse
        )
    stock_ship_for_order(actor=actor, reference=parcel_ref)


@transaction.atomic
def shipment_create(
    *,
    actor: Any,
    allocation_id: int,
    tracking_no: str,
    courier: str | Courier | None = None,
    lines: Iterable[tuple[int, int]] | None = None,
    pickup: Pickup | None = None,
    source: str = "manual",
) -> Shipment:
    """发货: a parcel with its courier and tracking number. Without `lines` everything not yet
    shipped goes; with (allocation line id, quantity) pairs only those (部分发货). Stock leaves as
    shipment movements and the order moves to 已发货 or 部分发货."""
    allocation = allocation_get_for_change(
        actor=actor, allocation_id=allocation_id, perm=FulfillmentPerm.SHIP
    )
    number = _tracking_clean(tracking_no)
    chosen, suggested = courier_choose(courier, number)
    if allocation.status not in (A.PACKED, A.PARTIALLY_SHIPPED):
        raise Conflict(
            "shipment.not_packed",
            _("请先完成核对和打包再发货（当前：%(status)s）")
            % {"status": A(allocation.status).label},
            {"field": "status", "status": allocation.status},
        )
    order = allocation.order
    if order.status not in (OrderStatus.REVIEWED, OrderStatus.PARTIALLY_SHIPPED):
        raise Conflict(
            "shipment.order_not_shippable",
            _("订单当前为“%(status)s”，不能发货；请取消配货")
            % {"status": order.get_status_display()},
            {"field": "order", "status": order.status},
        )
    all_lines = allocation_lines(allocation)
    parcel = _parcel(allocation, all_lines, lines)
    shipping = {line.pk: qty for line, qty in parcel}
    last = all(line.quantity - line.shipped - shipping.get(line.pk, 0) == 0 for line in all_lines)
    count = allocation.shipments.count() + 1
    _ship_stock(actor, allocation, parcel, last, count)
    now = clock.now()
    shipment = Shipment.objects.create(
        allocation=allocation,
        order=order,
        store_id=allocation.store_id,
        courier=chosen,
        tracking_no=number,
        suggested_courier=suggested,
        is_partial=not last or allocation.status == A.PARTIALLY_SHIPPED,
        pickup=pickup,
        source=source if source in ("manual", "scan", "import", "api") else "manual",
        shipped_by=actor,
        shipped_at=now,
    )
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, line=line, quantity=qty) for line, qty in parcel]
    )
    for line, qty in parcel:
        AllocationLine.objects.filter(pk=line.pk).update(shipped=F("shipped") + qty)
        line.shipped += qty
    if last:
        order_ship(actor=actor, order_id=order.pk, courier=chosen.name, tracking_no=number)
        _transition(allocation, A.SHIPPED)
        allocation.closed_at = now
    else:
        done_order_lines = {
            line.order_line_id
            for line in all_lines
            if line.order_line_id
            and all(
                other.shipped >= other.quantity
                for other in all_lines
                if other.order_line_id == line.order_line_id
            )
        }
        order_ship_partial(
            actor=actor,
            order_id=order.pk,
            courier=chosen.name,
            tracking_no=number,
            shipped_line_ids=sorted(done_order_lines),
        )
        _transition(allocation, A.PARTIALLY_SHIPPED)
    allocation.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action="fulfillment.shipment.create",
        obj=shipment,
        store=allocation.store_id,
        after={
            "order": order.platform_order_no,
            "courier": chosen.code,
            "suggested": suggested,
            "tracking_no": number,
            "partial": shipment.is_partial,
            "lines": [[line.sku.merchant_code, qty] for line, qty in parcel],
            "source": shipment.source,
        },
    )
    return shipment


# --- tracking numbers in bulk (Excel/CSV) ---------------------------------------------------------
TRACKING_COLUMNS = (
    Column("order_no", "订单号", ("订单编号", "平台订单号", "主订单编号", "订单"), required=True),
    Column("courier", "快递公司", ("物流公司", "快递", "承运商")),
    Column("tracking_no", "运单号", ("快递单号", "物流单号", "运单编号"), required=True),
)


@dataclass
class TrackingRow:
    line: int
    allocation_id: int
    courier: Courier
    tracking_no: str


def _tracking_validator(actor: Any) -> Any:
    seen: dict[str, int] = {}

    def validate(row: Any) -> TrackingRow:
        errors: list[tuple[str, Any]] = []
        order_no = row.text("order_no")
        number = tracking_normalise(row.text("tracking_no"))
        allocation = None
        if not order_no:
            errors.append(("order_no", _("请填写订单号")))
        else:
            found = list(
                Allocation.objects.filter(
                    order__platform_order_no=order_no,
                    store_id__in=actor.store_ids(),
                    status__in=(A.PACKED,),
                ).values_list("pk", flat=True)[:2]
            )
            if len(found) == 1:
                allocation = found[0]
            elif len(found) > 1:
                errors.append(("order_no", _("多个店铺有此订单号，请在页面上逐单发货")))
            elif Allocation.objects.filter(
                order__platform_order_no=order_no, store_id__in=actor.store_ids()
            ).exists():
                errors.append(("order_no", _("该订单未打包或已发货")))
            else:
                errors.append(("order_no", _("找不到配货中的订单 %(no)s") % {"no": order_no}))
            if order_no in seen:
                errors.append(
                    ("order_no", _("与第 %(line)s 行订单号重复") % {"line": seen[order_no]})
                )
            seen.setdefault(order_no, row.line)
        courier = None
        if not number or not TRACKING_PATTERN.match(number):
            errors.append(("tracking_no", _("运单号只能是 6–40 位字母、数字或短横线")))
        else:
            try:
                courier, _suggested = courier_choose(row.text("courier"), number)
            except Invalid as exc:
                errors.append(("courier", exc.message))
        if errors:
            raise RowInvalid(errors)
        return TrackingRow(row.line, allocation, courier, number)

    return validate


@transaction.atomic
def tracking_import(
    *, actor: Any, source: Any, filename: str = "", skip_invalid: bool = False
) -> ImportResult:
    """运单号批量导入: rows of 订单号, 快递公司 (optional: suggested from the number), 运单号. Each row
    ships its packed order in whole. A file with any bad row changes nothing (unless
    `skip_invalid`); errors name the line and column."""
    require(actor, FulfillmentPerm.SHIP)
    table = open_table(source, columns=TRACKING_COLUMNS, filename=filename)

    def apply(batch: list[TrackingRow], result: ImportResult) -> None:
        for record in batch:
            try:
                with transaction.atomic():
                    shipment_create(
                        actor=actor,
                        allocation_id=record.allocation_id,
                        tracking_no=record.tracking_no,
                        courier=record.courier,
                        source="import",
                    )
            except DomainError as exc:
                result.add_error(record.line, "order_no", exc.message)
                result.rejected += 1
            else:
                result.created += 1

    result = run_import(
        table, validate=_tracking_validator(actor), apply=apply, skip_invalid=skip_invalid
    )
    audit_record(
        actor=actor,
        action="fulfillment.tracking.import",
        object_type="fulfillment.tracking_import",
        object_id=filename or "-",
        object_repr=filename or "-",
        after={
            "rows": result.rows,
            "shipped": result.created,
            "rejected": result.rejected,
            "applied": result.applied,
            "errors": [e.as_dict() for e in result.errors[:20]],
        },
    )
    return result


# --- pick-up booking -----------------------------------------------------------------------------
@transaction.atomic
def pickup_book(
    *,
    actor: Any,
    warehouse: Warehouse,
    courier: Courier,
    pickup_at: dt.datetime,
    booking_ref: str = "",
    note: str = "",
    shipment_ids: Sequence[int] = (),
) -> Pickup:
    """揽收预约: a courier booked to collect at a warehouse, optionally naming the parcels."""
    require(actor, FulfillmentPerm.SHIP)
    booking_ref = clean_text(booking_ref, field="booking_ref", limit=64)
    note = clean_text(note, field="note", limit=255)
    if pickup_at is None:
        raise Invalid("pickup.time", _("请填写预约揽收时间"), {"field": "pickup_at"})
    pickup = Pickup.objects.create(
        warehouse=warehouse,
        courier=courier,
        pickup_at=pickup_at,
        booking_ref=booking_ref,
        note=note,
        created_by=actor,
        created_at=clock.now(),
    )
    linked = 0
    if shipment_ids:
        linked = Shipment.objects.filter(
            pk__in=list(shipment_ids),
            store_id__in=actor.store_ids(),
            courier=courier,
            allocation__warehouse=warehouse,
        ).update(pickup=pickup)
    audit_record(
        actor=actor,
        action="fulfillment.pickup.book",
        obj=pickup,
        after={
            "warehouse": warehouse.code,
            "courier": courier.code,
            "pickup_at": pickup_at.isoformat(),
            "booking_ref": booking_ref,
            "shipments": linked,
        },
    )
    return pickup


# --- packing standards and couriers ----------------------------------------------------------------
def _standard_after(standard: PackingStandard) -> dict[str, Any]:
    return {
        "name": standard.name,
        "category": standard.category_id,
        "package_type": standard.package_type,
        "protective_material": standard.protective_material,
        "inserts": standard.inserts,
        "weight_tolerance_g": standard.weight_tolerance_g,
        "is_active": standard.is_active,
    }


@transaction.atomic
def standard_save(
    *,
    actor: Any,
    standard: PackingStandard | None = None,
    name: str,
    category: Category | None,
    package_type: str,
    protective_material: str = "",
    inserts: str = "",
    weight_tolerance_g: int = 50,
    is_active: bool = True,
) -> PackingStandard:
    """Create or change a per-category packing standard (no category: the default one)."""
    require(actor, FulfillmentPerm.MANAGE_STANDARD)
    values = {
        "name": clean_text(name, field="name", required=True, limit=60),
        "category": category,
        "package_type": clean_text(package_type, field="package_type", required=True, limit=100),
        "protective_material": clean_text(
            protective_material, field="protective_material", limit=100
        ),
        "inserts": clean_text(inserts, field="inserts", limit=200),
        "weight_tolerance_g": int(weight_tolerance_g),
        "is_active": bool(is_active),
    }
    if not 0 <= values["weight_tolerance_g"] <= 100_000:
        raise Invalid(
            "standard.tolerance",
            _("重量允差应在 0–100000 克之间"),
            {"field": "weight_tolerance_g"},
        )
    before = _standard_after(standard) if standard is not None else None
    target = standard or PackingStandard()
    for key, value in values.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict(
            "standard.duplicate",
            _("该类目已有打包规范（或已有启用的通用规范）"),
            {"field": "category"},
        ) from exc
    audit_record(
        actor=actor,
        action="fulfillment.standard.update" if standard else "fulfillment.standard.create",
        obj=target,
        before=before,
        after=_standard_after(target),
    )
    return target


def order_for_allocation(*, actor: Any, order_id: int) -> Order:
    """An order in the actor's stores (for pages that start from an order)."""
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is None or not actor.works_in(order.store_id):
        raise NotFound("order.not_found", _("订单不存在"), {"id": order_id})
    return order


def fulfillment_defaults_seed() -> None:
    """The nine couriers and a default packing standard, after every `migrate` (and after a test
    flush, which re-sends post_migrate): couriers are data an administrator edits afterwards, so
    an existing row is never changed."""
    for index, (code, name, kuaidi100, pattern) in enumerate(COURIER_SEED):
        Courier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kuaidi100_code": kuaidi100,
                "pattern": pattern,
                "sort_order": index,
            },
        )
    if not PackingStandard.objects.filter(category__isnull=True).exists():
        PackingStandard.objects.create(
            name="通用打包规范",
            package_type="纸箱或快递袋（按体积选择）",
            protective_material="气泡膜",
            inserts="发货清单",
            weight_tolerance_g=50,
        )
