"""Writes on products, SKUs, combos, images, descriptions and their standards: permission-checked,
atomic, audited (R2.2, R2.7)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from storeops.audit.services import audit_record
from storeops.catalog.enums import ImageKind
from storeops.catalog.models import (
    Category,
    ComboComponent,
    DescriptionContent,
    DescriptionModule,
    DescriptionTemplate,
    PhotoStandard,
    PositioningTag,
    Product,
    ProductImage,
    Sku,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.selectors import description_modules, photo_standard_get, template_for
from storeops.catalog.services.validation import (
    attribute_key,
    attribute_names_clean,
    attributes_clean,
    barcode_clean,
    merchant_code_clean,
    money_clean,
)
from storeops.core.errors import Conflict, Invalid
from storeops.core.permissions import require

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 50_000_000


# --- snapshots for the audit log -------------------------------------------------------------------
def product_snapshot(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "style_code": product.style_code,
        "category": product.category.path if product.category_id else None,
        "attribute_names": list(product.attribute_names),
        "tags": sorted(t.name for t in product.tags.all()),
        "is_best_seller": product.is_best_seller,
        "is_active": product.is_active,
    }


def sku_snapshot(sku: Sku) -> dict[str, Any]:
    return {
        "merchant_code": sku.merchant_code,
        "barcode": sku.barcode,
        "attributes": dict(sku.attributes),
        "price": str(sku.price),
        "standard_cost": str(sku.standard_cost),
        "weight_g": sku.weight_g,
        "is_combo": sku.is_combo,
        "is_active": sku.is_active,
    }


def _name_clean(name: Any) -> str:
    text = str(name or "").strip()
    if not text or len(text) > 120:
        raise Invalid("product.name_invalid", _("商品名称不能为空，最多 120 字"), {"field": "name"})
    return text


def _style_code_clean(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 64 or not text.isascii():
        raise Invalid(
            "product.style_code_invalid",
            _("款号只能是英文字母和数字，最多 64 位"),
            {"field": "style_code"},
        )
    return text


def _weight_clean(value: Any) -> int:
    try:
        weight = int(value or 0)
    except (TypeError, ValueError) as exc:
        raise Invalid("sku.weight_invalid", _("重量应为整数克"), {"field": "weight_g"}) from exc
    if not 0 <= weight <= 1_000_000:
        raise Invalid(
            "sku.weight_invalid", _("重量应在 0 到 1000000 克之间"), {"field": "weight_g"}
        )
    return weight


def _tags_clean(tags: Iterable[Any]) -> list[PositioningTag]:
    names = [str(getattr(t, "name", t)).strip() for t in tags]
    found = {t.name: t for t in PositioningTag.objects.filter(name__in=names)}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise Invalid(
            "product.tag_unknown",
            _("未知的定位标签：%(tags)s") % {"tags": "、".join(unknown)},
            {"field": "tags"},
        )
    return [found[n] for n in dict.fromkeys(names)]


# --- products --------------------------------------------------------------------------------------
@transaction.atomic
def product_create(
    *,
    actor: Any,
    name: str,
    style_code: str = "",
    category: Category | None = None,
    attribute_names: Sequence[str] = (),
    tags: Iterable[Any] = (),
    is_best_seller: bool = False,
    audit: bool = True,
) -> Product:
    """A new product; its description modules start from its category's template (R2.3)."""
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    product = Product.objects.create(
        name=_name_clean(name),
        style_code=_style_code_clean(style_code),
        category=category,
        attribute_names=attribute_names_clean(attribute_names),
        is_best_seller=bool(is_best_seller),
    )
    product.tags.set(_tags_clean(tags))
    templates = template_for(category)
    if templates:
        DescriptionContent.objects.bulk_create(
            DescriptionContent(product=product, module_id=module_id, body=body)
            for module_id, body in templates.items()
        )
    if audit:
        audit_record(
            actor=actor,
            action="catalog.product.create",
            obj=product,
            after=product_snapshot(product),
        )
    return product


