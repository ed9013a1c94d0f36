"""Excel/CSV import and export of products and SKUs, one row per SKU, through core.imports.

The natural key is the merchant code: importing the same file twice leaves everything
`unchanged`, and an export imports back as all `unchanged`. A product's rows are grouped by its
款号 (or, without one, its name). Counts are in SKUs. One audit event per applied import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Category, PositioningTag, Product, Sku
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.selectors import can_view_cost, master_categories
from storeops.catalog.services.products import (
    product_create,
    product_update,
    sku_create,
    sku_update,
)
from storeops.catalog.services.validation import (
    attribute_names_clean,
    attributes_parse,
    barcode_clean,
    merchant_code_clean,
)
from storeops.core.errors import DomainError, Forbidden
from storeops.core.imports import (
    Column,
    ImportResult,
    Progress,
    RowInvalid,
    Source,
    SourceRow,
    check_unique,
    open_table,
    parse_bool,
    parse_decimal,
    parse_int,
    run_import,
)
from storeops.core.permissions import require

COLUMNS = (
    Column("name", "商品名称", ("商品标题", "宝贝名称", "产品名称"), required=True),
    Column("style_code", "款号", ("商品编号", "货号", "款号/商品编号", "商品货号")),
    Column("category", "类目", ("分类", "商品类目", "店铺类目")),
    Column(
        "merchant_code",
        "商家编码",
        ("SKU商家编码", "规格编码", "外部编码", "sku编码"),
        required=True,
    ),
    Column("barcode", "条码", ("条形码", "69码", "国际条码", "商品条码")),
    Column("attributes", "规格", ("销售属性", "规格属性", "SKU规格")),
    Column("price", "售价", ("价格", "零售价", "销售价", "售价(元)"), required=True),
    Column("standard_cost", "成本价", ("成本", "标准成本", "成本价(元)")),
    Column("weight_g", "重量(克)", ("重量", "重量g", "重量（g）")),
    Column("tags", "定位标签", ("定位", "商品定位", "标签")),
    Column("is_best_seller", "是否主推/爆款", ("主推", "爆款", "是否爆款", "是否主推")),
    Column("is_combo", "组合装", ("是否组合装", "套餐")),
)
HEADERS = [c.label for c in COLUMNS]
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass
class SkuRecord:
    line: int
    product_key: str
    name: str
    style_code: str
    category: Category | None
    merchant_code: str
    barcode: str
    attributes: dict[str, str]
    price: Decimal
    standard_cost: Decimal | None
    weight_g: int | None
    tags: list[str] | None
    is_best_seller: bool | None
    is_combo: bool | None


@dataclass
class _Validator:
    columns: set[str]
    categories: dict[str, Category]
    tags: set[str]
    merchant_codes: dict[str, int] = field(default_factory=dict)
    barcodes: dict[str, int] = field(default_factory=dict)
    products: dict[str, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)

    def __call__(self, row: SourceRow) -> SkuRecord:
        errors: list[tuple[str, Any]] = []

        def take(name: str, parse: Any) -> Any:
            try:
                return parse(row.raw(name))
            except (ValueError, DomainError) as exc:
                errors.append((name, getattr(exc, "message", None) or str(exc)))
                return None

        name = row.text("name")
        if not name:
            errors.append(("name", _("商品名称不能为空")))
        elif len(name) > 120:
            errors.append(("name", _("商品名称最多 120 字")))
        style_code = row.text("style_code")
        if len(style_code) > 64 or not style_code.isascii():
            errors.append(("style_code", _("款号只能是英文字母和数字，最多 64 位")))
        category = None
        path = re.sub(r"\s*[/>＞]\s*", "/", row.text("category"))
        if path:
            category = self.categories.get(path)
            if category is None:
                errors.append(("category", _("主店没有这个类目：%(path)s") % {"path": path}))
        merchant_code = take(
            "merchant_code", lambda raw: merchant_code_clean(row.text("merchant_code"))
        )
        barcode = take("barcode", lambda raw: barcode_clean(row.text("barcode"))) or ""
        attributes = take("attributes", lambda raw: attributes_parse(row.text("attributes"))) or {}
        if attributes:
            try:
                attribute_names_clean(list(attributes))
            except DomainError as exc:
                errors.append(("attributes", exc.message))
        price = take("price", lambda raw: parse_decimal(raw))
        cost = take(
            "standard_cost", lambda raw: parse_decimal(raw if row.text("standard_cost") else 0)
        )
        weight = take(
            "weight_g", lambda raw: parse_int(raw if row.text("weight_g") else 0, maximum=1_000_000)
        )
        tags = [t for t in _TAG_SPLIT.split(row.text("tags")) if t]
        unknown = [t for t in tags if t not in self.tags]
        if unknown:
            errors.append(("tags", _("未知的定位标签：%(tags)s") % {"tags": "、".join(unknown)}))
        best = take("is_best_seller", parse_bool)
        combo = take("is_combo", parse_bool)
        if merchant_code:
            duplicate = check_unique(
                self.merchant_codes, merchant_code, row.line, "merchant_code", _("商家编码")
            )
            if duplicate:
                errors.append(duplicate)
            elif barcode:
                other = (
                    Sku.objects.filter(barcode=barcode).exclude(merchant_code=merchant_code).first()
                )
                if other is not None:
                    errors.append(
                        ("barcode", _("条码已被 SKU %(code)s 使用") % {"code": other.merchant_code})
                    )
        if barcode:
            duplicate = check_unique(self.barcodes, barcode, row.line, "barcode", _("条码"))
            if duplicate:
                errors.append(duplicate)
        product_key = style_code or name
        facts = (
            name,
            category.pk if category else None,
            tuple(sorted(tags)),
            best,
            tuple(attributes),
        )
        if product_key and not errors:
            first_line, first_facts = self.products.setdefault(product_key, (row.line, facts))
            if first_facts != facts:
                errors.append(
                    (
                        "name",
                        _("与第 %(line)s 行是同一商品，但名称、类目、标签、主推或规格项不一致")
                        % {"line": first_line},
                    )
                )
        if errors:
            raise RowInvalid(errors)
        return SkuRecord(
            line=row.line,
            product_key=product_key,
            name=name,
            style_code=style_code,
            category=category,
            merchant_code=merchant_code,
            barcode=barcode,
            attributes=attributes,
            price=price,
            standard_cost=cost if "standard_cost" in self.columns else None,
            weight_g=weight if "weight_g" in self.columns else None,
            tags=tags if "tags" in self.columns else None,
            is_best_seller=best if "is_best_seller" in self.columns else None,
            is_combo=combo if "is_combo" in self.columns else None,
        )


@dataclass
class _Applier:
    actor: Any
    products: dict[str, Product] = field(default_factory=dict)

    def _product(self, record: SkuRecord, sku: Sku | None) -> tuple[Product, bool]:
        product = self.products.get(record.product_key)
        if product is None and sku is not None:
            product = sku.product
        if product is None:
            found = Product.objects.filter(is_active=True)
            found = (
                found.filter(style_code=record.style_code)
                if record.style_code
                else found.filter(name=record.name, style_code="")
            )
            product = found.order_by("id").first()
        if product is None:
            product = product_create(
                actor=self.actor,
                name=record.name,
                style_code=record.style_code,
                category=record.category,
                attribute_names=list(record.attributes),
                tags=record.tags or (),
                is_best_seller=bool(record.is_best_seller),
                audit=False,
            )
            self.products[record.product_key] = product
            return product, True
        if record.product_key in self.products:
            return product, False
        self.products[record.product_key] = product
        changes: dict[str, Any] = {}
        if product.name != record.name:
            changes["name"] = record.name
        if product.style_code != record.style_code:
            changes["style_code"] = record.style_code
        if product.category_id != (record.category.pk if record.category else None):
            changes["category"] = record.category
        if list(product.attribute_names) != list(record.attributes):
            changes["attribute_names"] = list(record.attributes)
        if record.tags is not None and sorted(t.name for t in product.tags.all()) != sorted(
            record.tags
        ):
            changes["tags"] = record.tags
        if record.is_best_seller is not None and product.is_best_seller != record.is_best_seller:
            changes["is_best_seller"] = record.is_best_seller
        if changes:
            product_update(actor=self.actor, product=product, audit=False, **changes)
        return product, bool(changes)

    def _one(self, record: SkuRecord) -> str:
        sku = (
            Sku.objects.select_related("product").filter(merchant_code=record.merchant_code).first()
        )
        product, product_changed = self._product(record, sku)
        if sku is None:
            sku_create(
                actor=self.actor,
                product=product,
                merchant_code=record.merchant_code,
                barcode=record.barcode,
                attributes=record.attributes,
                price=record.price,
                standard_cost=record.standard_cost or 0,
                weight_g=record.weight_g or 0,
                is_combo=bool(record.is_combo),
                audit=False,
            )
            return "created"
        if sku.product_id != product.pk:
            raise RowInvalid(
                [
                    (
                        "merchant_code",
                        _("商家编码 %(code)s 已属于商品“%(name)s”")
                        % {"code": sku.merchant_code, "name": sku.product.name},
                    )
                ]
            )
        sku.product = product
        changes: dict[str, Any] = {}
        if sku.barcode != record.barcode:
            changes["barcode"] = record.barcode
        if dict(sku.attributes) != record.attributes:
            changes["attributes"] = record.attributes
        if sku.price != record.price:
            changes["price"] = record.price
        if record.standard_cost is not None and sku.standard_cost != record.standard_cost:
            changes["standard_cost"] = record.standard_cost
        if record.weight_g is not None and sku.weight_g != record.weight_g:
            changes["weight_g"] = record.weight_g
        if record.is_combo is not None and sku.is_combo != record.is_combo:
            changes["is_combo"] = record.is_combo
        if changes:
            sku_update(actor=self.actor, sku=sku, audit=False, **changes)
        return "updated" if changes or product_changed else "unchanged"

    def __call__(self, batch: list[SkuRecord], result: ImportResult) -> None:
        for record in batch:
            try:
                with transaction.atomic():
                    outcome = self._one(record)
            except RowInvalid as exc:
                result.rejected += 1
                for field_name, message in exc.errors:
                    result.add_error(record.line, field_name, message)
                continue
            except DomainError as exc:
                result.rejected += 1
                field_name = (
                    (exc.details or {}).get("field", "") if isinstance(exc.details, dict) else ""
                )
                result.add_error(record.line, field_name, exc.message)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)


def _sha256(source: Source) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    digest = hashlib.sha256()  # a stream (a job's stored file): read it, then rewind
    position = source.tell()
    for chunk in iter(lambda: source.read(1 << 20), b""):
        digest.update(chunk)
    source.seek(position)
    return digest.hexdigest()


@transaction.atomic
def product_import(
    *,
    actor: Any,
    source: Source,
    filename: str = "",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import products and SKUs from a CSV/XLSX/XLS file (R2.7). All or nothing, unless skip_invalid."""
    require(actor, CatalogPerm.IMPORT_PRODUCT)
    require(actor, CatalogPerm.MANAGE_PRODUCT)
    digest = _sha256(source)
    table = open_table(source, columns=COLUMNS, filename=filename)
    if "standard_cost" in table.columns and not can_view_cost(actor):
        raise Forbidden(
            "catalog.cost_forbidden", _("你没有查看成本价的权限，请删除“成本价”列后再导入")
        )
    validator = _Validator(
        columns=set(table.columns),
        categories={c.path: c for c in master_categories()},
        tags=set(PositioningTag.objects.values_list("name", flat=True)),
    )
    result = run_import(
        table,
        validate=validator,
        apply=_Applier(actor=actor),
        skip_invalid=skip_invalid,
        progress=progress,
    )
    if result.applied:
        audit_record(
            actor=actor,
            action="catalog.product.import",
            object_type="catalog.import",
            object_repr=filename[:200],
            after={
                "filename": filename[:200],
                "sha256": digest,
                "rows": result.rows,
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
            },
        )
    return result


