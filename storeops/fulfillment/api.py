"""Fulfillment API under /api/v1/fulfillment: allocate, scan (核对), pack, ship, cancel, tracking
import, courier suggestion. 仓库 works; 运营/经理 read. Store-scoped: another store's allocation
is a 404."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from storeops.core.access import requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid, NotFound
from storeops.fulfillment import selectors, services
from storeops.fulfillment.models import Allocation, Shipment
from storeops.fulfillment.permissions import FulfillmentPerm as P
from storeops.fulfillment.schemas import (
    AllocateIn,
    AllocationOut,
    AllocationPage,
    CancelIn,
    PackIn,
    ScanIn,
    ScanOut,
    ShipIn,
    ShipmentOut,
    SuggestOut,
    TrackingImportOut,
)
from storeops.inventory.models import Warehouse

router = Router(tags=["fulfillment"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
AllocationId = Path(..., ge=1, le=MAX_ID)
MAX_UPLOAD = 20 * 1024 * 1024


def allocation_out(allocation: Allocation) -> dict[str, Any]:
    return {
        "id": allocation.pk,
        "order": allocation.order_id,
        "platform_order_no": allocation.order.platform_order_no,
        "store": allocation.store.code,
        "warehouse": allocation.warehouse.code,
        "wave": allocation.wave_id,
        "status": allocation.status,
        "blocked": allocation.blocked_message,
        "allocated_at": allocation.allocated_at,
        "lines": [
            {
                "id": line.pk,
                "sku": line.sku.merchant_code,
                "barcode": line.sku.barcode,
                "name": line.sku.product.name,
                "combo": line.combo_code,
                "quantity": line.quantity,
                "scanned": line.scanned,
                "shipped": line.shipped,
            }
            for line in selectors.allocation_lines(allocation)
        ],
    }


def _reload(request: HttpRequest, allocation_id: int) -> dict[str, Any]:
    return allocation_out(selectors.allocation_get(actor=request.user, allocation_id=allocation_id))


@router.get("/allocations", response={200: AllocationPage, **ERRORS}, summary="配货单")
@requires(P.VIEW)
def allocation_list_api(
    request: HttpRequest,
    status: str = Query("", max_length=20, description="状态；open = 进行中"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.allocation_list(
        actor=request.user, filters=selectors.AllocationFilter(status=status.strip())
    ).select_related("order", "store", "warehouse")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [allocation_out(a) for a in rows], "next": next_cursor}


@router.post(
    "/allocations", response={201: AllocationOut, **ERRORS}, summary="配货（预占并分配仓库）"
)
@requires(P.ALLOCATE)
def allocate_api(request: HttpRequest, payload: AllocateIn) -> Any:
    warehouse = None
    if payload.warehouse:
        warehouse = Warehouse.objects.filter(code=payload.warehouse, is_active=True).first()
        if warehouse is None:
            raise NotFound("warehouse.not_found", "仓库不存在", {"field": "warehouse"})
    allocation = services.allocation_create(
        actor=request.user, order_id=payload.order, warehouse=warehouse
    )
    return Status(201, _reload(request, allocation.pk))


@router.get(
    "/allocations/{allocation_id}", response={200: AllocationOut, **ERRORS}, summary="配货单"
)
@requires(P.VIEW)
def allocation_get_api(request: HttpRequest, allocation_id: int = AllocationId) -> Any:
    return _reload(request, allocation_id)


@router.post(
    "/allocations/{allocation_id}/scans",
    response={200: ScanOut, **ERRORS},
    summary="核对扫码（错误或多出的商品拦截打包）",
)
@requires(P.VERIFY)
def scan_api(request: HttpRequest, payload: ScanIn, allocation_id: int = AllocationId) -> Any:
    outcome = services.verify_scan(
        actor=request.user, allocation_id=allocation_id, code=payload.code
    )
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    return {
        "result": outcome.result,
        "message": outcome.message,
        "line": outcome.line.pk if outcome.line else None,
        "complete": outcome.complete,
        "blocked": allocation.blocked_message,
    }


@router.post(
    "/allocations/{allocation_id}/unblock",
    response={200: AllocationOut, **ERRORS},
    summary="确认已取出错误商品",
)
@requires(P.VERIFY)
def unblock_api(request: HttpRequest, allocation_id: int = AllocationId) -> Any:
    services.verify_clear_block(actor=request.user, allocation_id=allocation_id)
    return _reload(request, allocation_id)


@router.post(
    "/allocations/{allocation_id}/pack", response={200: AllocationOut, **ERRORS}, summary="打包确认"
)
@requires(P.PACK)
def pack_api(request: HttpRequest, payload: PackIn, allocation_id: int = AllocationId) -> Any:
    services.pack_confirm(
        actor=request.user,
        allocation_id=allocation_id,
        checklist={
            "package_type": payload.package_type,
            "protective_material": payload.protective_material,
            "inserts": payload.inserts,
        },
        weight_g=payload.weight_g,
        exception_note=payload.exception_note,
    )
    return _reload(request, allocation_id)


def shipment_out(shipment: Shipment) -> dict[str, Any]:
    shipment.order.refresh_from_db(fields=["status"])
    return {
        "id": shipment.pk,
        "allocation": shipment.allocation_id,
        "order": shipment.order_id,
        "courier": shipment.courier.code,
        "courier_name": shipment.courier.name,
        "suggested_courier": shipment.suggested_courier,
        "tracking_no": shipment.tracking_no,
        "is_partial": shipment.is_partial,
        "order_status": shipment.order.status,
        "shipped_at": shipment.shipped_at,
    }


@router.post(
    "/allocations/{allocation_id}/shipments",
    response={201: ShipmentOut, **ERRORS},
    summary="发货（运单号；lines 为空则全部发出）",
)
@requires(P.SHIP)
def ship_api(request: HttpRequest, payload: ShipIn, allocation_id: int = AllocationId) -> Any:
    shipment = services.shipment_create(
        actor=request.user,
        allocation_id=allocation_id,
        tracking_no=payload.tracking_no,
        courier=payload.courier,
        lines=[(line.line, line.quantity) for line in payload.lines] if payload.lines else None,
        source="api",
    )
    return Status(201, shipment_out(shipment))


@router.post(
    "/allocations/{allocation_id}/cancel",
    response={200: AllocationOut, **ERRORS},
    summary="取消配货（发货前；释放预占）",
)
@requires(P.CANCEL)
def cancel_api(request: HttpRequest, payload: CancelIn, allocation_id: int = AllocationId) -> Any:
    services.allocation_cancel(
        actor=request.user,
        allocation_id=allocation_id,
        reason=payload.reason,
        close_order=payload.close_order,
    )
    return _reload(request, allocation_id)


@router.post(
    "/tracking-imports",
    response={200: TrackingImportOut, **ERRORS},
    summary="批量导入运单号（Excel/CSV：订单号、快递公司、运单号）",
)
@requires(P.SHIP)
def tracking_import_api(
    request: HttpRequest, file: File[UploadedFile], skip_invalid: Form[bool] = False
) -> Any:
    if file.size and file.size > MAX_UPLOAD:
        raise Invalid("import.too_large", "文件过大（最多 20 MB）", {"field": "file"})
    result = services.tracking_import(
        actor=request.user, source=file.read(), filename=file.name or "", skip_invalid=skip_invalid
    )
    return {
        "applied": result.applied,
        "rows": result.rows,
        "shipped": result.created,
        "rejected": result.rejected,
        "errors": [e.as_dict() for e in result.errors],
    }


@router.get(
    "/couriers/suggest",
    response={200: SuggestOut, **ERRORS},
    summary="按运单号格式推荐快递公司（仅提示）",
)
@requires(P.VIEW)
def courier_suggest_api(
    request: HttpRequest, tracking_no: str = Query(..., min_length=1, max_length=64)
) -> Any:
    found = selectors.courier_suggest(tracking_no)
    return {"courier": found.code if found else None, "name": found.name if found else None}
