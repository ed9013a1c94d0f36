"""orders API."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Status, UploadedFile

from storeops.accounts.selectors import store_get
from storeops.core.access import requires
from storeops.core.api import MAX_ID, ErrorOut
from storeops.core.errors import Invalid

# Orders, 审单, 改价, remarks, shipping and reviews are declared in api_orders on this same router;
# the import operations are added here.
from storeops.orders.api_orders import router
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import OrderImport
from storeops.orders.permissions import OrderPerm
from storeops.orders.schemas import (
    AliasProfileOut,
    ImportAliasIn,
    ImportAliasOut,
    ImportAliasPatch,
    OrderImportOut,
)
from storeops.orders.selectors import order_import_get
from storeops.orders.services import aliases
from storeops.orders.services.imports import order_import_files

__all__ = ["router"]

MAX_UPLOAD = 200 * 1024 * 1024  # a month of a busy store's export
MAX_FILES = 10
FORMATS = ("auto", "taobao", "jd", "pdd", "douyin", "generic")
IMPORT_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def import_out(record: OrderImport) -> dict[str, Any]:
    return {
        "id": record.pk,
        "store": record.store.code,
        "status": record.status,
        "format": record.format,
        "created": record.created_count,
        "updated": record.updated_count,
        "unchanged": record.unchanged_count,
        "rejected": record.rejected_count,
        "errors": record.errors,
        "files": record.files,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "imported_by": record.actor.get_username() if record.actor else None,
    }


@router.post(
    "/imports",
    response={201: OrderImportOut, **IMPORT_ERRORS},
    summary="导入平台订单导出文件（可多个：淘宝订单报表 + 宝贝报表）；有错误时整份拒绝（422，details 为结果）",
)
@requires(OrderPerm.IMPORT_ORDER)
def order_import_api(
    request: HttpRequest,
    store: str = Form(..., max_length=40, description="店铺编码"),
    format: str = Form("auto", description="auto|taobao|jd|pdd|douyin|generic"),
    skip_invalid: bool = Form(False, description="只导入有效订单，报告无效行"),
    files: list[UploadedFile] = File(..., description="CSV、XLS 或 XLSX 文件"),
) -> Any:
    if format not in FORMATS:
        raise Invalid("orders.import.format_invalid", "格式无效", {"field": "format"})
    if not files or len(files) > MAX_FILES:
        raise Invalid("import.files", "请选择 1 到 10 个文件", {"field": "files"})
    if sum(f.size or 0 for f in files) > MAX_UPLOAD:
        raise Invalid("import.too_large", "文件合计不能超过 200 MB", {"field": "files"})
    target = store_get(actor=request.user, code=store)
    result = order_import_files(
        actor=request.user,
        store=target,
        files=[ImportFile.from_bytes(f.name or "upload.csv", f.read()) for f in files],
        platform=format,
        skip_invalid=skip_invalid,
        channel="api",
    )
    if not result.applied:
        details = result.as_dict() | {"id": result.import_id}
        raise Invalid("import.rejected", "文件有错误，未导入任何订单", details)
    body = import_out(OrderImport.objects.select_related("store", "actor").get(pk=result.import_id))
    body["errors"] = result.errors
    return Status(201, body)


@router.get(
    "/imports/{import_id}",
    response={200: OrderImportOut, **IMPORT_ERRORS},
    summary="一次订单导入的记录：谁、何时、哪些文件、结果",
)
@requires(OrderPerm.VIEW_ORDER)
def order_import_get_api(request: HttpRequest, import_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return import_out(order_import_get(actor=request.user, import_id=import_id))


# --- the alias profile per platform ----------------------------------------------------------------
def alias_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "format": row.format,
        "alias": row.alias,
        "field": row.field,
        "is_active": row.is_active,
    }


@router.get(
    "/import-aliases",
    response={200: AliasProfileOut, **IMPORT_ERRORS},
    summary="一个平台导出文件的表头：内置表头与自定义别名，按字段",
)
@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
def import_alias_profile_api(
    request: HttpRequest,
    format: str = Query(..., max_length=10, description="taobao|jd|pdd|douyin|generic"),
) -> Any:
    rows = aliases.import_alias_profile(format)
    return {
        "format": format,
        "fields": [
            {
                "field": r.field,
                "label": r.label,
                "builtin": r.builtin,
                "custom": [alias_out(a) for a in r.custom],
            }
            for r in rows
        ],
    }


@router.post(
    "/import-aliases",
    response={201: ImportAliasOut, 409: ErrorOut, **IMPORT_ERRORS},
    summary="添加表头别名（平台改了列名时）",
)
@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
def import_alias_create_api(request: HttpRequest, payload: ImportAliasIn) -> Any:
    row = aliases.import_alias_create(actor=request.user, **payload.dict())
    return Status(201, alias_out(row))


@router.patch(
    "/import-aliases/{alias_id}",
    response={200: ImportAliasOut, 409: ErrorOut, **IMPORT_ERRORS},
    summary="修改、停用或启用表头别名",
)
@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
def import_alias_update_api(
    request: HttpRequest, payload: ImportAliasPatch, alias_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return alias_out(aliases.import_alias_update(actor=request.user, alias_id=alias_id, **changes))


@router.delete(
    "/import-aliases/{alias_id}",
    response={204: None, **IMPORT_ERRORS},
    summary="删除表头别名",
)
@requires(OrderPerm.MANAGE_IMPORT_ALIASES)
def import_alias_delete_api(
    request: HttpRequest, alias_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    aliases.import_alias_delete(actor=request.user, alias_id=alias_id)
    return Status(204, None)
