"""Reading fulfillment: allocations in the actor's stores, orders waiting for allocation, couriers
and the number-format suggestion, the packing standard of an order, reports."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from storeops.catalog.models import Sku
from storeops.core.errors import NotFound
from storeops.core.permissions import require
from storeops.fulfillment.enums import OPEN_ALLOCATION, PackExceptionKind
from storeops.fulfillment.models import (
    Allocation,
    AllocationLine,
    Courier,
    PackException,
    PackingStandard,
    Shipment,
    Wave,
)
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.orders.enums import OrderStatus
from storeops.orders.models import Order


def _missing(allocation_id: Any = None) -> NotFound:
    return NotFound("allocation.not_found", _("配货单不存在"), {"id": allocation_id})


# --- couriers ------------------------------------------------------------------------------------
def courier_list(*, active_only: bool = True) -> list[Courier]:
    found = Courier.objects.all()
    if active_only:
        found = found.filter(is_active=True)
    return list(found.order_by("sort_order", "code"))


def tracking_normalise(value: str) -> str:
    """A scanned or typed number: spaces out, letters upper-case (couriers print them so)."""
    return re.sub(r"\s+", "", value or "").upper()


def courier_suggest(tracking_no: str, couriers: list[Courier] | None = None) -> Courier | None:
    """The first active courier whose pattern matches the number; None when none does. A hint:
    no caller refuses a number because of this."""
    number = tracking_normalise(tracking_no)
    if not number:
        return None
    for courier in couriers if couriers is not None else courier_list():
        if not courier.pattern:
            continue
        try:
            if re.fullmatch(courier.pattern, number):
                return courier
        except re.error:  # an edited pattern that does not compile only loses its hint
            continue
    return None


def courier_by_value(value: str) -> Courier | None:
    """A courier by its code (SF), its name (顺丰) or its kuaidi100 code, active or not."""
    text = (value or "").strip()
    if not text:
        return None
    return (
        Courier.objects.filter(Q(code__iexact=text) | Q(name=text) | Q(kuaidi100_code__iexact=text))
        .order_by("-is_active", "sort_order")
        .first()
    )


# --- allocations ---------------------------------------------------------------------------------
def allocation_get(
    *, actor: Any, allocation_id: int, perm: str = FulfillmentPerm.VIEW
) -> Allocation:
    found = (
        Allocation.objects.select_related("order", "store", "warehouse", "wave", "standard")
        .filter(pk=allocation_id)
        .first()
    )
    if found is None or not actor.works_in(found.store_id):
        raise _missing(allocation_id)
    require(actor, perm, store=found.store_id)
    return found


def allocation_get_for_change(*, actor: Any, allocation_id: int, perm: str) -> Allocation:
    """The allocation locked for a write; 404 outside the actor's stores."""
    if not getattr(actor, "is_authenticated", False):
        raise _missing(allocation_id)
    locked = Allocation.objects.select_for_update().filter(pk=allocation_id).first()
    if locked is None or not actor.works_in(locked.store_id):
        raise _missing(allocation_id)
    require(actor, perm, store=locked.store_id)
    return Allocation.objects.select_related("order", "store", "warehouse", "standard").get(
        pk=locked.pk
    )


def allocation_open_for_order(order_id: int) -> Allocation | None:
    return (
        Allocation.objects.select_related("warehouse")
        .filter(order_id=order_id, status__in=OPEN_ALLOCATION)
        .first()
    )


def allocation_lines(allocation: Allocation) -> list[AllocationLine]:
    return list(allocation.lines.select_related("sku__product", "order_line").order_by("id"))


@dataclass
class AllocationFilter:
    status: str = ""
    store: int | None = None
    warehouse: int | None = None
    q: str = ""


def allocation_list(*, actor: Any, filters: AllocationFilter | None = None) -> QuerySet[Allocation]:
    require(actor, FulfillmentPerm.VIEW)
    filters = filters or AllocationFilter()
    found = Allocation.objects.filter(store_id__in=actor.store_ids()).select_related(
        "order", "store", "warehouse", "wave"
    )
    if filters.status == "open":
        found = found.filter(status__in=OPEN_ALLOCATION)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.store:
        found = found.filter(store_id=filters.store)
    if filters.warehouse:
        found = found.filter(warehouse_id=filters.warehouse)
    if filters.q:
        found = found.filter(order__platform_order_no__icontains=filters.q)
    return found


