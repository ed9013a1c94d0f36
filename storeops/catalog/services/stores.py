"""Writes on store-scoped catalog data: categories (a tree per store), listings, platform SKU
mappings. A store the actor does not work in is 404 (require with store=)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.enums import CATEGORY_MAX_DEPTH, LISTING_TRANSITIONS, ListingStatus
from storeops.catalog.models import Category, Listing, PlatformSkuMapping, Product, Sku
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.selectors import product_is_description_complete
from storeops.catalog.services.validation import money_clean
from storeops.core.errors import Conflict, Invalid
from storeops.core.permissions import require


# --- categories ------------------------------------------------------------------------------------
def _category_name_clean(name: Any) -> str:
    text = str(name or "").strip()
    if not text or len(text) > 60 or "/" in text:
        raise Invalid(
            "category.name_invalid", _("类目名称不能为空、不含 /，最多 60 字"), {"field": "name"}
        )
    return text


def _subtree_height(category: Category) -> int:
    """Levels below and including `category` (1 for a leaf)."""
    children = list(Category.objects.filter(parent=category))
    return 1 + max((_subtree_height(c) for c in children), default=0)


def _rebuild_paths(category: Category) -> None:
    for child in Category.objects.filter(parent=category):
        child.path = f"{category.path}/{child.name}"
        child.depth = category.depth + 1
        child.save(update_fields=["path", "depth"])
        _rebuild_paths(child)


def _category_save(category: Category) -> None:
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise Conflict("category.name_taken", _("同一位置已有同名类目"), {"field": "name"}) from exc


@transaction.atomic
def category_create(
    *, actor: Any, store: Any, name: str, parent: Category | None = None, sort_order: int = 0
) -> Category:
    require(actor, CatalogPerm.MANAGE_CATEGORY, store=store)
    name = _category_name_clean(name)
    if parent is not None and parent.store_id != store.pk:
        raise Invalid("category.parent_other_store", _("上级类目不属于该店铺"), {"field": "parent"})
    depth = parent.depth + 1 if parent else 1
    if depth > CATEGORY_MAX_DEPTH:
        raise Invalid(
            "category.too_deep",
            _("类目最多 %(n)s 级") % {"n": CATEGORY_MAX_DEPTH},
            {"field": "parent"},
        )
    category = Category(
        store=store,
        parent=parent,
        name=name,
        sort_order=sort_order,
        depth=depth,
        path=f"{parent.path}/{name}" if parent else name,
    )
    _category_save(category)
    audit_record(
        actor=actor,
        action="catalog.category.create",
        obj=category,
        store=store,
        after={"path": category.path},
    )
    return category


@transaction.atomic
def category_update(
    *, actor: Any, category: Category, name: str, parent: Category | None, sort_order: int = 0
) -> Category:
    """Rename or move. Moving under itself or a descendant (a cycle) or past the depth limit is refused."""
    require(actor, CatalogPerm.MANAGE_CATEGORY, store=category.store)
    name = _category_name_clean(name)
    if parent is not None:
        if parent.store_id != category.store_id:
            raise Invalid(
                "category.parent_other_store", _("上级类目不属于该店铺"), {"field": "parent"}
            )
        ancestor: Category | None = parent
        while ancestor is not None:
            if ancestor.pk == category.pk:
                raise Conflict(
                    "category.cycle", _("不能把类目移到它自己或它的下级下面"), {"field": "parent"}
                )
            ancestor = ancestor.parent
    depth = parent.depth + 1 if parent else 1
    if depth + _subtree_height(category) - 1 > CATEGORY_MAX_DEPTH:
        raise Invalid(
            "category.too_deep",
            _("类目最多 %(n)s 级") % {"n": CATEGORY_MAX_DEPTH},
            {"field": "parent"},
        )
    before = {"path": category.path, "sort_order": category.sort_order}
    category.name = name
    category.parent = parent
    category.depth = depth
    category.sort_order = sort_order
    category.path = f"{parent.path}/{name}" if parent else name
    _category_save(category)
    _rebuild_paths(category)
    audit_record(
        actor=actor,
        action="catalog.category.update",
        obj=category,
        store=category.store,
        before=before,
        after={"path": category.path, "sort_order": sort_order},
    )
    return category


@transaction.atomic
def category_delete(*, actor: Any, category: Category) -> None:
    require(actor, CatalogPerm.MANAGE_CATEGORY, store=category.store)
    if category.children.exists():
        raise Conflict("category.has_children", _("请先删除或移走下级类目"))
    products = category.products.count()
    listings = category.listings.count()
    if products or listings:
        raise Conflict(
            "category.in_use",
            _("该类目仍被 %(p)s 个商品、%(l)s 个店铺商品使用，请先改用其他类目")
            % {"p": products, "l": listings},
            {"products": products, "listings": listings},
        )
    audit_record(
        actor=actor,
        action="catalog.category.delete",
        obj=category,
        store=category.store,
        before={"path": category.path},
    )
    category.delete()  # products and listings keep no dangling reference (SET_NULL)


# --- listings --------------------------------------------------------------------------------------
def _listing_snapshot(listing: Listing) -> dict[str, Any]:
    return {
        "store": listing.store.code,
        "product": listing.product_id,
        "title": listing.title,
        "price": str(listing.price),
        "category": listing.category.path if listing.category_id else None,
        "status": listing.status,
    }


def _title_clean(title: Any) -> str:
    text = str(title or "").strip()
    if not text or len(text) > 120:
        raise Invalid("listing.title_invalid", _("标题不能为空，最多 120 字"), {"field": "title"})
    return text


def _listing_category(store: Any, category: Category | None) -> Category | None:
    if category is not None and category.store_id != store.pk:
        raise Invalid("listing.category_other_store", _("类目不属于该店铺"), {"field": "category"})
    return category


@transaction.atomic
def listing_create(
    *,
    actor: Any,
    store: Any,
    product: Product,
    title: str = "",
    price: Any = None,
    category: Category | None = None,
) -> Listing:
    """A product in a store, as a draft; title and price default to the product's."""
    require(actor, CatalogPerm.MANAGE_LISTING, store=store)
    if price is None:
        first = product.skus.order_by("id").first()
        price = first.price if first else Decimal(0)
    listing = Listing(
        store=store,
        product=product,
        title=_title_clean(title or product.name),
        price=money_clean(price, "price", _("售价")),
        category=_listing_category(store, category),
    )
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise Conflict("listing.exists", _("该商品已在这家店铺上架"), {"field": "product"}) from exc
    audit_record(
        actor=actor,
        action="catalog.listing.create",
        obj=listing,
        store=store,
        after=_listing_snapshot(listing),
    )
    return listing


