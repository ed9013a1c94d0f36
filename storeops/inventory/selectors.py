"""Reading stock: warehouses, levels, the ledger, reservations, adjustments, and the invariant check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import connections
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from storeops.catalog.models import Sku
from storeops.core.errors import Invalid, NotFound
from storeops.core.permissions import has_perm, require
from storeops.inventory.enums import (
    PURCHASE_OPEN_STATUSES,
    MovementKind,
    ReservationStatus,
    ShareMode,
)
from storeops.inventory.models import (
    Movement,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    StockAdjustment,
    StockLevel,
    StockRule,
    Stocktake,
    StoreStockShare,
    Warehouse,
)
from storeops.inventory.permissions import InventoryPerm

COST_PERM = (
    "catalog.view_cost"  # unit cost and stock value leak margins, as the catalog's cost does
)


def can_view_value(actor: Any) -> bool:
    return has_perm(actor, COST_PERM)


# --- warehouses ----------------------------------------------------------------------------------
def warehouse_list(*, actor: Any, active_only: bool = False) -> QuerySet[Warehouse]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = Warehouse.objects.all()
    return found.filter(is_active=True) if active_only else found


def warehouse_get_for_change(*, actor: Any, warehouse_id: int) -> Warehouse:
    require(actor, InventoryPerm.MANAGE_WAREHOUSE)
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound("warehouse.not_found", _("仓库不存在"))
    return warehouse


def warehouse_by_code(code: str, *, field: str = "warehouse") -> Warehouse:
    """A warehouse named in input; unknown is invalid input with the field named."""
    warehouse = Warehouse.objects.filter(code=str(code or "").strip()).first()
    if warehouse is None:
        raise Invalid("warehouse.not_found", _("仓库不存在"), {"field": field})
    return warehouse


def sku_by_code(code: str, *, field: str = "sku") -> Sku:
    sku = Sku.objects.filter(merchant_code=str(code or "").strip()).first()
    if sku is None:
        raise Invalid("sku.not_found", _("商家编码不存在"), {"field": field})
    return sku


# the columns a stock write uses, each tuple in its model's field order (Model.from_db needs it)
_SKU_COLUMNS = ("id", "product_id", "merchant_code", "is_combo", "is_active")
_WAREHOUSE_COLUMNS = ("id", "code", "name", "is_active")
# table names come from the models' meta, never from input; values are always parameters
_SKU_AND_WAREHOUSE = (
    f"SELECT {', '.join('s.' + c for c in _SKU_COLUMNS)}, "  # noqa: S608
    f"{', '.join('w.' + c for c in _WAREHOUSE_COLUMNS)} "
    f"FROM {Sku._meta.db_table} s LEFT JOIN {Warehouse._meta.db_table} w ON w.code = %s "
    "WHERE s.merchant_code = %s"
)


def sku_and_warehouse_by_code(sku_code: str, warehouse_code: str) -> tuple[Sku, Warehouse]:
    """Both objects named in one API request, in one query (the reservation endpoint's hot path):
    the same answers as `sku_by_code` then `warehouse_by_code`. Only the columns a stock write
    uses are read; any other field loads on first access (Django's deferred fields)."""
    sku_code, warehouse_code = str(sku_code or "").strip(), str(warehouse_code or "").strip()
    connection = connections[Sku.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_SKU_AND_WAREHOUSE, [warehouse_code, sku_code])
        row = cursor.fetchone()
    if row is None:
        raise Invalid("sku.not_found", _("商家编码不存在"), {"field": "sku"})
    sku_id, product_id, merchant_code, is_combo, sku_active, house_id, code, name, active = row
    if house_id is None:
        raise Invalid("warehouse.not_found", _("仓库不存在"), {"field": "warehouse"})
    # SQLite hands booleans back as integers
    sku = Sku.from_db(
        connection.alias,
        _SKU_COLUMNS,
        (sku_id, product_id, merchant_code, bool(is_combo), bool(sku_active)),
    )
    warehouse = Warehouse.from_db(
        connection.alias, _WAREHOUSE_COLUMNS, (house_id, code, name, bool(active))
    )
    return sku, warehouse


# --- levels --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StockFilter:
    sku: str = ""  # exact merchant code
    warehouse: str = ""  # exact warehouse code
    q: str = ""  # part of a merchant code, barcode or product name
    only_available: bool = False
    below_safety: bool = False


def stock_list(*, actor: Any, filters: StockFilter | None = None) -> QuerySet[StockLevel]:
    require(actor, InventoryPerm.VIEW_STOCK)
    filters = filters or StockFilter()
    found = StockLevel.objects.select_related("sku__product", "warehouse").annotate(
        available_qty=F("on_hand") - F("reserved"),
        stock_value=ExpressionWrapper(
            F("on_hand") * F("unit_cost"),
            output_field=DecimalField(max_digits=24, decimal_places=4),
        ),
    )
    if filters.sku:
        found = found.filter(sku__merchant_code=filters.sku)
    if filters.warehouse:
        found = found.filter(warehouse__code=filters.warehouse)
    if filters.q:
        found = found.filter(
            Q(sku__merchant_code__icontains=filters.q)
            | Q(sku__barcode=filters.q)
            | Q(sku__product__name__icontains=filters.q)
        )
    if filters.only_available:
        found = found.filter(on_hand__gt=F("reserved"))
    if filters.below_safety:
        found = found.filter(sku__stock_rule__safety_stock__gt=F("on_hand") - F("reserved"))
    return found


def stock_level_get(*, actor: Any, sku: Sku, warehouse: Warehouse) -> StockLevel | None:
    require(actor, InventoryPerm.VIEW_STOCK)
    return StockLevel.objects.filter(sku=sku, warehouse=warehouse).first()


def stock_totals(*, actor: Any, filters: StockFilter | None = None) -> dict[str, Any]:
    """Figures for the stock page's header, over the same filter as the list."""
    totals = (
        stock_list(actor=actor, filters=filters)
        .order_by()
        .aggregate(
            total_on_hand=Sum("on_hand"),
            total_reserved=Sum("reserved"),
            total_value=Sum("stock_value"),
        )
    )
    on_hand, reserved = totals["total_on_hand"] or 0, totals["total_reserved"] or 0
    return {
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "value": (totals["total_value"] or Decimal(0)).quantize(Decimal("0.01")),
    }


def sku_available(sku: Sku) -> int:
    """Available across every active warehouse (alerts and available-to-sell)."""
    totals = StockLevel.objects.filter(sku=sku, warehouse__is_active=True).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    return (totals["on_hand"] or 0) - (totals["reserved"] or 0)


# --- ledger --------------------------------------------------------------------------------------
def movement_list(
    *, actor: Any, sku: Sku, warehouse: Warehouse | None = None, kind: str = ""
) -> QuerySet[Movement]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = Movement.objects.filter(sku=sku).select_related("warehouse", "actor")
    if warehouse is not None:
        found = found.filter(warehouse=warehouse)
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-id")


def sku_get_for_view(*, actor: Any, sku_id: int) -> Sku:
    require(actor, InventoryPerm.VIEW_STOCK)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound("sku.not_found", _("SKU 不存在"))
    return sku


def shipped_quantity(*, sku: Sku, since: Any, until: Any = None) -> int:
    """Units that left as shipments: the sales figure inventory keeps itself (not from orders)."""
    found = Movement.objects.filter(sku=sku, kind=MovementKind.SHIPMENT, created_at__gte=since)
    if until is not None:
        found = found.filter(created_at__lt=until)
    return -(found.aggregate(n=Sum("on_hand_delta"))["n"] or 0)


# --- reservations --------------------------------------------------------------------------------
def reservation_get_for_change(*, actor: Any, reservation_id: int, perm: str) -> Reservation:
    require(actor, perm)
    reservation = (
        Reservation.objects.select_related("sku", "warehouse").filter(pk=reservation_id).first()
    )
    if reservation is None:
        raise NotFound("reservation.not_found", _("预占不存在"))
    return reservation


def reservation_list(*, actor: Any, active_only: bool = True) -> QuerySet[Reservation]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = Reservation.objects.select_related("sku", "warehouse", "created_by")
    return found.filter(status=ReservationStatus.ACTIVE) if active_only else found


# --- adjustments ---------------------------------------------------------------------------------
def adjustment_list(*, actor: Any, status: str = "") -> QuerySet[StockAdjustment]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = StockAdjustment.objects.select_related("sku__product", "warehouse", "requested_by")
    return found.filter(status=status) if status else found


def adjustment_get(*, actor: Any, adjustment_id: int) -> StockAdjustment:
    require(actor, InventoryPerm.VIEW_STOCK)
    adjustment = (
        StockAdjustment.objects.select_related("sku__product", "warehouse", "requested_by")
        .filter(pk=adjustment_id)
        .first()
    )
    if adjustment is None:
        raise NotFound("adjustment.not_found", _("调整单不存在"))
    return adjustment


def adjustment_snapshot(adjustment: StockAdjustment) -> dict[str, Any]:
    """What the approver approves: exactly this SKU, warehouse, quantity and reason."""
    return {
        "sku": adjustment.sku.merchant_code,
        "warehouse": adjustment.warehouse.code,
        "quantity": adjustment.quantity,
        "reason": adjustment.reason,
    }


# --- rules ---------------------------------------------------------------------------------------
def stock_rule_for(sku: Sku) -> StockRule | None:
    return StockRule.objects.filter(sku=sku).first()


# --- the invariant -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mismatch:
    sku: str
    warehouse: str
    field: str
    level: int
    expected: int
    source: str

    def describe(self) -> str:
        return (
            f"SKU {self.sku} @ {self.warehouse}: {self.field} = {self.level}, "
            f"{self.source} = {self.expected}"
        )


def ledger_mismatches() -> Iterator[Mismatch]:
    """Every SKU × warehouse where the level differs from the sum of its movements (on hand,
    reserved) or from its active reservations (reserved), in (SKU code, warehouse code) order."""
    sums = {
        (row["sku_id"], row["warehouse_id"]): (row["on_hand"] or 0, row["reserved"] or 0)
        for row in Movement.objects.values("sku_id", "warehouse_id")
        .order_by()
        .annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    }
    held = {
        (row["sku_id"], row["warehouse_id"]): row["n"] or 0
        for row in Reservation.objects.filter(status=ReservationStatus.ACTIVE)
        .values("sku_id", "warehouse_id")
        .order_by()
        .annotate(n=Sum("quantity"))
    }
    levels = {
        (row["sku_id"], row["warehouse_id"]): (row["on_hand"], row["reserved"])
        for row in StockLevel.objects.values("sku_id", "warehouse_id", "on_hand", "reserved")
    }
    keys = set(sums) | set(held) | set(levels)
    skus = dict(Sku.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "merchant_code"))
    houses = dict(Warehouse.objects.values_list("pk", "code"))
    for key in sorted(keys, key=lambda k: (skus.get(k[0], ""), houses.get(k[1], ""))):
        on_hand, reserved = levels.get(key, (0, 0))
        moved_on_hand, moved_reserved = sums.get(key, (0, 0))
        sku, house = skus.get(key[0], str(key[0])), houses.get(key[1], str(key[1]))
        if on_hand != moved_on_hand:
            yield Mismatch(sku, house, "on_hand", on_hand, moved_on_hand, "movements")
        if reserved != moved_reserved:
            yield Mismatch(sku, house, "reserved", reserved, moved_reserved, "movements")
        if reserved != held.get(key, 0):
            yield Mismatch(sku, house, "reserved", reserved, held.get(key, 0), "reservations")


def level_count() -> int:
    return StockLevel.objects.count()


# --- stock alerts and reorder (R2.16) --------------------------------------------------------------
SALES_WINDOW_DAYS = 30


@dataclass(frozen=True)
class SkuOutlook:
    """Available across active warehouses, recent sales from shipment movements, and what follows."""

    available: int
    on_hand: int
    daily_sales: Decimal
    days_of_cover: Decimal | None  # None: nothing sold in the window
    reorder_quantity: int  # daily sales × lead time + safety stock − available − on order
    on_order: int = 0


def sku_outlook(sku: Sku, rule: StockRule | None, *, now: Any) -> SkuOutlook:
    import datetime as dt
    import math

    totals = StockLevel.objects.filter(sku=sku, warehouse__is_active=True).aggregate(
        total_on_hand=Sum("on_hand"), total_reserved=Sum("reserved")
    )
    on_hand = totals["total_on_hand"] or 0
    available = on_hand - (totals["total_reserved"] or 0)
    sold = shipped_quantity(sku=sku, since=now - dt.timedelta(days=SALES_WINDOW_DAYS))
    daily = (Decimal(sold) / SALES_WINDOW_DAYS).quantize(Decimal("0.01"))
    cover = (Decimal(available) / daily).quantize(Decimal("0.1")) if daily > 0 else None
    on_order = on_order_quantity(sku)
    needed = Decimal(0)
    if rule is not None:
        needed = daily * rule.lead_time_days + rule.safety_stock - available - on_order
    return SkuOutlook(
        available=available,
        on_hand=on_hand,
        daily_sales=daily,
        days_of_cover=cover,
        reorder_quantity=max(0, math.ceil(needed)),
        on_order=on_order,
    )


def stock_rules_with_skus() -> QuerySet[StockRule]:
    return StockRule.objects.select_related("sku", "responsible").order_by("sku_id")


# --- weekly stocktake (R3.2) ---------------------------------------------------------------------
STOCKTAKE_KIND = "inventory.stocktake"


def stocktake_obligation_kind(warehouse: Warehouse) -> str:
    return f"{STOCKTAKE_KIND}:{warehouse.pk}"


def stocktake_obligation(warehouse: Warehouse) -> Any:
    """The warehouse's weekly count duty (one per warehouse), whoever owns it now."""
    from storeops.governance.models import Obligation

    return (
        Obligation.objects.filter(kind=stocktake_obligation_kind(warehouse), store=None)
        .order_by("id")
        .first()
    )


def stocktake_overdue_occurrences(*, now: Any) -> QuerySet[Any]:
    """Unfinished periods of the stocktake duties past their due time."""
    from storeops.governance.enums import OccurrenceStatus
    from storeops.governance.models import ObligationOccurrence

    return ObligationOccurrence.objects.filter(
        obligation__kind__startswith=f"{STOCKTAKE_KIND}:",
        obligation__is_active=True,
        status__in=[OccurrenceStatus.OPEN, OccurrenceStatus.OVERDUE],
        due_at__lt=now,
    ).select_related("obligation__owner")


def stocktake_list(*, actor: Any, warehouse: Warehouse | None = None) -> QuerySet[Any]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = Stocktake.objects.select_related("warehouse", "counted_by", "decided_by", "started_by")
    return found.filter(warehouse=warehouse) if warehouse is not None else found


def stocktake_get(*, actor: Any, stocktake_id: int) -> Any:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = (
        Stocktake.objects.select_related("warehouse", "counted_by", "decided_by", "started_by")
        .filter(pk=stocktake_id)
        .first()
    )
    if found is None:
        raise NotFound("stocktake.not_found", _("盘点单不存在"))
    return found


def stocktake_lines(stocktake: Any) -> QuerySet[Any]:
    return stocktake.lines.select_related("sku__product").order_by("sku__merchant_code")


def stocktake_snapshot(stocktake: Any) -> dict[str, Any]:
    """What the approver approves: exactly these variances (SKU → counted, expected)."""
    return {
        "warehouse": stocktake.warehouse.code,
        "lines": [
            [line.sku.merchant_code, line.counted, line.expected]
            for line in stocktake_lines(stocktake)
            if line.variance
        ],
    }


def sku_by_scan(code: str) -> Sku:
    """A scanned barcode, or a merchant code typed instead."""
    code = str(code or "").strip()
    if code:
        found = Sku.objects.filter(barcode=code, is_combo=False).order_by("id").first()
        if found is None:
            found = Sku.objects.filter(merchant_code=code).first()
        if found is not None:
            return found
    raise Invalid(
        "sku.not_found",
        _("条码或商家编码不存在：%(code)s") % {"code": code[:64]},
        {"field": "code"},
    )


def shipped_in_warehouse(
    *, warehouse: Warehouse, since: Any, until: Any
) -> dict[int, tuple[int, Decimal]]:
    """SKU id → (units shipped, value at cost) from shipment movements in [since, until)."""
    rows = (
        Movement.objects.filter(
            warehouse=warehouse,
            kind=MovementKind.SHIPMENT,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("sku_id")
        .order_by()
        .annotate(n=Sum("on_hand_delta"), v=Sum("value"))
    )
    return {r["sku_id"]: (-(r["n"] or 0), -(r["v"] or Decimal(0))) for r in rows}


# --- purchase orders ------------------------------------------------------------------------------
def on_order_quantity(sku: Sku) -> int:
    """Ordered and not yet received, over open purchase orders (the reorder suggestion's "on order")."""
    total = PurchaseOrderLine.objects.filter(
        sku=sku, order__status__in=PURCHASE_OPEN_STATUSES
    ).aggregate(n=Sum(F("quantity") - F("received")))["n"]
    return int(total or 0)


def purchase_list(*, actor: Any, status: str = "") -> QuerySet[Any]:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = PurchaseOrder.objects.select_related("warehouse", "created_by")
    return found.filter(status=status) if status else found


def purchase_get(*, actor: Any, order_id: int) -> Any:
    require(actor, InventoryPerm.VIEW_STOCK)
    found = (
        PurchaseOrder.objects.select_related("warehouse", "created_by").filter(pk=order_id).first()
    )
    if found is None:
        raise NotFound("purchase.not_found", _("采购单不存在"))
    return found


# --- available-to-sell per store (R2.16) ----------------------------------------------------------
DEFAULT_SHARE = StoreStockShare(mode=ShareMode.RATIO, ratio_percent=Decimal(100))


def store_share(store: Any) -> StoreStockShare:
    """The store's share of the pool; a store without one sells the whole pool, no buffer."""
    return StoreStockShare.objects.filter(store=store).first() or DEFAULT_SHARE


def sellable(pool: int, share: StoreStockShare) -> int:
    """What one store may sell of a SKU: ratio → ⌊pool × ratio⌋, fixed → min(fixed, pool); less
    the safety buffer; never below 0 (and never above the pool)."""
    if pool <= 0:
        return 0
    if share.mode == ShareMode.FIXED:
        quantity = min(share.fixed_quantity, pool)
    else:
        quantity = int((Decimal(pool) * share.ratio_percent / 100).to_integral_value(ROUND_FLOOR))
    return max(0, quantity - share.safety_buffer)


@dataclass(frozen=True)
class SellableRow:
    sku: Sku
    pool: int
    quantity: int
    platform_item_id: str
    platform_sku_id: str
    platform_code: str


def store_sellable(*, actor: Any, store: Any, q: str = "") -> list[SellableRow]:
    """Every non-combo SKU of the products the store lists (on sale or not yet off shelf), with
    the shared pool and the store's quantity, and the store's platform ids when mapped."""
    from storeops.catalog.enums import ListingStatus
    from storeops.catalog.models import Listing, PlatformSkuMapping

    require(actor, InventoryPerm.VIEW_AVAILABLE, store=store)
    product_ids = (
        Listing.objects.filter(store=store)
        .exclude(status=ListingStatus.OFF_SHELF)
        .values("product_id")
    )
    skus = Sku.objects.filter(product_id__in=product_ids, is_combo=False, is_active=True)
    if q:
        skus = skus.filter(Q(merchant_code__icontains=q) | Q(product__name__icontains=q))
    skus = list(skus.select_related("product").order_by("merchant_code")[:5000])
    pools = {
        row["sku_id"]: (row["on_hand"] or 0) - (row["reserved"] or 0)
        for row in StockLevel.objects.filter(
            sku_id__in=[s.pk for s in skus], warehouse__is_active=True
        )
        .values("sku_id")
        .order_by()
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    }
    mapped: dict[int, PlatformSkuMapping] = {}
    for mapping in PlatformSkuMapping.objects.filter(
        store=store, sku_id__in=[s.pk for s in skus]
    ).order_by("id"):
        mapped.setdefault(mapping.sku_id, mapping)
    share = store_share(store)
    rows = []
    for sku in skus:
        pool = pools.get(sku.pk, 0)
        mapping = mapped.get(sku.pk)
        rows.append(
            SellableRow(
                sku=sku,
                pool=pool,
                quantity=sellable(pool, share),
                platform_item_id=mapping.platform_item_id if mapping else "",
                platform_sku_id=mapping.platform_sku_id if mapping else "",
                platform_code=(mapping.platform_merchant_code if mapping else "")
                or sku.merchant_code,
            )
        )
    return rows


def stores_for_available(actor: Any) -> list[Any]:
    from storeops.accounts.models import Store

    return [s for s in Store.objects.filter(is_active=True).order_by("code") if actor.works_in(s)]