def product_export_rows(*, actor: Any) -> tuple[list[str], Iterator[list[Any]]]:
    """The import layout, one row per SKU; the 成本价 column only for those who may see costs."""
    require(actor, CatalogPerm.VIEW_PRODUCT)
    with_cost = can_view_cost(actor)
    headers = [h for h in HEADERS if with_cost or h != "成本价"]

    def rows() -> Iterator[list[Any]]:
        skus = (
            Sku.objects.filter(product__is_active=True)
            .select_related("product__category")
            .prefetch_related("product__tags")
            .order_by("product_id", "id")
        )
        for sku in skus.iterator(chunk_size=500):
            product = sku.product
            row = [
                product.name,
                product.style_code,
                product.category.path if product.category_id else "",
                sku.merchant_code,
                sku.barcode,
                # in the product's attribute order: PostgreSQL's jsonb does not keep key order
                ";".join(
                    f"{name}:{sku.attributes[name]}"
                    for name in [
                        *[n for n in product.attribute_names if n in sku.attributes],
                        *[n for n in sku.attributes if n not in product.attribute_names],
                    ]
                ),
                sku.price,
                sku.standard_cost,
                sku.weight_g,
                "、".join(t.name for t in product.tags.all()),
                "是" if product.is_best_seller else "否",
                "是" if sku.is_combo else "否",
            ]
            if not with_cost:
                del row[HEADERS.index("成本价")]
            yield row

    return headers, rows()


IMPORT_KIND = "catalog.products"


def product_import_job_run(job: Any, files: list[Any], progress: Progress) -> ImportResult:
    """The background job's runner (core.importjobs): the same import, with the job's options."""
    source = files[0]
    with source.open() as handle:
        return product_import(
            actor=job.created_by,
            source=handle,
            filename=source.name,
            skip_invalid=bool(job.options.get("skip_invalid", False)),
            progress=progress,
        )
