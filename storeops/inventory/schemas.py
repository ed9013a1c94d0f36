"""API shapes of inventory (stable: external checks use them). `sku` is the merchant code,
`warehouse` the warehouse code; quantities are bounded positive integers (JSON integers only)."""

from __future__ import annotations

from ninja import Field, Schema

MAX_QUANTITY = 1_000_000


class StockOut(Schema):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    available: int


class StockPage(Schema):
    items: list[StockOut]
    next: str | None = None


class StockIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64, description="商家编码")
    warehouse: str = Field(..., min_length=1, max_length=32, description="仓库编码")
    quantity: int = Field(..., strict=True, ge=1, le=MAX_QUANTITY)
    reference: str = Field("", max_length=100, description="参考（标签，不是唯一键）")


class ReceiptOut(StockOut):
    id: int = Field(..., description="入库流水号")
    quantity: int
    reference: str


class ReservationOut(Schema):
    id: int
    sku: str
    warehouse: str
    quantity: int
    reference: str
    status: str = Field(..., description="active 预占中 / released 已释放 / consumed 已出库")