PRODUCT_FIELDS = (
    "name",
    "style_code",
    "category",
    "attribute_names",
    "tags",
    "is_best_seller",
    "is_active",
)


@transaction.atomic
def product_update(*, actor: Any, product: Product, audit: bool = True, **changes: Any) -> Product:
    """Change any of PRODUCT_FIELDS. Attribute names in use by a SKU cannot be dropped."""
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    unknown = sorted(set(changes) - set(PRODUCT_FIELDS))
    if unknown:
        raise Invalid("product.field_unknown", _("不能修改这些字段"), {"fields": unknown})
    before = product_snapshot(product)
    if "name" in changes:
        product.name = _name_clean(changes["name"])
    if "style_code" in changes:
        product.style_code = _style_code_clean(changes["style_code"])
    if "category" in changes:
        product.category = changes["category"]
    if "is_best_seller" in changes:
        product.is_best_seller = bool(changes["is_best_seller"])
    if "is_active" in changes:
        product.is_active = bool(changes["is_active"])
    if "attribute_names" in changes:
        names = attribute_names_clean(changes["attribute_names"])
        if names != list(product.attribute_names):
            for sku in product.skus.all():
                if set(sku.attributes) - set(names) or any(n not in sku.attributes for n in names):
                    raise Conflict(
                        "product.attributes_in_use",
                        _("规格项与已有 SKU 的规格不一致，请先修改 SKU"),
                        {"field": "attribute_names", "sku": sku.merchant_code},
                    )
            product.attribute_names = names
            for sku in product.skus.all():
                sku.attribute_key = attribute_key(sku.attributes, names)
                sku.save(update_fields=["attribute_key", "updated_at"])
    product.save()
    if "tags" in changes:
        product.tags.set(_tags_clean(changes["tags"]))
    after = product_snapshot(product)
    if audit and after != before:
        audit_record(
            actor=actor, action="catalog.product.update", obj=product, before=before, after=after
        )
    return product


# --- SKUs ------------------------------------------------------------------------------------------
def _sku_save(sku: Sku, *, create: bool) -> Sku:
    """The unique indexes decide (also between two concurrent writers): 409, never a 500."""
    try:
        with transaction.atomic():
            if create:
                sku.save(force_insert=True)
            else:
                sku.save()
    except IntegrityError as exc:
        if Sku.objects.filter(merchant_code=sku.merchant_code).exclude(pk=sku.pk).exists():
            raise Conflict(
                "sku.merchant_code_taken",
                _("商家编码已存在：%(code)s") % {"code": sku.merchant_code},
                {"field": "merchant_code"},
            ) from exc
        if sku.barcode and Sku.objects.filter(barcode=sku.barcode).exclude(pk=sku.pk).exists():
            raise Conflict(
                "sku.barcode_taken",
                _("条码已被其他 SKU 使用：%(code)s") % {"code": sku.barcode},
                {"field": "barcode"},
            ) from exc
        raise Conflict(
            "sku.attributes_taken", _("该商品已有相同规格的 SKU"), {"field": "attributes"}
        ) from exc
    return sku


@transaction.atomic
def sku_create(
    *,
    actor: Any,
    product: Product,
    merchant_code: str,
    price: Any,
    barcode: str = "",
    attributes: Mapping[str, Any] | None = None,
    standard_cost: Any = Decimal(0),
    weight_g: Any = 0,
    is_combo: bool = False,
    audit: bool = True,
) -> Sku:
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    cost = money_clean(standard_cost or 0, "standard_cost", _("成本价"))
    if cost:  # setting a cost one may not see would be writing blind
        require(actor, CatalogPerm.VIEW_COST)
    values = attributes_clean(attributes or {}, product.attribute_names)
    sku = Sku(
        product=product,
        merchant_code=merchant_code_clean(merchant_code),
        barcode=barcode_clean(barcode),
        attributes=values,
        attribute_key=attribute_key(values, product.attribute_names),
        price=money_clean(price, "price", _("售价")),
        standard_cost=cost,
        weight_g=_weight_clean(weight_g),
        is_combo=bool(is_combo),
    )
    _sku_save(sku, create=True)
    if audit:
        audit_record(actor=actor, action="catalog.sku.create", obj=sku, after=sku_snapshot(sku))
    return sku


