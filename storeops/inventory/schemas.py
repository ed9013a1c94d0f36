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


# --- weekly stocktake ------------------------------------------------------------------------------
class StocktakeStartIn(Schema):
    warehouse: str = Field(..., min_length=1, max_length=32, description="仓库编码")


class StocktakeCountIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64, description="商家编码或条码")
    quantity: int = Field(..., strict=True, ge=0, le=MAX_QUANTITY)
    add: bool = Field(False, description="true：扫码累加；false：设定实盘数量")


class StocktakeDecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=500, description="驳回时必填")


class StocktakeLineOut(Schema):
    sku: str
    counted: int | None
    expected: int | None = Field(None, description="提交后才有（盲盘）")
    variance: int | None = None
    sold: int


class StocktakeOut(Schema):
    id: int
    warehouse: str
    status: str = Field(..., description="counting / submitted / applied / rejected / cancelled")
    counted_by: str | None
    sold_quantity: int
    stock_quantity: int
    lines: list[StocktakeLineOut] = []


class StocktakePage(Schema):
    items: list[StocktakeOut]
    next: str | None = None


# --- purchase orders -------------------------------------------------------------------------------
class PurchaseLineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., strict=True, ge=1, le=MAX_QUANTITY)
    unit_cost: str | None = Field(None, max_length=20, description="空则按成本价；需查看成本权限")


class PurchaseIn(Schema):
    supplier: str = Field(..., min_length=1, max_length=100)
    warehouse: str = Field(..., min_length=1, max_length=32)
    expected_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    lines: list[PurchaseLineIn] = Field(..., min_length=1, max_length=200)


class PurchaseReceiveLineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., strict=True, ge=1, le=MAX_QUANTITY)


class PurchaseReceiveIn(Schema):
    lines: list[PurchaseReceiveLineIn] = Field(..., min_length=1, max_length=200)


class PurchaseLineOut(Schema):
    sku: str
    quantity: int
    received: int
    outstanding: int


class PurchaseOut(Schema):
    id: int
    number: str
    supplier: str
    warehouse: str
    expected_date: str | None
    status: str = Field(..., description="open / partial / received / cancelled")
    lines: list[PurchaseLineOut]


class PurchasePage(Schema):
    items: list[PurchaseOut]
    next: str | None = None


# --- available-to-sell ------------------------------------------------------------------------------
class SellableOut(Schema):
    sku: str
    pool: int = Field(..., description="共享池可用（启用仓库合计）")
    quantity: int = Field(..., description="本店可售")


class SellablePage(Schema):
    store: str
    items: list[SellableOut]
    next: str | None = Field(None, description="下一页：把它作为 after 再请求")
