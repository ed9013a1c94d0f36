"""Reading the catalog, always within what the actor may see; the SKU resolver and combo expansion
that orders, stock and picking call."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from storeops.catalog.enums import DEFAULT_DESCRIPTION_MODULES, DEFAULT_POSITIONING_TAGS, ImageKind
from storeops.catalog.models import (
    Category,
    ComboComponent,
    DescriptionContent,
    DescriptionModule,
    DescriptionTemplate,
    Listing,
    PhotoStandard,
    PlatformSkuMapping,
    PositioningTag,
    Product,
    ProductImage,
    Sku,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.core.errors import NotFound
from storeops.core.permissions import has_perm, require


# --- settings-like rows ----------------------------------------------------------------------------
def photo_standard_get() -> PhotoStandard:
    standard = PhotoStandard.objects.order_by("id").first()
    if standard is None:  # a flushed test database or a fresh table: the defaults
        standard, _created = PhotoStandard.objects.get_or_create(id=1)
    return standard


def description_modules() -> list[DescriptionModule]:
    """The active modules in order (the four of R2.7 unless configured otherwise)."""
    modules = list(DescriptionModule.objects.filter(is_active=True).order_by("sort_order", "id"))
    if not modules and not DescriptionModule.objects.exists():
        for index, (code, name) in enumerate(DEFAULT_DESCRIPTION_MODULES):
            DescriptionModule.objects.get_or_create(
                code=code, defaults={"name": str(name), "sort_order": index}
            )
        modules = list(DescriptionModule.objects.filter(is_active=True).order_by("sort_order"))
    return modules


def positioning_tags() -> list[PositioningTag]:
    tags = list(PositioningTag.objects.all())
    if not tags:
        for index, name in enumerate(DEFAULT_POSITIONING_TAGS):
            PositioningTag.objects.get_or_create(name=name, defaults={"sort_order": index})
        tags = list(PositioningTag.objects.all())
    return tags


def can_view_cost(actor: Any) -> bool:
    return has_perm(actor, CatalogPerm.VIEW_COST)


# --- products --------------------------------------------------------------------------------------
def _annotated(queryset: QuerySet[Product]) -> QuerySet[Product]:
    modules = [m.id for m in description_modules()]
    standard = photo_standard_get()
    filled = DescriptionContent.objects.filter(module_id__in=modules).exclude(body="")
    return queryset.annotate(
        main_image_count=Count("images", filter=Q(images__kind=ImageKind.MAIN), distinct=True),
        detail_image_count=Count("images", filter=Q(images__kind=ImageKind.DETAIL), distinct=True),
        filled_module_count=Count("descriptions", filter=Q(descriptions__in=filled), distinct=True),
    ).annotate(
        is_description_complete=Q(filled_module_count__gte=len(modules)),
        is_photos_ok=Q(main_image_count__gte=standard.min_main_images)
        & Q(detail_image_count__gte=standard.min_detail_images),
    )


@dataclass
class ProductFilter:
    q: str = ""
    category_id: int | None = None
    tag: str = ""
    incomplete: bool = False
    photos_missing: bool = False
    include_inactive: bool = False


def product_list(*, actor: Any, filters: ProductFilter | None = None) -> QuerySet[Product]:
    """Products with their completeness (description modules, photo standard) annotated.

    With `photos_missing`, best sellers come first (R2.7: photograph best sellers first).
    """
    require(actor, CatalogPerm.VIEW_PRODUCT)
    filters = filters or ProductFilter()
    queryset = Product.objects.select_related("category").prefetch_related("tags")
    if not filters.include_inactive:
        queryset = queryset.filter(is_active=True)
    q = filters.q.strip()
    if q:
        sku_match = Sku.objects.filter(product=OuterRef("pk")).filter(
            Q(merchant_code__icontains=q) | Q(barcode=q)
        )
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(style_code__icontains=q) | Exists(sku_match)
        )
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.tag:
        queryset = queryset.filter(tags__name=filters.tag)
    queryset = _annotated(queryset)
    if filters.incomplete:
        queryset = queryset.filter(is_description_complete=False)
    if filters.photos_missing:
        return queryset.filter(is_photos_ok=False).order_by("-is_best_seller", "id")
    return queryset.order_by("-id")


def product_get(*, actor: Any, product_id: int) -> Product:
    require(actor, CatalogPerm.VIEW_PRODUCT)
    product = _annotated(Product.objects.filter(pk=product_id)).select_related("category").first()
    if product is None:
        raise NotFound("product.not_found", "商品不存在")
    return product


def product_get_for_change(
    *, actor: Any, product_id: int, perm: str = CatalogPerm.MANAGE_PRODUCT
) -> Product:
    require(actor, perm)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound("product.not_found", "商品不存在")
    return product


def product_description(product: Product) -> list[dict[str, Any]]:
    """Every active module with the product's body (blank when not written yet)."""
    bodies = {d.module_id: d.body for d in DescriptionContent.objects.filter(product=product)}
    return [
        {"module": m, "code": m.code, "name": m.name, "body": bodies.get(m.id, "")}
        for m in description_modules()
    ]


