"""Catalog API under /api/v1/catalog: products, SKUs, listings, platform mappings, imports."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Path, Query, Router, Status, UploadedFile

from storeops.accounts.selectors import store_get
from storeops.catalog import selectors, services
from storeops.catalog.models import Category, Product, Sku
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.schemas import (
    ImportResultOut,
    ListingIn,
    ListingOut,
    ListingPage,
    MappingIn,
    MappingOut,
    MappingPage,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    SkuIn,
    SkuOut,
    SkuPage,
)
from storeops.core.access import requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid

router = Router(tags=["catalog"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_UPLOAD = 20 * 1024 * 1024


def sku_out(sku: Sku, *, with_cost: bool) -> dict[str, Any]:
    return {
        "id": sku.id,
        "product_id": sku.product_id,
        "merchant_code": sku.merchant_code,
        "barcode": sku.barcode,
        "attributes": sku.attributes,
        "price": sku.price,
        "standard_cost": sku.standard_cost if with_cost else None,
        "weight_g": sku.weight_g,
        "is_combo": sku.is_combo,
        "is_active": sku.is_active,
        "components": [
            {
                "sku_id": c.component_id,
                "merchant_code": c.component.merchant_code,
                "quantity": c.quantity,
            }
            for c in selectors.combo_components(sku)
        ]
        if sku.is_combo
        else [],
    }


def product_out(product: Product, *, actor: Any, detail: bool = False) -> dict[str, Any]:
    with_cost = selectors.can_view_cost(actor)
    return {
        "id": product.id,
        "name": product.name,
        "style_code": product.style_code,
        "category_id": product.category_id,
        "category": product.category.path if product.category_id else None,
        "attribute_names": product.attribute_names,
        "tags": [t.name for t in product.tags.all()],
        "is_best_seller": product.is_best_seller,
        "is_active": product.is_active,
        "is_description_complete": bool(product.is_description_complete),
        "is_photos_ok": bool(product.is_photos_ok),
        "main_image_count": product.main_image_count,
        "detail_image_count": product.detail_image_count,
        "skus": [sku_out(s, with_cost=with_cost) for s in product.skus.all()],
        "description": [
            {"code": d["code"], "name": d["name"], "body": d["body"]}
            for d in selectors.product_description(product)
        ]
        if detail
        else None,
    }


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Invalid("category.not_found", "类目不存在", {"field": "category_id"})
    return category


@router.get("/products", response={200: ProductPage, **ERRORS}, summary="商品列表（最新在前）")
@requires(CatalogPerm.VIEW_PRODUCT)
def product_list_api(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="名称、款号、商家编码或条码"),
    incomplete: bool = Query(False, description="只看描述未填完整的"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.product_list(
        actor=request.user, filters=selectors.ProductFilter(q=q, incomplete=incomplete)
    )
    rows, next_cursor = keyset_page(found.prefetch_related("skus"), cursor=cursor, limit=limit)
    return {"items": [product_out(p, actor=request.user) for p in rows], "next": next_cursor}


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="新建商品")
@requires(CatalogPerm.MANAGE_PRODUCT)
def product_create_api(request: HttpRequest, payload: ProductIn) -> Any:
    product = services.product_create(
        actor=request.user,
        name=payload.name,
        style_code=payload.style_code,
        category=_category(payload.category_id),
        attribute_names=payload.attribute_names,
        tags=payload.tags,
        is_best_seller=payload.is_best_seller,
    )
    found = selectors.product_get(actor=request.user, product_id=product.pk)
    return Status(201, product_out(found, actor=request.user, detail=True))


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="商品详情")
@requires(CatalogPerm.VIEW_PRODUCT)
def product_get_api(request: HttpRequest, product_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    product = selectors.product_get(actor=request.user, product_id=product_id)
    return product_out(product, actor=request.user, detail=True)


@router.patch(
    "/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="修改商品或描述"
)
@requires(CatalogPerm.VIEW_PRODUCT)
def product_patch_api(
    request: HttpRequest, payload: ProductPatch, product_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    changes = payload.dict(exclude_unset=True)
    description = changes.pop("description", None)
    if "category_id" in changes:
        changes["category"] = _category(changes.pop("category_id"))
    for key in [k for k, v in changes.items() if v is None and k != "category"]:
        del changes[key]
    if changes:
        product = selectors.product_get_for_change(actor=request.user, product_id=product_id)
        services.product_update(actor=request.user, product=product, **changes)
    if description:
        product = selectors.product_get_for_change(
            actor=request.user, product_id=product_id, perm=CatalogPerm.EDIT_DESCRIPTION
        )
        services.description_save(actor=request.user, product=product, bodies=description)
    found = selectors.product_get(actor=request.user, product_id=product_id)
    return product_out(found, actor=request.user, detail=True)


@router.get("/skus", response={200: SkuPage, **ERRORS}, summary="SKU 列表，可按商家编码查找")
@requires(CatalogPerm.VIEW_PRODUCT)
def sku_list_api(
    request: HttpRequest,
    merchant_code: str = Query("", max_length=64),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    found = selectors.sku_list(actor=request.user, merchant_code=merchant_code)
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    with_cost = selectors.can_view_cost(request.user)
    return {"items": [sku_out(s, with_cost=with_cost) for s in rows], "next": next_cursor}


@router.post("/skus", response={201: SkuOut, **ERRORS}, summary="新建 SKU")
@requires(CatalogPerm.MANAGE_PRODUCT)
def sku_create_api(request: HttpRequest, payload: SkuIn) -> Any:
    product = selectors.product_get_for_change(actor=request.user, product_id=payload.product_id)
    sku = services.sku_create(
        actor=request.user,
        product=product,
        merchant_code=payload.merchant_code,
        barcode=payload.barcode,
        attributes=payload.attributes,
        price=payload.price,
        standard_cost=payload.standard_cost,
        weight_g=payload.weight_g,
        is_combo=payload.is_combo,
    )
    return Status(201, sku_out(sku, with_cost=selectors.can_view_cost(request.user)))


def listing_out(listing: Any) -> dict[str, Any]:
    return {
        "id": listing.id,
        "store": listing.store.code,
        "product_id": listing.product_id,
        "title": listing.title,
        "price": listing.price,
        "category": listing.category.path if listing.category_id else None,
        "status": listing.status,
        "status_label": str(listing.get_status_display()),
        "is_description_complete": selectors.product_is_description_complete(listing.product),
    }


@router.get("/listings", response={200: ListingPage, **ERRORS}, summary="店铺商品")
@requires(CatalogPerm.VIEW_PRODUCT)
def listing_list_api(
    request: HttpRequest,
    store: str = Query("", max_length=40, description="店铺编码；不填为我负责的全部店铺"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    scope = store_get(actor=request.user, code=store) if store else None
    found = selectors.listing_list(actor=request.user, store=scope)
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [listing_out(r) for r in rows], "next": next_cursor}


@router.post("/listings", response={201: ListingOut, **ERRORS}, summary="商品上架到店铺（草稿）")
@requires(CatalogPerm.MANAGE_LISTING)
def listing_create_api(request: HttpRequest, payload: ListingIn) -> Any:
    scope = store_get(actor=request.user, code=payload.store)
    product = selectors.product_get(actor=request.user, product_id=payload.product_id)
    listing = services.listing_create(
        actor=request.user,
        store=scope,
        product=product,
        title=payload.title,
        price=payload.price,
        category=_category(payload.category_id),
    )
    return Status(201, listing_out(listing))


def mapping_out(mapping: Any) -> dict[str, Any]:
    return {
        "id": mapping.id,
        "store": mapping.store.code,
        "platform_item_id": mapping.platform_item_id,
        "platform_sku_id": mapping.platform_sku_id,
        "platform_merchant_code": mapping.platform_merchant_code,
        "sku_id": mapping.sku_id,
        "merchant_code": mapping.sku.merchant_code,
    }


@router.get("/mappings", response={200: MappingPage, **ERRORS}, summary="平台商品映射")
@requires(CatalogPerm.VIEW_PRODUCT)
def mapping_list_api(
    request: HttpRequest,
    store: str = Query("", max_length=40),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    scope = store_get(actor=request.user, code=store) if store else None
    found = selectors.mapping_list(actor=request.user, store=scope)
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [mapping_out(r) for r in rows], "next": next_cursor}


@router.post("/mappings", response={201: MappingOut, **ERRORS}, summary="新建平台商品映射")
@requires(CatalogPerm.MANAGE_MAPPING)
def mapping_create_api(request: HttpRequest, payload: MappingIn) -> Any:
    scope = store_get(actor=request.user, code=payload.store)
    sku = Sku.objects.filter(pk=payload.sku_id).first()
    if sku is None:
        raise Invalid("sku.not_found", "SKU 不存在", {"field": "sku_id"})
    mapping = services.mapping_create(
        actor=request.user,
        store=scope,
        sku=sku,
        platform_item_id=payload.platform_item_id,
        platform_sku_id=payload.platform_sku_id,
        platform_merchant_code=payload.platform_merchant_code,
    )
    return Status(201, mapping_out(mapping))


@router.post(
    "/imports",
    response={200: ImportResultOut, **ERRORS},
    summary="导入商品与 SKU（CSV/XLSX/XLS）；有错误时整份拒绝（422，details 为结果）",
)
@requires(CatalogPerm.IMPORT_PRODUCT)
def product_import_api(
    request: HttpRequest,
    file: UploadedFile = File(..., description="CSV、XLSX 或 XLS 文件，每行一个 SKU"),
    skip_invalid: bool = Query(False, description="只导入有效行，报告无效行"),
) -> Any:
    if file.size is None or file.size > MAX_UPLOAD:
        raise Invalid("import.too_large", "文件不能超过 20 MB", {"field": "file"})
    result = services.product_import(
        actor=request.user,
        source=file.read(),
        filename=file.name or "",
        skip_invalid=skip_invalid,
    )
    if not result.applied:
        raise Invalid("import.rejected", "文件有错误，未导入任何数据", result.as_dict())
    return result.as_dict()
