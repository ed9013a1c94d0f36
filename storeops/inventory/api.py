"""Inventory API under /api/v1/inventory (stable: used by external checks).

GET /stock?sku=&warehouse= · POST /receipts · POST /reservations (409 when not enough is available)
· DELETE /reservations/{id} releases. Warehouses and stock are company-wide, not store-scoped.

Weekly stocktake: GET/POST /stocktakes, GET /stocktakes/{id}, POST /stocktakes/{id}/counts (blind:
no expected quantity while counting), /submit, /decision (not by the counter). Purchase orders:
GET/POST /purchases, POST /purchases/{id}/receipts (partly). Available-to-sell: GET
/available?store= (store-scoped: another store answers 404).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from storeops.core.access import requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid, NotFound
from storeops.inventory import selectors, services
from storeops.inventory.models import Reservation, StockLevel
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.schemas import (
    PurchaseIn,
    PurchaseOut,
    PurchasePage,
    PurchaseReceiveIn,
    ReceiptOut,
    ReservationOut,
    SellablePage,
    StockIn,
    StockPage,
    StocktakeCountIn,
    StocktakeDecisionIn,
    StocktakeLineOut,
    StocktakeOut,
    StocktakePage,
    StocktakeStartIn,
)

router = Router(tags=["inventory"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def stock_out(level: StockLevel) -> dict[str, Any]:
    return {
        "sku": level.sku.merchant_code,
        "warehouse": level.warehouse.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.on_hand - level.reserved,
    }


def reservation_out(reservation: Reservation) -> dict[str, Any]:
    return {
        "id": reservation.pk,
        "sku": reservation.sku.merchant_code,
        "warehouse": reservation.warehouse.code,
        "quantity": reservation.quantity,
        "reference": reservation.reference,
        "status": reservation.status,
    }


@router.get("/stock", response={200: StockPage, **ERRORS}, summary="库存（每个 SKU × 仓库）")
@requires(InventoryPerm.VIEW_STOCK)
def stock_list_api(
    request: HttpRequest,
    sku: str = Query("", max_length=64, description="商家编码（精确）"),
    warehouse: str = Query("", max_length=32, description="仓库编码（精确）"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.stock_list(
        actor=request.user,
        filters=selectors.StockFilter(sku=sku.strip(), warehouse=warehouse.strip()),
    )
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit, newest_first=False)
    return {"items": [stock_out(level) for level in rows], "next": next_cursor}


@router.post("/receipts", response={201: ReceiptOut, **ERRORS}, summary="入库")
@requires(InventoryPerm.RECEIVE_STOCK)
def receipt_create_api(request: HttpRequest, payload: StockIn) -> Any:
    sku = selectors.sku_by_code(payload.sku)
    warehouse = selectors.warehouse_by_code(payload.warehouse)
    movement = services.stock_receive(
        actor=request.user,
        sku=sku,
        warehouse=warehouse,
        quantity=payload.quantity,
        reference=payload.reference,
    )
    level = StockLevel.objects.select_related("sku", "warehouse").get(sku=sku, warehouse=warehouse)
    return Status(
        201,
        {
            **stock_out(level),
            "id": movement.pk,
            "quantity": movement.on_hand_delta,
            "reference": movement.reference,
        },
    )


@router.post(
    "/reservations",
    response={201: ReservationOut, **ERRORS},
    summary="预占库存（库存不足时 409 stock.insufficient）",
)
@requires(InventoryPerm.RESERVE_STOCK)
def reservation_create_api(request: HttpRequest, payload: StockIn) -> Any:
    sku, warehouse = selectors.sku_and_warehouse_by_code(payload.sku, payload.warehouse)
    reservation = services.stock_reserve(
        actor=request.user,
        sku=sku,
        warehouse=warehouse,
        quantity=payload.quantity,
        reference=payload.reference,
    )
    return Status(201, reservation_out(reservation))


@router.get(
    "/reservations/{reservation_id}", response={200: ReservationOut, **ERRORS}, summary="预占"
)
@requires(InventoryPerm.VIEW_STOCK)
def reservation_get_api(
    request: HttpRequest, reservation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reservation = selectors.reservation_get_for_change(
        actor=request.user, reservation_id=reservation_id, perm=InventoryPerm.VIEW_STOCK
    )
    return reservation_out(reservation)


@router.delete(
    "/reservations/{reservation_id}",
    response={200: ReservationOut, **ERRORS},
    summary="释放预占（已释放或已出库时 409）",
)
@requires(InventoryPerm.RESERVE_STOCK)
def reservation_release_api(
    request: HttpRequest, reservation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reservation = selectors.reservation_get_for_change(
        actor=request.user, reservation_id=reservation_id, perm=InventoryPerm.RESERVE_STOCK
    )
    return reservation_out(
        services.reservation_release(actor=request.user, reservation=reservation)
    )


# --- weekly stocktake ------------------------------------------------------------------------------
def stocktake_out(stocktake: Any, *, with_lines: bool = True) -> dict[str, Any]:
    lines = []
    if with_lines:
        lines = [
            {
                "sku": line.sku.merchant_code,
                "counted": line.counted,
                "expected": line.expected,
                "variance": line.variance,
                "sold": line.sold,
            }
            for line in selectors.stocktake_lines(stocktake)
        ]
    return {
        "id": stocktake.pk,
        "warehouse": stocktake.warehouse.code,
        "status": stocktake.status,
        "counted_by": stocktake.counted_by.username if stocktake.counted_by else None,
        "sold_quantity": stocktake.sold_quantity,
        "stock_quantity": stocktake.stock_quantity,
        "lines": lines,
    }


@router.get("/stocktakes", response={200: StocktakePage, **ERRORS}, summary="盘点记录")
@requires(InventoryPerm.VIEW_STOCK)
def stocktake_list_api(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.stocktake_list(actor=request.user)
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [stocktake_out(s, with_lines=False) for s in rows], "next": next_cursor}


@router.post("/stocktakes", response={201: StocktakeOut, **ERRORS}, summary="开始盘点")
@requires(InventoryPerm.COUNT_STOCK)
def stocktake_start_api(request: HttpRequest, payload: StocktakeStartIn) -> Any:
    stocktake = services.stocktake_start(
        actor=request.user, warehouse=selectors.warehouse_by_code(payload.warehouse)
    )
    return Status(201, stocktake_out(stocktake, with_lines=False))


@router.get("/stocktakes/{stocktake_id}", response={200: StocktakeOut, **ERRORS}, summary="盘点单")
@requires(InventoryPerm.VIEW_STOCK)
def stocktake_get_api(request: HttpRequest, stocktake_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return stocktake_out(selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id))


@router.post(
    "/stocktakes/{stocktake_id}/counts",
    response={200: StocktakeLineOut, **ERRORS},
    summary="录入实盘数量（扫码累加或设定）",
)
@requires(InventoryPerm.COUNT_STOCK)
def stocktake_count_api(
    request: HttpRequest,
    payload: StocktakeCountIn,
    stocktake_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    line = services.stocktake_count(
        actor=request.user,
        stocktake=stocktake,
        sku=selectors.sku_by_scan(payload.sku),
        quantity=payload.quantity,
        add=payload.add,
    )
    # blind: the expected quantity is not known while counting
    return {"sku": line.sku.merchant_code, "counted": line.counted, "sold": 0}


@router.post(
    "/stocktakes/{stocktake_id}/submit", response={200: StocktakeOut, **ERRORS}, summary="提交盘点"
)
@requires(InventoryPerm.COUNT_STOCK)
def stocktake_submit_api(
    request: HttpRequest, stocktake_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    return stocktake_out(services.stocktake_submit(actor=request.user, stocktake=stocktake))


@router.post(
    "/stocktakes/{stocktake_id}/decision",
    response={200: StocktakeOut, **ERRORS},
    summary="审批盘点差异（盘点人以外）",
)
@requires(InventoryPerm.APPROVE_STOCKTAKE)
def stocktake_decide_api(
    request: HttpRequest,
    payload: StocktakeDecisionIn,
    stocktake_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    done = services.stocktake_decide(
        actor=request.user, stocktake=stocktake, approve=payload.approve, comment=payload.comment
    )
    return stocktake_out(done)


# --- purchase orders -------------------------------------------------------------------------------
def purchase_out(order: Any) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "supplier": order.supplier,
        "warehouse": order.warehouse.code,
        "expected_date": order.expected_date.isoformat() if order.expected_date else None,
        "status": order.status,
        "lines": [
            {
                "sku": line.sku.merchant_code,
                "quantity": line.quantity,
                "received": line.received,
                "outstanding": line.outstanding,
            }
            for line in order.lines.select_related("sku").order_by("id")
        ],
    }


@router.get("/purchases", response={200: PurchasePage, **ERRORS}, summary="采购单")
@requires(InventoryPerm.VIEW_STOCK)
def purchase_list_api(
    request: HttpRequest,
    status: str = Query("", max_length=10),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.purchase_list(actor=request.user, status=status.strip())
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [purchase_out(o) for o in rows], "next": next_cursor}


@router.post("/purchases", response={201: PurchaseOut, **ERRORS}, summary="新建采购单")
@requires(InventoryPerm.MANAGE_PURCHASE)
def purchase_create_api(request: HttpRequest, payload: PurchaseIn) -> Any:
    try:
        expected = dt.date.fromisoformat(payload.expected_date) if payload.expected_date else None
    except ValueError:
        raise Invalid(
            "purchase.date_invalid", _("日期格式应为 YYYY-MM-DD"), {"field": "expected_date"}
        ) from None
    order = services.purchase_create(
        actor=request.user,
        supplier=payload.supplier,
        warehouse=selectors.warehouse_by_code(payload.warehouse),
        expected_date=expected,
        lines=[
            (selectors.sku_by_code(line.sku, field="lines"), line.quantity, line.unit_cost)
            for line in payload.lines
        ],
    )
    return Status(201, purchase_out(order))


@router.post(
    "/purchases/{order_id}/receipts",
    response={200: PurchaseOut, **ERRORS},
    summary="采购收货（可部分）",
)
@requires(InventoryPerm.RECEIVE_STOCK)
def purchase_receive_api(
    request: HttpRequest, payload: PurchaseReceiveIn, order_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    order = selectors.purchase_get(actor=request.user, order_id=order_id)
    by_code = {line.sku.merchant_code: line.pk for line in order.lines.select_related("sku")}
    quantities: dict[int, Any] = {}
    for line in payload.lines:
        if line.sku not in by_code:
            raise Invalid("purchase.line_unknown", _("采购单没有这一行"), {"field": "lines"})
        quantities[by_code[line.sku]] = line.quantity
    done = services.purchase_receive(actor=request.user, order=order, quantities=quantities)
    return purchase_out(done)


# --- available-to-sell ------------------------------------------------------------------------------
@router.get("/available", response={200: SellablePage, **ERRORS}, summary="本店可售库存")
@requires(InventoryPerm.VIEW_AVAILABLE)
def available_api(
    request: HttpRequest,
    store: str = Query(..., max_length=40),
    after: str = Query("", max_length=64, description="上一页最后一个商家编码"),
    limit: int = Query(200, ge=1, le=200),
) -> Any:
    found = next(
        (s for s in selectors.stores_for_available(request.user) if s.code == store.strip()), None
    )
    if found is None:
        raise NotFound("store.not_found", _("店铺不存在"))
    rows = [
        r
        for r in selectors.store_sellable(actor=request.user, store=found)
        if not after or r.sku.merchant_code > after
    ]  # ordered by merchant code
    page = rows[:limit]
    return {
        "store": found.code,
        "items": [{"sku": r.platform_code, "pool": r.pool, "quantity": r.quantity} for r in page],
        "next": page[-1].sku.merchant_code if len(rows) > limit else None,
    }