@transaction.atomic
def listing_update(
    *, actor: Any, listing: Listing, title: str, price: Any, category: Category | None
) -> Listing:
    require(actor, CatalogPerm.MANAGE_LISTING, store=listing.store)
    before = _listing_snapshot(listing)
    listing.title = _title_clean(title)
    listing.price = money_clean(price, "price", _("售价"))
    listing.category = _listing_category(listing.store, category)
    listing.save()
    after = _listing_snapshot(listing)
    if after != before:
        audit_record(
            actor=actor,
            action="catalog.listing.update",
            obj=listing,
            store=listing.store,
            before=before,
            after=after,
        )
    return listing


@transaction.atomic
def listing_set_status(*, actor: Any, listing: Listing, status: str) -> Listing:
    """Status by the transition table; on sale only with a complete four-module description (R2.7)."""
    require(actor, CatalogPerm.MANAGE_LISTING, store=listing.store)
    listing = (
        Listing.objects.select_for_update().select_related("store", "product").get(pk=listing.pk)
    )
    if status not in ListingStatus.values:
        raise Invalid("listing.status_invalid", _("状态无效"), {"field": "status"})
    if status not in LISTING_TRANSITIONS[listing.status]:
        raise Conflict(
            "listing.transition_refused",
            _("不能从“%(from)s”改为“%(to)s”")
            % {"from": listing.get_status_display(), "to": ListingStatus(status).label},
            {"from": listing.status, "to": status},
        )
    if status == ListingStatus.ON_SALE and not product_is_description_complete(listing.product):
        raise Conflict(
            "listing.description_incomplete", _("商品描述的四大模块尚未填写完整，不能上架")
        )
    before = listing.status
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="catalog.listing.status",
        obj=listing,
        store=listing.store,
        before={"status": before},
        after={"status": status},
    )
    return listing


