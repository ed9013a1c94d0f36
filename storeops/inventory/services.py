"""Every write of stock: permission-checked, atomic, audited, and recorded as a movement.

Oversell is impossible by construction: a reservation is one conditional UPDATE
(`reserved = reserved + q WHERE on_hand - reserved >= q`), and the CHECK constraints refuse any
negative on hand, reserved or available. Services that touch several levels in one transaction
(orders) take them in a fixed order — warehouse code, then SKU id — so two multi-SKU orders never
deadlock on PostgreSQL; SQLite runs `BEGIN IMMEDIATE`, which serialises writers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.catalog.selectors import sku_expand
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.jobs import on_commit_enqueue
from storeops.core.permissions import has_perm, require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus
from storeops.governance.selectors import approval_for
from storeops.governance.services import (
    approval_cancel,
    approval_decide,
    approval_request,
    approval_require,
)
from storeops.inventory.enums import (
    ADJUSTMENT_TRANSITIONS,
    RESERVATION_TRANSITIONS,
    AdjustmentStatus,
    MovementKind,
    ReservationStatus,
)
from storeops.inventory.models import (
    Movement,
    Reservation,
    StockAdjustment,
    StockLevel,
    StockRule,
    Warehouse,
)
from storeops.inventory.permissions import ADJUSTMENT_APPROVER_ROLES, InventoryPerm
from storeops.inventory.selectors import (
    COST_PERM,
    adjustment_snapshot,
    sku_outlook,
    stock_rules_with_skus,
)
from storeops.notifications.enums import Severity
from storeops.notifications.selectors import users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve

MAX_QUANTITY = 1_000_000  # one movement; levels are bigint
MAX_COST = Decimal("9999999999.9999")
WAREHOUSE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.0001")


# --- input ---------------------------------------------------------------------------------------
def quantity_clean(value: Any, *, field: str = "quantity", signed: bool = False) -> int:
    """A bounded integer: 1…MAX_QUANTITY, or ±1…MAX_QUANTITY when `signed` (never 0)."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise Invalid("quantity.invalid", _("数量必须是整数"), {"field": field}) from None
    low = -MAX_QUANTITY if signed else 1
    if not low <= value <= MAX_QUANTITY or value == 0:
        message = (
            _("调整数量不能为 0，绝对值最多 %(n)s") if signed else _("数量必须在 1 到 %(n)s 之间")
        )
        raise Invalid("quantity.out_of_range", message % {"n": MAX_QUANTITY}, {"field": field})
    return value


def _cost_clean(value: Any) -> Decimal:
    try:
        cost = Decimal(str(value).strip().replace("¥", "").replace(",", ""))
    except ArithmeticError:
        raise Invalid("cost.invalid", _("成本必须是金额"), {"field": "unit_cost"}) from None
    if not cost.is_finite() or cost < 0 or cost > MAX_COST:
        raise Invalid("cost.invalid", _("成本必须是 0 或正的金额"), {"field": "unit_cost"})
    return cost.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def _reference_clean(value: Any) -> str:
    return clean_text(value, field="reference", limit=100)


def _stockable(sku: Sku, warehouse: Warehouse) -> None:
    if sku.is_combo:
        raise Invalid(
            "stock.combo_sku",
            _("组合装没有自己的库存，请按组件操作"),
            {"field": "sku", "sku": sku.merchant_code},
        )
    if not warehouse.is_active:
        raise Invalid("warehouse.inactive", _("仓库已停用"), {"field": "warehouse"})


def _value(quantity: int, cost: Decimal) -> Decimal:
    return (Decimal(quantity) * cost).quantize(CENT, rounding=ROUND_HALF_UP)


# --- warehouses ----------------------------------------------------------------------------------
def _warehouse_snapshot(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "code": warehouse.code,
        "name": warehouse.name,
        "address": warehouse.address,
        "is_active": warehouse.is_active,
    }


@transaction.atomic
def warehouse_create(*, actor: Any, code: str, name: str, address: str = "") -> Warehouse:
    require(actor, InventoryPerm.MANAGE_WAREHOUSE)
    code = clean_text(code, field="code", required=True, limit=32)
    if not WAREHOUSE_CODE.match(code):
        raise Invalid(
            "warehouse.code_invalid",
            _("仓库编码只能用字母、数字和 . _ -，以字母或数字开头"),
            {"field": "code"},
        )
    name = clean_text(name, field="name", required=True, limit=60)
    address = clean_text(address, field="address", limit=200)
    try:
        with transaction.atomic():
            warehouse = Warehouse.objects.create(code=code, name=name, address=address)
    except IntegrityError:
        raise Conflict("warehouse.code_taken", _("仓库编码已存在"), {"field": "code"}) from None
    audit_record(
        actor=actor,
        action="inventory.warehouse.create",
        obj=warehouse,
        after=_warehouse_snapshot(warehouse),
    )
    return warehouse