def product_is_description_complete(product: Product) -> bool:
    """R2.7: complete when every active module has text."""
    modules = description_modules()
    filled = set(
        DescriptionContent.objects.filter(product=product, module__in=modules)
        .exclude(body="")
        .values_list("module_id", flat=True)
    )
    return all(m.id in filled for m in modules)


def product_images(product: Product) -> dict[str, list[ProductImage]]:
    images = list(ProductImage.objects.filter(product=product).order_by("sort_order", "id"))
    return {
        ImageKind.MAIN: [i for i in images if i.kind == ImageKind.MAIN],
        ImageKind.DETAIL: [i for i in images if i.kind == ImageKind.DETAIL],
    }


def image_get_for_change(*, actor: Any, image_id: int) -> ProductImage:
    require(actor, CatalogPerm.UPLOAD_IMAGE)
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None:
        raise NotFound("image.not_found", "图片不存在")
    return image


# --- SKUs ------------------------------------------------------------------------------------------
def sku_list(
    *, actor: Any, product: Product | None = None, merchant_code: str = ""
) -> QuerySet[Sku]:
    require(actor, CatalogPerm.VIEW_PRODUCT)
    queryset = Sku.objects.select_related("product")
    if product is not None:
        queryset = queryset.filter(product=product)
    if merchant_code:
        queryset = queryset.filter(merchant_code=merchant_code)
    return queryset


def sku_get_for_change(*, actor: Any, sku_id: int) -> Sku:
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound("sku.not_found", "SKU 不存在")
    return sku


def sku_by_merchant_code(merchant_code: str) -> Sku | None:
    return Sku.objects.filter(merchant_code=merchant_code).first()


def sku_resolve(
    *,
    store: Any,
    platform_item_id: str | None = None,
    platform_sku_id: str | None = None,
    merchant_code: str | None = None,
) -> Sku | None:
    """Our SKU for a platform order line (issue 5's importers call this).

    In order: an explicit mapping of (store, item id, SKU id); of (store, item id) alone for an
    item without variants; a mapping of the platform's merchant-code field; our own merchant code.
    """
    item = (platform_item_id or "").strip()
    variant = (platform_sku_id or "").strip()
    code = (merchant_code or "").strip()
    mappings = PlatformSkuMapping.objects.select_related("sku")
    if item:
        for sku_id in (variant, "") if variant else ("",):
            found = mappings.filter(
                store=store, platform_item_id=item, platform_sku_id=sku_id
            ).first()
            if found is not None:
                return found.sku
    if code:
        found = mappings.filter(
            store=store, platform_item_id="", platform_merchant_code=code
        ).first()
        if found is not None:
            return found.sku
        return Sku.objects.filter(merchant_code=code).first()
    return None


def sku_resolve_many(
    *, store: Any, keys: Iterable[tuple[str | None, str | None, str | None]]
) -> dict[tuple[str | None, str | None, str | None], Sku | None]:
    """`sku_resolve` for many (platform item id, platform SKU id, merchant code) keys at once, in
    four queries per 900 item ids or codes instead of up to four per key (an export with thousands
    of SKUs). Same order of precedence, same answers (tests/test_catalog_resolve_many.py)."""
    wanted = {key: tuple((part or "").strip() for part in key) for key in keys}
    items = sorted({item for item, _variant, _code in wanted.values() if item})
    codes = sorted({code for _item, _variant, code in wanted.values() if code})
    by_item: dict[tuple[str, str], Sku] = {}
    by_platform_code: dict[str, Sku] = {}
    by_code: dict[str, Sku] = {}
    mappings = PlatformSkuMapping.objects.select_related("sku").filter(store=store)
    for start in range(0, len(items), 900):
        for mapping in mappings.filter(platform_item_id__in=items[start : start + 900]):
            by_item[(mapping.platform_item_id, mapping.platform_sku_id)] = mapping.sku
    for start in range(0, len(codes), 900):
        part = codes[start : start + 900]
        for mapping in mappings.filter(platform_item_id="", platform_merchant_code__in=part):
            by_platform_code[mapping.platform_merchant_code] = mapping.sku
        for sku in Sku.objects.filter(merchant_code__in=part):
            by_code[sku.merchant_code] = sku
    found: dict[tuple[str | None, str | None, str | None], Sku | None] = {}
    for key, (item, variant, code) in wanted.items():
        sku = None
        if item:
            sku = by_item.get((item, variant)) if variant else None
            sku = sku or by_item.get((item, ""))
        if sku is None and code:
            sku = by_platform_code.get(code) or by_code.get(code)
        found[key] = sku
    return found


