"""API shapes of the catalog. Money is a decimal string; merchant codes and ids of platforms are
strings. The standard cost is null for users who may not see costs."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Schema

from storeops.core.api import MAX_ID, PAGE_MAX


class ComponentOut(Schema):
    sku_id: int
    merchant_code: str
    quantity: int


class SkuOut(Schema):
    id: int
    product_id: int
    merchant_code: str
    barcode: str
    attributes: dict[str, str]
    price: Decimal
    standard_cost: Decimal | None = Field(None, description="成本价；无权查看成本时为 null")
    weight_g: int
    is_combo: bool
    is_active: bool
    components: list[ComponentOut] = Field(default_factory=list, description="组合装的组件")


class DescriptionModuleOut(Schema):
    code: str
    name: str
    body: str


class ProductOut(Schema):
    id: int
    name: str
    style_code: str
    category_id: int | None
    category: str | None
    attribute_names: list[str]
    tags: list[str]
    is_best_seller: bool
    is_active: bool
    is_description_complete: bool
    is_photos_ok: bool
    main_image_count: int
    detail_image_count: int
    skus: list[SkuOut]
    description: list[DescriptionModuleOut] | None = None


class ProductPage(Schema):
    items: list[ProductOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class SkuPage(Schema):
    items: list[SkuOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class ProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    style_code: str = Field("", max_length=64)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    attribute_names: list[str] = Field(default_factory=list, max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=10)
    is_best_seller: bool = False


class ProductPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    style_code: str | None = Field(None, max_length=64)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    attribute_names: list[str] | None = Field(None, max_length=10)
    tags: list[str] | None = Field(None, max_length=10)
    is_best_seller: bool | None = None
    is_active: bool | None = None
    description: dict[str, str] | None = Field(None, description="模块编码 → 内容（四大模块）")


class SkuIn(Schema):
    product_id: int = Field(..., ge=1, le=MAX_ID)
    merchant_code: str = Field(..., min_length=1, max_length=64)
    barcode: str = Field("", max_length=32)
    attributes: dict[str, str] = Field(default_factory=dict)
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    standard_cost: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    weight_g: int = Field(0, ge=0, le=1_000_000)
    is_combo: bool = False


class ListingOut(Schema):
    id: int
    store: str
    product_id: int
    title: str
    price: Decimal
    category: str | None
    status: str
    status_label: str
    is_description_complete: bool


class ListingPage(Schema):
    items: list[ListingOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class ListingIn(Schema):
    store: str = Field(..., min_length=1, max_length=40)
    product_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field("", max_length=120)
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)


class MappingOut(Schema):
    id: int
    store: str
    platform_item_id: str
    platform_sku_id: str
    platform_merchant_code: str
    sku_id: int
    merchant_code: str


class MappingPage(Schema):
    items: list[MappingOut] = Field(..., max_length=PAGE_MAX)
    next: str | None = None


class MappingIn(Schema):
    store: str = Field(..., min_length=1, max_length=40)
    sku_id: int = Field(..., ge=1, le=MAX_ID)
    platform_item_id: str = Field("", max_length=64)
    platform_sku_id: str = Field("", max_length=64)
    platform_merchant_code: str = Field("", max_length=64)


class ImportErrorOut(Schema):
    line: int
    field: str
    message: str


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ImportErrorOut]