@transaction.atomic
def warehouse_update(
    *, actor: Any, warehouse: Warehouse, name: str, address: str = "", is_active: bool = True
) -> Warehouse:
    require(actor, InventoryPerm.MANAGE_WAREHOUSE)
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    before = _warehouse_snapshot(warehouse)
    warehouse.name = clean_text(name, field="name", required=True, limit=60)
    warehouse.address = clean_text(address, field="address", limit=200)
    warehouse.is_active = bool(is_active)
    warehouse.save(update_fields=["name", "address", "is_active"])
    audit_record(
        actor=actor,
        action="inventory.warehouse.update",
        obj=warehouse,
        before=before,
        after=_warehouse_snapshot(warehouse),
    )
    return warehouse


# --- levels and the ledger -----------------------------------------------------------------------
def _level_locked(sku: Sku, warehouse: Warehouse) -> StockLevel:
    """The level row, locked (PostgreSQL); created at the SKU's standard cost when missing. Two
    first receipts at once: one INSERT wins, the other finds it (a savepoint catches the loser)."""
    level = StockLevel.objects.select_for_update().filter(sku=sku, warehouse=warehouse).first()
    if level is not None:
        return level
    try:
        with transaction.atomic():
            StockLevel.objects.create(sku=sku, warehouse=warehouse, unit_cost=sku.standard_cost)
    except IntegrityError:
        pass
    return StockLevel.objects.select_for_update().get(sku=sku, warehouse=warehouse)


def _movement(
    *,
    kind: str,
    sku: Sku,
    warehouse: Warehouse,
    actor: Any,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    unit_cost: Decimal = Decimal(0),
    reason: str = "",
    reference: str = "",
    reservation: Reservation | None = None,
    at: Any = None,
) -> Movement:
    return Movement.objects.create(
        kind=kind,
        sku=sku,
        warehouse=warehouse,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        unit_cost=unit_cost,
        value=_value(on_hand_delta, unit_cost),
        reason=reason[:200],
        reference=reference[:100],
        reservation=reservation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at or clock.now(),
    )


def _on_hand_change(
    *,
    actor: Any,
    kind: str,
    sku: Sku,
    warehouse: Warehouse,
    delta: int,
    reason: str = "",
    reference: str = "",
    unit_cost: Decimal | None = None,
) -> Movement:
    """Receipt, return, adjustment, stocktake: on hand moves by `delta` at a unit cost.

    An incoming quantity with its own cost moves the average: (on hand × average + q × cost) /
    (on hand + q). Everything else moves at the current average, which then stays as it is.
    """
    level = _level_locked(sku, warehouse)
    average = level.unit_cost
    cost = average if unit_cost is None else unit_cost
    if delta > 0 and unit_cost is not None:
        total = level.on_hand + delta
        average = ((level.on_hand * level.unit_cost + delta * cost) / total).quantize(
            COST_PLACES, rounding=ROUND_HALF_UP
        )
    if level.on_hand + delta < level.reserved:
        raise Conflict(
            "stock.below_reserved",
            _("调整后在库 %(after)s 少于已预占 %(reserved)s，请先释放预占")
            % {"after": level.on_hand + delta, "reserved": level.reserved},
            {
                "sku": sku.merchant_code,
                "warehouse": warehouse.code,
                "on_hand": level.on_hand,
                "reserved": level.reserved,
                "quantity": delta,
            },
        )
    now = clock.now()
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=F("on_hand") + delta, unit_cost=average, updated_at=now
    )
    return _movement(
        kind=kind,
        sku=sku,
        warehouse=warehouse,
        actor=actor,
        on_hand_delta=delta,
        unit_cost=cost,
        reason=reason,
        reference=reference,
        at=now,
    )


def _movement_after(movement: Movement, *, with_value: bool = True) -> dict[str, Any]:
    after = {
        "kind": movement.kind,
        "sku": movement.sku.merchant_code,
        "warehouse": movement.warehouse.code,
        "on_hand_delta": movement.on_hand_delta,
        "reserved_delta": movement.reserved_delta,
        "reference": movement.reference,
        "reason": movement.reason,
    }
    if with_value:
        after["unit_cost"] = str(movement.unit_cost)
        after["value"] = str(movement.value)
    return after