def sku_resolver(*, store: Any) -> Callable[..., Sku | None]:
    """`sku_resolve` for one store with a memo: an import of many lines asks once per key."""
    memo: dict[tuple[str, str, str], Sku | None] = {}

    def resolve(
        platform_item_id: str | None = None,
        platform_sku_id: str | None = None,
        merchant_code: str | None = None,
    ) -> Sku | None:
        key = (platform_item_id or "", platform_sku_id or "", merchant_code or "")
        if key not in memo:
            memo[key] = sku_resolve(
                store=store,
                platform_item_id=platform_item_id,
                platform_sku_id=platform_sku_id,
                merchant_code=merchant_code,
            )
        return memo[key]

    return resolve


def sku_expand(sku: Sku, quantity: int) -> list[tuple[Sku, int]]:
    """What stock and picking handle: a combo's components times the quantity, else the SKU itself.

    Components are plain SKUs (the combo services refuse nesting), so one level is the whole tree.
    """
    if not sku.is_combo:
        return [(sku, quantity)]
    parts = ComboComponent.objects.filter(combo=sku).select_related("component").order_by("id")
    return [(part.component, part.quantity * quantity) for part in parts]


def combo_components(sku: Sku) -> list[ComboComponent]:
    return list(ComboComponent.objects.filter(combo=sku).select_related("component__product"))


# --- categories, listings, mappings, templates ------------------------------------------------------
def category_list(*, actor: Any, store: Any) -> QuerySet[Category]:
    require(actor, CatalogPerm.VIEW_PRODUCT, store=store)
    return Category.objects.filter(store=store).order_by("path")


def category_get_for_change(*, actor: Any, category_id: int) -> Category:
    category = Category.objects.select_related("store").filter(pk=category_id).first()
    if category is None or not actor.works_in(category.store):
        raise NotFound("category.not_found", "类目不存在")
    require(actor, CatalogPerm.MANAGE_CATEGORY, store=category.store)
    return category


def master_categories() -> QuerySet[Category]:
    """The main store's tree: the company's master categories, used for products and templates."""
    return Category.objects.filter(store__is_main_store=True).order_by("path")


def listing_list(*, actor: Any, store: Any = None) -> QuerySet[Listing]:
    require(actor, CatalogPerm.VIEW_PRODUCT, store=store)
    queryset = Listing.objects.select_related("store", "product", "category")
    if store is not None:
        return queryset.filter(store=store)
    return queryset.filter(store_id__in=actor.store_ids())


def listing_get_for_change(*, actor: Any, listing_id: int) -> Listing:
    listing = Listing.objects.select_related("store", "product").filter(pk=listing_id).first()
    if listing is None or not actor.works_in(listing.store):
        raise NotFound("listing.not_found", "店铺商品不存在")
    require(actor, CatalogPerm.MANAGE_LISTING, store=listing.store)
    return listing


def mapping_list(*, actor: Any, store: Any = None) -> QuerySet[PlatformSkuMapping]:
    require(actor, CatalogPerm.VIEW_PRODUCT, store=store)
    queryset = PlatformSkuMapping.objects.select_related("store", "sku__product")
    if store is not None:
        return queryset.filter(store=store)
    return queryset.filter(store_id__in=actor.store_ids())


def mapping_get_for_change(*, actor: Any, mapping_id: int) -> PlatformSkuMapping:
    mapping = PlatformSkuMapping.objects.select_related("store").filter(pk=mapping_id).first()
    if mapping is None or not actor.works_in(mapping.store):
        raise NotFound("mapping.not_found", "映射不存在")
    require(actor, CatalogPerm.MANAGE_MAPPING, store=mapping.store)
    return mapping


def template_for(category: Category | None) -> dict[int, str]:
    """module id → template text for a category, falling back to its ancestors' templates."""
    found: dict[int, str] = {}
    seen = 0
    while category is not None and seen < 10:
        for template in DescriptionTemplate.objects.filter(category=category):
            found.setdefault(template.module_id, template.body)
        category = category.parent
        seen += 1
    return found


def template_list(*, actor: Any) -> QuerySet[DescriptionTemplate]:
    require(actor, CatalogPerm.VIEW_PRODUCT)
    return DescriptionTemplate.objects.select_related("category", "module").order_by(
        "category__path", "module__sort_order"
    )