SKU_FIELDS = (
    "merchant_code",
    "barcode",
    "attributes",
    "price",
    "standard_cost",
    "weight_g",
    "is_active",
    "is_combo",
)


@transaction.atomic
def sku_update(*, actor: Any, sku: Sku, audit: bool = True, **changes: Any) -> Sku:
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    unknown = sorted(set(changes) - set(SKU_FIELDS))
    if unknown:
        raise Invalid("sku.field_unknown", _("不能修改这些字段"), {"fields": unknown})
    before = sku_snapshot(sku)
    names = sku.product.attribute_names
    if "merchant_code" in changes:
        sku.merchant_code = merchant_code_clean(changes["merchant_code"])
    if "barcode" in changes:
        sku.barcode = barcode_clean(changes["barcode"])
    if "attributes" in changes:
        sku.attributes = attributes_clean(changes["attributes"] or {}, names)
        sku.attribute_key = attribute_key(sku.attributes, names)
    if "price" in changes:
        sku.price = money_clean(changes["price"], "price", _("售价"))
    if "standard_cost" in changes:
        require(actor, CatalogPerm.VIEW_COST)
        sku.standard_cost = money_clean(changes["standard_cost"], "standard_cost", _("成本价"))
    if "weight_g" in changes:
        sku.weight_g = _weight_clean(changes["weight_g"])
    if "is_active" in changes:
        sku.is_active = bool(changes["is_active"])
    if "is_combo" in changes and bool(changes["is_combo"]) != sku.is_combo:
        if sku.is_combo and sku.components.exists():
            raise Conflict(
                "sku.combo_has_components", _("请先清空组合装的组件"), {"field": "is_combo"}
            )
        if not sku.is_combo and sku.used_in_combos.exists():
            raise Conflict(
                "sku.is_component",
                _("该 SKU 是其他组合装的组件，不能设为组合装"),
                {"field": "is_combo"},
            )
        sku.is_combo = bool(changes["is_combo"])
    _sku_save(sku, create=False)
    after = sku_snapshot(sku)
    if audit and after != before:
        audit_record(actor=actor, action="catalog.sku.update", obj=sku, before=before, after=after)
    return sku


@transaction.atomic
def combo_set_components(*, actor: Any, combo: Sku, components: Sequence[tuple[Sku, int]]) -> Sku:
    """Replace a combo's components. Components are plain SKUs (no combo in a combo, so no cycle),
    each once, with a positive quantity."""
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    if not combo.is_combo:
        raise Conflict("combo.not_combo", _("该 SKU 不是组合装"), {"field": "combo"})
    seen: set[int] = set()
    for component, quantity in components:
        if component.pk == combo.pk:
            raise Invalid("combo.self", _("组合装不能包含自己"), {"field": "components"})
        if component.is_combo:
            raise Invalid(
                "combo.nested",
                _("组合装的组件不能是组合装：%(code)s") % {"code": component.merchant_code},
                {"field": "components"},
            )
        if component.pk in seen:
            raise Invalid(
                "combo.duplicate",
                _("组件重复：%(code)s") % {"code": component.merchant_code},
                {"field": "components"},
            )
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 9999:
            raise Invalid(
                "combo.quantity_invalid",
                _("组件数量应为 1 到 9999 的整数"),
                {"field": "components"},
            )
        seen.add(component.pk)
    before = [
        (c.component.merchant_code, c.quantity)
        for c in combo.components.select_related("component")
    ]
    combo.components.all().delete()
    ComboComponent.objects.bulk_create(
        ComboComponent(combo=combo, component=component, quantity=quantity)
        for component, quantity in components
    )
    after = [(c.merchant_code, q) for c, q in components]
    audit_record(
        actor=actor,
        action="catalog.combo.update",
        obj=combo,
        before={"components": before},
        after={"components": after},
    )
    return combo