@transaction.atomic
def stock_receive(
    *,
    actor: Any,
    sku: Sku,
    warehouse: Warehouse,
    quantity: int,
    reference: str = "",
    reason: str = "",
    unit_cost: Any = None,
) -> Movement:
    """Goods in. Without a cost they come in at the current average (the standard cost at first);
    giving a cost needs the right to see costs."""
    require(actor, InventoryPerm.RECEIVE_STOCK)
    quantity = quantity_clean(quantity)
    cost = None
    if unit_cost not in (None, ""):
        if not has_perm(actor, COST_PERM):
            raise Forbidden(
                "cost.forbidden", _("你没有查看成本价的权限，不能填写成本"), {"field": "unit_cost"}
            )
        cost = _cost_clean(unit_cost)
    _stockable(sku, warehouse)
    movement = _on_hand_change(
        actor=actor,
        kind=MovementKind.RECEIPT,
        sku=sku,
        warehouse=warehouse,
        delta=quantity,
        reason=clean_text(reason, field="reason", limit=200),
        reference=_reference_clean(reference),
        unit_cost=cost,
    )
    audit_record(
        actor=actor, action="inventory.stock.receive", obj=movement, after=_movement_after(movement)
    )
    on_commit_alert_check(movement.sku)
    return movement


@transaction.atomic
def stock_return(
    *,
    actor: Any,
    sku: Sku,
    warehouse: Warehouse,
    quantity: int,
    reference: str = "",
    reason: str = "",
) -> Movement:
    """Goods back from a customer, at the current average cost."""
    require(actor, InventoryPerm.RETURN_STOCK)
    quantity = quantity_clean(quantity)
    _stockable(sku, warehouse)
    movement = _on_hand_change(
        actor=actor,
        kind=MovementKind.RETURN,
        sku=sku,
        warehouse=warehouse,
        delta=quantity,
        reason=clean_text(reason, field="reason", limit=200),
        reference=_reference_clean(reference),
    )
    audit_record(
        actor=actor, action="inventory.stock.return", obj=movement, after=_movement_after(movement)
    )
    on_commit_alert_check(movement.sku)
    return movement


# --- reservations --------------------------------------------------------------------------------
def _insufficient(sku: Sku, warehouse: Warehouse, quantity: int) -> Conflict:
    level = StockLevel.objects.filter(sku=sku, warehouse=warehouse).first()
    available = level.available if level else 0
    return Conflict(
        "stock.insufficient",
        _("库存不足：%(sku)s 在 %(warehouse)s 可用 %(available)s，需要 %(quantity)s")
        % {
            "sku": sku.merchant_code,
            "warehouse": warehouse.code,
            "available": available,
            "quantity": quantity,
        },
        {
            "sku": sku.merchant_code,
            "warehouse": warehouse.code,
            "requested": quantity,
            "available": available,
        },
    )


