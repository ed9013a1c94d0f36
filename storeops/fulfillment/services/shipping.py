"""发货 (R2.9): couriers, shipments (whole or partial) with tracking numbers typed, scanned or
imported in bulk, pick-up booking, and the couriers seeded after every migrate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import Conflict, DomainError, Invalid
from storeops.core.imports import Column, ImportResult, RowInvalid, open_table, run_import
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.fulfillment.enums import (
    COURIER_SEED,
)
from storeops.fulfillment.models import (
    Allocation,
    AllocationLine,
    Courier,
    PackingStandard,
    Pickup,
    Shipment,
    ShipmentLine,
)
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.fulfillment.selectors import (
    allocation_get_for_change,
    allocation_lines,
    courier_by_value,
    courier_suggest,
    tracking_normalise,
)
from storeops.fulfillment.services.common import A, _transition
from storeops.inventory.models import Warehouse
from storeops.inventory.services import (
    stock_ship_for_order,
    stock_ship_part_for_order,
)
from storeops.orders.enums import OrderStatus
from storeops.orders.services.shipping import order_ship_partial
from storeops.orders.services.transactions import TRACKING_PATTERN, order_ship


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
    order's reservation; a partial parcel ships its part out of it under its own reference
    (`<reference>:s<n>`), and the rest stays reserved — one movement per SKU, nothing released or
    reserved again."""
    if last:
        stock_ship_for_order(actor=actor, reference=allocation.reference)
        return
    stock_ship_part_for_order(
        actor=actor,
        reference=allocation.reference,
        lines=[(line.sku, qty) for line, qty in parcel],
        parcel_reference=f"{allocation.reference}:s{number}",
    )


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