# --- descriptions (R2.7) ---------------------------------------------------------------------------
MAX_BODY = 20_000


def _modules_by_code() -> dict[str, DescriptionModule]:
    return {m.code: m for m in description_modules()}


@transaction.atomic
def description_save(
    *, actor: Any, product: Product, bodies: Mapping[str, str]
) -> list[DescriptionContent]:
    """Save the product's description module by module (code → text); blank clears a module."""
    require(actor, CatalogPerm.EDIT_DESCRIPTION)
    modules = _modules_by_code()
    unknown = sorted(set(bodies) - set(modules))
    if unknown:
        raise Invalid("description.module_unknown", _("未知的描述模块"), {"modules": unknown})
    existing = {d.module_id: d for d in DescriptionContent.objects.filter(product=product)}
    changed: dict[str, dict[str, int]] = {}
    saved = []
    for code, body in bodies.items():
        text = str(body or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_BODY:
            raise Invalid(
                "description.too_long",
                _("每个模块最多 %(n)s 字") % {"n": MAX_BODY},
                {"field": code},
            )
        module = modules[code]
        current = existing.get(module.id)
        if current is not None and current.body == text:
            saved.append(current)
            continue
        if current is None:
            current = DescriptionContent(product=product, module=module)
        changed[code] = {"before_chars": len(current.body), "after_chars": len(text)}
        current.body = text
        current.updated_by = actor
        current.save()
        saved.append(current)
    if changed:
        audit_record(
            actor=actor,
            action="catalog.description.update",
            obj=product,
            after={"modules": changed},
        )
    return saved


@transaction.atomic
def description_template_save(
    *, actor: Any, category: Category, bodies: Mapping[str, str]
) -> Category:
    require(actor, CatalogPerm.MANAGE_STANDARD)
    modules = _modules_by_code()
    unknown = sorted(set(bodies) - set(modules))
    if unknown:
        raise Invalid("description.module_unknown", _("未知的描述模块"), {"modules": unknown})
    for code, body in bodies.items():
        text = str(body or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_BODY:
            raise Invalid(
                "description.too_long",
                _("每个模块最多 %(n)s 字") % {"n": MAX_BODY},
                {"field": code},
            )
        if text:
            DescriptionTemplate.objects.update_or_create(
                category=category, module=modules[code], defaults={"body": text}
            )
        else:
            DescriptionTemplate.objects.filter(category=category, module=modules[code]).delete()
    audit_record(
        actor=actor,
        action="catalog.template.update",
        obj=category,
        store=category.store,
        after={"modules": sorted(bodies)},
    )
    return category


@transaction.atomic
def description_module_save(
    *, actor: Any, code: str, name: str, sort_order: int = 0, is_active: bool = True
) -> DescriptionModule:
    """Configure the modules (R2.7's four by default): rename, reorder, add, deactivate."""
    require(actor, CatalogPerm.MANAGE_STANDARD)
    code = str(code or "").strip()
    if not code.isascii() or not code.replace("_", "").isalnum() or len(code) > 40:
        raise Invalid(
            "description.module_code_invalid",
            _("模块编码只能是英文字母、数字和下划线"),
            {"field": "code"},
        )
    name = str(name or "").strip()
    if not name or len(name) > 40:
        raise Invalid(
            "description.module_name_invalid", _("模块名称不能为空，最多 40 字"), {"field": "name"}
        )
    module, created = DescriptionModule.objects.update_or_create(
        code=code, defaults={"name": name, "sort_order": sort_order, "is_active": is_active}
    )
    audit_record(
        actor=actor,
        action="catalog.description_module.create"
        if created
        else "catalog.description_module.update",
        obj=module,
        after={"code": code, "name": name, "sort_order": sort_order, "is_active": is_active},
    )
    return module


# --- images and the photo standard (R2.7) ----------------------------------------------------------
@transaction.atomic
def photo_standard_update(
    *,
    actor: Any,
    min_main_images: int,
    min_detail_images: int,
    min_width: int,
    min_height: int,
    max_file_mb: int = 10,
) -> PhotoStandard:
    require(actor, CatalogPerm.MANAGE_STANDARD)
    values = {
        "min_main_images": min_main_images,
        "min_detail_images": min_detail_images,
        "min_width": min_width,
        "min_height": min_height,
        "max_file_mb": max_file_mb,
    }
    limits = {
        "min_main_images": 20,
        "min_detail_images": 50,
        "min_width": 10000,
        "min_height": 10000,
        "max_file_mb": 100,
    }
    for key, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limits[key]:
            raise Invalid("photo_standard.invalid", _("数值超出范围"), {"field": key})
    if max_file_mb < 1:
        raise Invalid("photo_standard.invalid", _("数值超出范围"), {"field": "max_file_mb"})
    standard = PhotoStandard.objects.select_for_update().filter(pk=photo_standard_get().pk).get()
    before = {k: getattr(standard, k) for k in values}
    for key, value in values.items():
        setattr(standard, key, value)
    standard.save()
    audit_record(
        actor=actor,
        action="catalog.photo_standard.update",
        obj=standard,
        before=before,
        after=values,
    )
    return standard


@transaction.atomic
def image_upload(
    *,
    actor: Any,
    product: Product,
    kind: str,
    content: bytes,
    filename: str = "",
    audit: bool = True,
) -> ProductImage:
    """Check the photo standard's resolution on upload; store through Django's default storage."""
    require(actor, CatalogPerm.UPLOAD_IMAGE)
    if kind not in ImageKind.values:
        raise Invalid("image.kind_invalid", _("图片类型无效"), {"field": "kind"})
    standard = photo_standard_get()
    if len(content) > standard.max_file_mb * 1024 * 1024:
        raise Invalid(
            "image.too_large",
            _("图片不能超过 %(mb)s MB") % {"mb": standard.max_file_mb},
            {"field": "file"},
        )
    try:
        with Image.open(_bytes_io(content)) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise Invalid("image.too_large", _("图片像素过大"), {"field": "file"})
            probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise Invalid(
            "image.unreadable", _("不是有效的图片文件（支持 JPG、PNG、WEBP）"), {"field": "file"}
        ) from exc
    if image_format not in IMAGE_FORMATS:
        raise Invalid("image.format", _("只支持 JPG、PNG、WEBP 图片"), {"field": "file"})
    if width < standard.min_width or height < standard.min_height:
        raise Invalid(
            "image.resolution_low",
            _("图片分辨率 %(w)s×%(h)s 低于标准：至少 %(mw)s×%(mh)s 像素")
            % {"w": width, "h": height, "mw": standard.min_width, "mh": standard.min_height},
            {"field": "file", "width": width, "height": height},
        )
    digest = hashlib.sha256(content).hexdigest()[:16]
    next_order = ProductImage.objects.filter(product=product, kind=kind).count()
    image = ProductImage(
        product=product,
        kind=kind,
        width=width,
        height=height,
        sort_order=next_order,
        uploaded_by=actor,
    )
    image.file.save(
        f"p{product.pk}-{digest}.{IMAGE_FORMATS[image_format]}", ContentFile(content), save=False
    )
    image.save()
    if audit:
        audit_record(
            actor=actor,
            action="catalog.image.upload",
            obj=image,
            after={
                "product": product.pk,
                "kind": kind,
                "width": width,
                "height": height,
                "filename": filename[:200],
            },
        )
    return image


def _bytes_io(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


@transaction.atomic
def image_delete(*, actor: Any, image: ProductImage) -> None:
    require(actor, CatalogPerm.UPLOAD_IMAGE)
    name = image.file.name
    audit_record(
        actor=actor,
        action="catalog.image.delete",
        obj=image,
        before={"product": image.product_id, "kind": image.kind, "file": name},
    )
    image.delete()
    storage = image.file.storage
    transaction.on_commit(lambda: storage.delete(name))