def _reserve_one(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reference: str, now: Any
) -> Reservation:
    """The one conditional UPDATE that decides: it takes the row lock and re-checks the condition
    against the committed row (PostgreSQL READ COMMITTED re-evaluates after a wait)."""
    taken = StockLevel.objects.filter(
        sku=sku, warehouse=warehouse, on_hand__gte=F("reserved") + quantity
    ).update(reserved=F("reserved") + quantity, updated_at=now)
    if not taken:
        raise _insufficient(sku, warehouse, quantity)
    reservation = Reservation.objects.create(
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reference=reference,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    _movement(
        kind=MovementKind.RESERVATION,
        sku=sku,
        warehouse=warehouse,
        actor=actor,
        reserved_delta=quantity,
        reference=reference,
        reservation=reservation,
        at=now,
    )
    return reservation


def _reservation_after(reservation: Reservation) -> dict[str, Any]:
    return {
        "sku": reservation.sku.merchant_code,
        "warehouse": reservation.warehouse.code,
        "quantity": reservation.quantity,
        "reference": reservation.reference,
        "status": reservation.status,
    }


@transaction.atomic
def stock_reserve(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reference: str = ""
) -> Reservation:
    """Hold `quantity` of one SKU in one warehouse, or 409 `stock.insufficient`."""
    require(actor, InventoryPerm.RESERVE_STOCK)
    quantity = quantity_clean(quantity)
    reference = _reference_clean(reference)
    _stockable(sku, warehouse)
    reservation = _reserve_one(
        actor=actor,
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reference=reference,
        now=clock.now(),
    )
    audit_record(
        actor=actor,
        action="inventory.reservation.create",
        obj=reservation,
        after=_reservation_after(reservation),
    )
    return reservation


def _order_needs(lines: Iterable[tuple[Sku, int]]) -> list[tuple[Sku, int]]:
    """Combos expanded into their components, quantities summed per SKU, in SKU id order."""
    needs: dict[int, list[Any]] = {}
    for sku, quantity in lines:
        for part, part_quantity in sku_expand(sku, quantity_clean(quantity)):
            needs.setdefault(part.pk, [part, 0])[1] += part_quantity
    return [(part, total) for _pk, (part, total) in sorted(needs.items())]


@transaction.atomic
def stock_reserve_for_order(
    *,
    actor: Any,
    reference: str,
    lines: Sequence[tuple[Sku, int]],
    warehouse: Warehouse | None = None,
) -> list[Reservation]:
    """Reserve every line of an order, all or nothing (the seam for "reserve at review").

    Combos are expanded. Without a warehouse, the active warehouses are tried in code order and
    the first that holds every line is used. Rows are locked in (warehouse code, SKU id) order, so
    two orders with the same SKUs in opposite order cannot deadlock. Refused with 409
    `stock.insufficient` (details list each short line) when no warehouse holds it all.
    """
    require(actor, InventoryPerm.RESERVE_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    needs = _order_needs(lines)
    if not needs:
        raise Invalid("order.no_lines", _("没有需要预占的商品"), {"field": "lines"})
    houses = (
        [warehouse]
        if warehouse is not None
        else list(Warehouse.objects.filter(is_active=True).order_by("code"))
    )
    if not houses:
        raise Conflict("warehouse.none_active", _("没有启用的仓库"))
    short: list[dict[str, Any]] = []
    now = clock.now()
    for house in houses:
        if not house.is_active:
            raise Invalid("warehouse.inactive", _("仓库已停用"), {"field": "warehouse"})
        try:
            with transaction.atomic():
                reservations = [
                    _reserve_one(
                        actor=actor,
                        sku=sku,
                        warehouse=house,
                        quantity=quantity,
                        reference=reference,
                        now=now,
                    )
                    for sku, quantity in needs
                ]
        except Conflict as exc:
            if exc.code != "stock.insufficient":
                raise
            short.append(exc.details)
            continue
        audit_record(
            actor=actor,
            action="inventory.reservation.create_for_order",
            object_type="inventory.order_reference",
            object_id=reference,
            object_repr=reference,
            after={
                "warehouse": house.code,
                "lines": [[r.sku.merchant_code, r.quantity] for r in reservations],
                "reservations": [r.pk for r in reservations],
            },
        )
        return reservations
    raise Conflict(
        "stock.insufficient",
        _("库存不足，无法预占：%(lines)s")
        % {"lines": "、".join(f"{d['sku']}@{d['warehouse']}" for d in short)},
        {"short": short},
    )


def _close(reservation: Reservation, status: str) -> Reservation:
    """ACTIVE → RELEASED/CONSUMED as one conditional UPDATE: two callers, one wins, one 409."""
    if status not in RESERVATION_TRANSITIONS[ReservationStatus.ACTIVE]:
        raise ValueError(status)
    now = clock.now()
    closed = Reservation.objects.filter(pk=reservation.pk, status=ReservationStatus.ACTIVE).update(
        status=status, closed_at=now
    )
    if not closed:
        raise Conflict(
            "reservation.not_active",
            _("该预占已释放或已出库"),
            {"reservation": reservation.pk},
        )
    reservation.status = status
    reservation.closed_at = now
    return reservation


def _release(*, actor: Any, reservation: Reservation, reason: str) -> Reservation:
    _close(reservation, ReservationStatus.RELEASED)
    StockLevel.objects.filter(
        sku_id=reservation.sku_id, warehouse_id=reservation.warehouse_id
    ).update(reserved=F("reserved") - reservation.quantity, updated_at=reservation.closed_at)
    _movement(
        kind=MovementKind.RELEASE,
        sku=reservation.sku,
        warehouse=reservation.warehouse,
        actor=actor,
        reserved_delta=-reservation.quantity,
        reason=reason,
        reference=reservation.reference,
        reservation=reservation,
        at=reservation.closed_at,
    )
    return reservation


@transaction.atomic
def reservation_release(*, actor: Any, reservation: Reservation, reason: str = "") -> Reservation:
    require(actor, InventoryPerm.RESERVE_STOCK)
    reason = clean_text(reason, field="reason", limit=200)
    _release(actor=actor, reservation=reservation, reason=reason)
    audit_record(
        actor=actor,
        action="inventory.reservation.release",
        obj=reservation,
        after=_reservation_after(reservation),
    )
    return reservation


def _active_for(reference: str) -> list[Reservation]:
    """An order's active reservations in lock order (warehouse code, SKU id)."""
    return list(
        Reservation.objects.select_related("sku", "warehouse")
        .filter(reference=reference, status=ReservationStatus.ACTIVE)
        .order_by("warehouse__code", "sku_id", "id")
    )


@transaction.atomic
def stock_release_for_order(*, actor: Any, reference: str, reason: str = "") -> int:
    """Release every active reservation made under this order reference (cancelled before
    shipment, or back from review). Returns how many were released; 0 is not an error."""
    require(actor, InventoryPerm.RESERVE_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    reason = clean_text(reason, field="reason", limit=200)
    released = [_release(actor=actor, reservation=r, reason=reason) for r in _active_for(reference)]
    if released:
        audit_record(
            actor=actor,
            action="inventory.reservation.release_for_order",
            object_type="inventory.order_reference",
            object_id=reference,
            object_repr=reference,
            after={"reservations": [r.pk for r in released], "reason": reason},
        )
    return len(released)


def _ship(*, actor: Any, reservation: Reservation, reference: str) -> Movement:
    _close(reservation, ReservationStatus.CONSUMED)
    level = _level_locked(reservation.sku, reservation.warehouse)
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=F("on_hand") - reservation.quantity,
        reserved=F("reserved") - reservation.quantity,
        updated_at=reservation.closed_at,
    )
    return _movement(
        kind=MovementKind.SHIPMENT,
        sku=reservation.sku,
        warehouse=reservation.warehouse,
        actor=actor,
        on_hand_delta=-reservation.quantity,
        reserved_delta=-reservation.quantity,
        unit_cost=level.unit_cost,
        reference=reference or reservation.reference,
        reservation=reservation,
        at=reservation.closed_at,
    )


@transaction.atomic
def reservation_ship(*, actor: Any, reservation: Reservation, reference: str = "") -> Movement:
    """The goods leave: the reservation is consumed, on hand and reserved both go down. Shipment
    movements are the sales figures inventory uses (days of cover, a stocktake week's sales)."""
    require(actor, InventoryPerm.SHIP_STOCK)
    movement = _ship(actor=actor, reservation=reservation, reference=_reference_clean(reference))
    audit_record(
        actor=actor, action="inventory.stock.ship", obj=movement, after=_movement_after(movement)
    )
    on_commit_alert_check(movement.sku)
    return movement


@transaction.atomic
def stock_ship_for_order(*, actor: Any, reference: str) -> list[Movement]:
    """Ship every active reservation of an order reference (fulfillment calls this at 发货)."""
    require(actor, InventoryPerm.SHIP_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    reservations = _active_for(reference)
    if not reservations:
        raise Conflict(
            "reservation.none_active", _("该订单没有可出库的预占"), {"reference": reference}
        )
    movements = [_ship(actor=actor, reservation=r, reference=reference) for r in reservations]
    audit_record(
        actor=actor,
        action="inventory.stock.ship_for_order",
        object_type="inventory.order_reference",
        object_id=reference,
        object_repr=reference,
        after={"lines": [[m.sku.merchant_code, -m.on_hand_delta] for m in movements]},
    )
    for movement in movements:
        on_commit_alert_check(movement.sku)
    return movements


# --- adjustments (R5.1: applied only after someone else approved) -------------------------------
def _adjustment_set_status(adjustment: StockAdjustment, status: str) -> None:
    if status not in ADJUSTMENT_TRANSITIONS[AdjustmentStatus(adjustment.status)]:
        raise Conflict(
            "adjustment.wrong_status",
            _("调整单当前状态为“%(status)s”，不能这样操作")
            % {"status": adjustment.get_status_display()},
        )
    adjustment.status = status
    adjustment.decided_at = clock.now()


@transaction.atomic
def adjustment_request(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reason: str
) -> StockAdjustment:
    require(actor, InventoryPerm.REQUEST_ADJUSTMENT)
    quantity = quantity_clean(quantity, signed=True)
    reason = clean_text(reason, field="reason", required=True, limit=200)
    _stockable(sku, warehouse)
    adjustment = StockAdjustment.objects.create(
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    approval_request(
        actor=actor,
        obj=adjustment,
        snapshot=adjustment_snapshot(adjustment),
        title=_("库存调整：%(sku)s @ %(warehouse)s %(quantity)+d")
        % {"sku": sku.merchant_code, "warehouse": warehouse.code, "quantity": quantity},
        approver_roles=ADJUSTMENT_APPROVER_ROLES,
        url=reverse("inventory:adjustment_detail", args=[adjustment.pk]),
    )
    audit_record(
        actor=actor,
        action="inventory.adjustment.request",
        obj=adjustment,
        after=adjustment_snapshot(adjustment),
    )
    return adjustment


@transaction.atomic
def adjustment_decide(
    *, actor: Any, adjustment: StockAdjustment, approve: bool, comment: str = ""
) -> StockAdjustment:
    """Approve (and apply, in the same transaction) or reject. Governance decides who may: the
    step's roles, never the requester. An adjustment that would take on hand below what is
    reserved is refused whole, and the approval stays pending."""
    require(actor, InventoryPerm.APPROVE_ADJUSTMENT)
    adjustment = (
        StockAdjustment.objects.select_for_update()
        .select_related("sku", "warehouse")
        .get(pk=adjustment.pk)
    )
    if adjustment.status != AdjustmentStatus.PENDING:
        raise Conflict(
            "adjustment.wrong_status",
            _("调整单当前状态为“%(status)s”，不能审批")
            % {"status": adjustment.get_status_display()},
        )
    approval = approval_for(adjustment)
    if approval is None or approval.status != ApprovalStatus.PENDING:
        raise Conflict("approval.missing", _("该调整单没有待审批的申请"))
    approval = approval_decide(actor=actor, approval=approval, approve=approve, comment=comment)
    if approval.status == ApprovalStatus.PENDING:  # a further step waits
        return adjustment
    before = {"status": adjustment.status}
    if approval.status == ApprovalStatus.APPROVED:
        approval_require(obj=adjustment, snapshot=adjustment_snapshot(adjustment))
        movement = _on_hand_change(
            actor=actor,
            kind=MovementKind.ADJUSTMENT,
            sku=adjustment.sku,
            warehouse=adjustment.warehouse,
            delta=adjustment.quantity,
            reason=adjustment.reason,
            reference=f"ADJ-{adjustment.pk}",
        )
        _adjustment_set_status(adjustment, AdjustmentStatus.APPLIED)
        adjustment.movement = movement
    else:
        _adjustment_set_status(adjustment, AdjustmentStatus.REJECTED)
    adjustment.save(update_fields=["status", "decided_at", "movement"])
    audit_record(
        actor=actor,
        action="inventory.adjustment.apply"
        if adjustment.status == AdjustmentStatus.APPLIED
        else "inventory.adjustment.reject",
        obj=adjustment,
        before=before,
        after={**adjustment_snapshot(adjustment), "status": adjustment.status},
    )
    if adjustment.status == AdjustmentStatus.APPLIED:
        on_commit_alert_check(adjustment.sku)
    return adjustment


@transaction.atomic
def adjustment_cancel(*, actor: Any, adjustment: StockAdjustment) -> StockAdjustment:
    """The requester withdraws a pending adjustment (and its approval request)."""
    adjustment = StockAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.requested_by_id != getattr(actor, "pk", None):
        raise Forbidden("adjustment.not_requester", _("只有申请人可以撤销调整单"))
    _adjustment_set_status(adjustment, AdjustmentStatus.CANCELLED)
    approval = approval_for(adjustment)
    if approval is not None and approval.status == ApprovalStatus.PENDING:
        approval_cancel(actor=actor, approval=approval)
    adjustment.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="inventory.adjustment.cancel",
        obj=adjustment,
        before={"status": AdjustmentStatus.PENDING},
        after={"status": adjustment.status},
    )
    return adjustment


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


def on_commit_alert_check(sku: Sku) -> None:
    """Check this SKU's 库存预警 once the transaction commits (a rule changed, stock moved by hand).

    Reservations, the hot path, do not queue a check each: the periodic task checks every rule."""
    on_commit_enqueue("storeops.inventory.tasks.stock_alert_check_task", sku_id=sku.pk, once=True)


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
