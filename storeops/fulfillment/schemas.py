"""API shapes of fulfillment."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from storeops.core.api import MAX_ID


class AllocateIn(Schema):
    order: int = Field(..., ge=1, le=MAX_ID, description="订单 id")
    warehouse: str = Field("", max_length=32, description="仓库编码；空 = 预占所在仓或自动选择")


class LineOut(Schema):
    id: int
    sku: str
    barcode: str
    name: str
    combo: str
    quantity: int
    scanned: int
    shipped: int


class AllocationOut(Schema):
    id: int
    order: int
    platform_order_no: str
    store: str
    warehouse: str
    wave: int | None
    status: str
    blocked: str
    allocated_at: datetime
    lines: list[LineOut]


class AllocationPage(Schema):
    items: list[AllocationOut]
    next: str | None


class ScanIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, description="条码或商家编码")


class ScanOut(Schema):
    result: str
    message: str
    line: int | None
    complete: bool
    blocked: str


class PackIn(Schema):
    package_type: bool = False
    protective_material: bool = False
    inserts: bool = False
    weight_g: int | None = Field(None, ge=1, le=1_000_000)
    exception_note: str = Field("", max_length=255)


class ShipLineIn(Schema):
    line: int = Field(..., ge=1, le=MAX_ID)
    quantity: int = Field(..., ge=1, le=1_000_000)


class ShipIn(Schema):
    tracking_no: str = Field(..., min_length=1, max_length=64)
    courier: str = Field("", max_length=40, description="编码（SF）或名称（顺丰）；空 = 按单号识别")
    lines: list[ShipLineIn] | None = Field(None, max_length=500, description="部分发货；空 = 全部")


class ShipmentOut(Schema):
    id: int
    allocation: int
    order: int
    courier: str
    courier_name: str
    suggested_courier: str
    tracking_no: str
    is_partial: bool
    order_status: str
    shipped_at: datetime


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=255)
    close_order: bool = False


class ImportRowError(Schema):
    line: int
    field: str
    message: str


class TrackingImportOut(Schema):
    applied: bool
    rows: int
    shipped: int
    rejected: int
    errors: list[ImportRowError]


class SuggestOut(Schema):
    courier: str | None
    name: str | None
