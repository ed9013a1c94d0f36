"""Warehouses, stock levels and the ledger: input cleaning, receipts and returns (every on-hand
change goes through `_on_hand_change`, which keeps the moving-average cost)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.jobs import on_commit_enqueue
from storeops.core.permissions import has_perm, require
from storeops.core.text import clean_text
from storeops.inventory.enums import (
    MovementKind,
)
from storeops.inventory.models import (
    Movement,
    Reservation,
    StockLevel,
    Warehouse,
)
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.selectors import (
    COST_PERM,
)

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


def on_commit_alert_check(sku: Sku) -> None:
    """Check this SKU's 库存预警 once the transaction commits (a rule changed, stock moved by hand).

    Reservations, the hot path, do not queue a check each: the periodic task checks every rule."""
    on_commit_enqueue("storeops.inventory.tasks.stock_alert_check_task", sku_id=sku.pk, once=True)