# --- pages: trees, listings with completeness, mappings, images ----------------------------------
def category_tree(*, actor: Any, store: Any) -> list[Category]:
    """A store's categories in tree order (path), each with how many products and listings use it."""
    return list(
        category_list(actor=actor, store=store)
        .annotate(
            product_count=Count("products", distinct=True),
            listing_count=Count("listings", distinct=True),
            child_count=Count("children", distinct=True),
        )
        .order_by("path")
    )


def category_templates(category: Category) -> list[dict[str, Any]]:
    """Every active module with the category's own template text (blank when none)."""
    bodies = {t.module_id: t.body for t in DescriptionTemplate.objects.filter(category=category)}
    return [
        {"module": m, "code": m.code, "name": m.name, "body": bodies.get(m.id, "")}
        for m in description_modules()
    ]


def category_get(*, actor: Any, category_id: int) -> Category:
    """For reading (the template page): the store's VIEW_PRODUCT; another store's is 404."""
    category = Category.objects.select_related("store").filter(pk=category_id).first()
    if category is None or not actor.works_in(category.store):
        raise NotFound("category.not_found", "类目不存在")
    require(actor, CatalogPerm.VIEW_PRODUCT, store=category.store)
    return category


@dataclass
class ListingFilter:
    status: str = ""
    incomplete: bool = False
    q: str = ""


def listing_list_annotated(
    *, actor: Any, store: Any, filters: ListingFilter | None = None
) -> QuerySet[Listing]:
    """A store's listings with completeness: complete when every active module has text (R2.7)."""
    filters = filters or ListingFilter()
    modules = [m.id for m in description_modules()]
    queryset = listing_list(actor=actor, store=store).annotate(
        filled_module_count=Count(
            "product__descriptions",
            filter=Q(product__descriptions__module_id__in=modules)
            & ~Q(product__descriptions__body=""),
            distinct=True,
        )
    )
    queryset = queryset.annotate(is_complete=Q(filled_module_count__gte=len(modules)))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.incomplete:
        queryset = queryset.filter(is_complete=False)
    q = filters.q.strip()
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(product__name__icontains=q))
    return queryset.order_by("-id")


def mapping_list_filtered(*, actor: Any, store: Any, q: str = "") -> QuerySet[PlatformSkuMapping]:
    queryset = mapping_list(actor=actor, store=store)
    q = q.strip()
    if q:
        queryset = queryset.filter(
            Q(platform_item_id__icontains=q)
            | Q(platform_sku_id__icontains=q)
            | Q(platform_merchant_code__icontains=q)
            | Q(sku__merchant_code__icontains=q)
            | Q(sku__product__name__icontains=q)
        )
    return queryset.order_by("-id")


def unmapped_skus(*, actor: Any, store: Any) -> QuerySet[Sku]:
    """Active SKUs of products listed in this store that no mapping of the store points to."""
    require(actor, CatalogPerm.VIEW_PRODUCT, store=store)
    listed = Listing.objects.filter(store=store).values("product_id")
    mapped = PlatformSkuMapping.objects.filter(store=store).values("sku_id")
    return (
        Sku.objects.filter(is_active=True, product_id__in=listed)
        .exclude(pk__in=mapped)
        .select_related("product")
        .order_by("product_id", "id")
    )


def mapping_get(*, actor: Any, mapping_id: int) -> PlatformSkuMapping:
    mapping = (
        PlatformSkuMapping.objects.select_related("store", "sku__product")
        .filter(pk=mapping_id)
        .first()
    )
    if mapping is None or not actor.works_in(mapping.store):
        raise NotFound("mapping.not_found", "映射不存在")
    require(actor, CatalogPerm.VIEW_PRODUCT, store=mapping.store)
    return mapping


def image_get(*, actor: Any, image_id: int) -> ProductImage:
    """An image for viewing: products are company-wide, so VIEW_PRODUCT is the whole check."""
    require(actor, CatalogPerm.VIEW_PRODUCT)
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None:
        raise NotFound("image.not_found", "图片不存在")
    return image


def sku_get(*, actor: Any, sku_id: int) -> Sku:
    require(actor, CatalogPerm.VIEW_PRODUCT)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound("sku.not_found", "SKU 不存在")
    return sku


def plain_sku_choices(*, actor: Any, exclude: Sku | None = None) -> QuerySet[Sku]:
    """SKUs that may be a combo's component: active, not combos themselves."""
    queryset = sku_list(actor=actor).filter(is_active=True, is_combo=False)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.order_by("merchant_code")