def orders_to_allocate(*, actor: Any, store: int | None = None) -> QuerySet[Order]:
    """Reviewed orders (已审核(待发货)) in the actor's stores without an open allocation."""
    require(actor, FulfillmentPerm.VIEW)
    open_orders = Allocation.objects.filter(status__in=OPEN_ALLOCATION).values("order_id")
    found = (
        Order.objects.filter(store_id__in=actor.store_ids(), status=OrderStatus.REVIEWED)
        .exclude(pk__in=open_orders)
        .select_related("store")
    )
    if store:
        found = found.filter(store_id=store)
    return found.order_by("created_at", "id")


def wave_get(*, actor: Any, wave_id: int) -> tuple[Wave, list[Allocation]]:
    """A wave and its allocations in the actor's stores (404 when none of them is theirs)."""
    require(actor, FulfillmentPerm.VIEW)
    wave = Wave.objects.select_related("warehouse").filter(pk=wave_id).first()
    if wave is None:
        raise NotFound("wave.not_found", _("波次不存在"), {"id": wave_id})
    allocations = list(
        wave.allocations.filter(store_id__in=actor.store_ids())
        .select_related("order", "store")
        .order_by("id")
    )
    if not allocations:
        raise NotFound("wave.not_found", _("波次不存在"), {"id": wave_id})
    return wave, allocations


def wave_list(*, actor: Any) -> QuerySet[Wave]:
    require(actor, FulfillmentPerm.VIEW)
    return (
        Wave.objects.filter(allocations__store_id__in=actor.store_ids())
        .distinct()
        .select_related("warehouse", "created_by")
    )


# --- packing standard ----------------------------------------------------------------------------
def standard_default() -> PackingStandard | None:
    return PackingStandard.objects.filter(category__isnull=True, is_active=True).first()


def standard_for_skus(skus: list[Sku]) -> PackingStandard | None:
    """The standard of the first product category (walking up the tree) that has one; else the
    default standard."""
    for sku in skus:
        category = sku.product.category
        while category is not None:
            found = PackingStandard.objects.filter(category=category, is_active=True).first()
            if found is not None:
                return found
            category = category.parent
    return standard_default()


def standard_list(*, actor: Any) -> QuerySet[PackingStandard]:
    require(actor, FulfillmentPerm.VIEW)
    return PackingStandard.objects.select_related("category").order_by("-is_active", "name")


def expected_weight(lines: list[AllocationLine]) -> int:
    return sum(line.sku.weight_g * line.quantity for line in lines)


# --- reports and exports -------------------------------------------------------------------------
def exception_report(*, actor: Any, date_from: dt.datetime, date_to: dt.datetime) -> dict[str, Any]:
    """Exceptions counted by kind (and per store) in [date_from, date_to)."""
    require(actor, FulfillmentPerm.VIEW)
    rows = PackException.objects.filter(
        store_id__in=actor.store_ids(), at__gte=date_from, at__lt=date_to
    ).select_related("allocation__order", "store", "actor")
    by_kind: Counter[str] = Counter()
    items = []
    for row in rows.order_by("-at", "-id"):
        by_kind[row.kind] += 1
        items.append(row)
    packed = Allocation.objects.filter(
        store_id__in=actor.store_ids(), packed_at__gte=date_from, packed_at__lt=date_to
    ).count()
    return {
        "by_kind": [
            {"kind": kind, "label": label, "count": by_kind.get(kind, 0)}
            for kind, label in PackExceptionKind.choices
        ],
        "total": sum(by_kind.values()),
        "packed": packed,
        "items": items,
    }


def shipment_list(
    *,
    actor: Any,
    store: int | None = None,
    date_from: dt.datetime | None = None,
    date_to: dt.datetime | None = None,
) -> QuerySet[Shipment]:
    require(actor, FulfillmentPerm.VIEW)
    found = Shipment.objects.filter(store_id__in=actor.store_ids()).select_related(
        "order", "store", "courier", "shipped_by"
    )
    if store:
        found = found.filter(store_id=store)
    if date_from is not None:
        found = found.filter(shipped_at__gte=date_from)
    if date_to is not None:
        found = found.filter(shipped_at__lt=date_to)
    return found