# --- platform SKU mappings -------------------------------------------------------------------------
def _platform_id_clean(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > 64 or not text.isascii() or any(c.isspace() for c in text):
        raise Invalid(
            "mapping.id_invalid",
            _("平台编号只能是不含空格的英文字母和数字，最多 64 位"),
            {"field": field},
        )
    return text


@transaction.atomic
def mapping_create(
    *,
    actor: Any,
    store: Any,
    sku: Sku,
    platform_item_id: str = "",
    platform_sku_id: str = "",
    platform_merchant_code: str = "",
) -> PlatformSkuMapping:
    """Map a platform's item/SKU id, or its merchant-code field, in one store to our SKU."""
    require(actor, CatalogPerm.MANAGE_MAPPING, store=store)
    item = _platform_id_clean(platform_item_id, "platform_item_id")
    variant = _platform_id_clean(platform_sku_id, "platform_sku_id")
    code = _platform_id_clean(platform_merchant_code, "platform_merchant_code")
    if variant and not item:
        raise Invalid(
            "mapping.item_required",
            _("填写平台 SKU ID 时必须填写平台商品 ID"),
            {"field": "platform_item_id"},
        )
    if not item and not code:
        raise Invalid(
            "mapping.key_required",
            _("请填写平台商品 ID 或平台商家编码"),
            {"field": "platform_item_id"},
        )
    mapping = PlatformSkuMapping(
        store=store,
        sku=sku,
        platform_item_id=item,
        platform_sku_id=variant,
        platform_merchant_code=code,
    )
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError as exc:
        raise Conflict("mapping.exists", _("该平台商品在这家店铺已有映射")) from exc
    audit_record(
        actor=actor,
        action="catalog.mapping.create",
        obj=mapping,
        store=store,
        after={
            "item": item,
            "sku_id": variant,
            "merchant_code_field": code,
            "sku": sku.merchant_code,
        },
    )
    return mapping


@transaction.atomic
def mapping_update(
    *,
    actor: Any,
    mapping: PlatformSkuMapping,
    sku: Sku,
    platform_item_id: str = "",
    platform_sku_id: str = "",
    platform_merchant_code: str = "",
) -> PlatformSkuMapping:
    """Point the mapping at another SKU or correct its platform keys (same rules as a new one)."""
    require(actor, CatalogPerm.MANAGE_MAPPING, store=mapping.store)
    mapping = (
        PlatformSkuMapping.objects.select_for_update()
        .select_related("store", "sku")
        .get(pk=mapping.pk)
    )
    item, variant, code = _mapping_keys(platform_item_id, platform_sku_id, platform_merchant_code)
    before = _mapping_snapshot(mapping)
    mapping.sku = sku
    mapping.platform_item_id = item
    mapping.platform_sku_id = variant
    mapping.platform_merchant_code = code
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError as exc:
        raise Conflict(
            "mapping.exists", _("该平台商品在这家店铺已有映射"), {"field": "platform_item_id"}
        ) from exc
    after = _mapping_snapshot(mapping)
    if after != before:
        audit_record(
            actor=actor,
            action="catalog.mapping.update",
            obj=mapping,
            store=mapping.store,
            before=before,
            after=after,
        )
    return mapping


def _mapping_snapshot(mapping: PlatformSkuMapping) -> dict[str, Any]:
    return {
        "item": mapping.platform_item_id,
        "sku_id": mapping.platform_sku_id,
        "merchant_code_field": mapping.platform_merchant_code,
        "sku": mapping.sku.merchant_code,
    }


def _mapping_keys(item: Any, variant: Any, code: Any) -> tuple[str, str, str]:
    item = _platform_id_clean(item, "platform_item_id")
    variant = _platform_id_clean(variant, "platform_sku_id")
    code = _platform_id_clean(code, "platform_merchant_code")
    if variant and not item:
        raise Invalid(
            "mapping.item_required",
            _("填写平台 SKU ID 时必须填写平台商品 ID"),
            {"field": "platform_item_id"},
        )
    if not item and not code:
        raise Invalid(
            "mapping.key_required",
            _("请填写平台商品 ID 或平台商家编码"),
            {"field": "platform_item_id"},
        )
    return item, variant, code


@transaction.atomic
def mapping_delete(*, actor: Any, mapping: PlatformSkuMapping) -> None:
    require(actor, CatalogPerm.MANAGE_MAPPING, store=mapping.store)
    audit_record(
        actor=actor,
        action="catalog.mapping.delete",
        obj=mapping,
        store=mapping.store,
        before={
            "item": mapping.platform_item_id,
            "sku_id": mapping.platform_sku_id,
            "sku": mapping.sku_id,
        },
    )
    mapping.delete()
