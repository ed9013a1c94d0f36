"""Inventory API under /api/v1/inventory (stable: used by external checks).

GET /stock?sku=&warehouse= · POST /receipts · POST /reservations (409 when not enough is available)
· DELETE /reservations/{id} releases. Warehouses and stock are company-wide, not store-scoped.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from storeops.core.access import requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.inventory import selectors, services
from storeops.inventory.models import Reservation, StockLevel
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.schemas import ReceiptOut, ReservationOut, StockIn, StockPage

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
