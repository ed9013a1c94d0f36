"""Catalog pages: the product list and detail, products, SKUs and combos, description, image upload, import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_list
from storeops.catalog import selectors, services
from storeops.catalog.forms import (
    ImageUploadForm,
    ImportForm,
    ListingCreateForm,
    ProductForm,
    SkuForm,
)
from storeops.catalog.models import (
    Listing,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.views.common import form_error, master_category
from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.importjobs import import_job_list, import_job_start
from storeops.core.permissions import has_perm

MAX_UPLOAD = 20 * 1024 * 1024


@requires(CatalogPerm.VIEW_PRODUCT)
def product_list_view(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filters = selectors.ProductFilter(
        q=params.get("q", "")[:100],
        tag=params.get("tag", "")[:20],
        incomplete=params.get("incomplete") == "1",
        photos_missing=params.get("photos_missing") == "1",
    )
    found = selectors.product_list(actor=request.user, filters=filters)
    page = Paginator(found.prefetch_related("skus"), 30).get_page(params.get("page"))
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": page,
            "filters": filters,
            "tags": selectors.positioning_tags(),
            "can_import": has_perm(request.user, CatalogPerm.IMPORT_PRODUCT),
            "can_create": has_perm(request.user, CatalogPerm.MANAGE_PRODUCT),
        },
    )


@requires(CatalogPerm.VIEW_PRODUCT)
def product_detail_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=request.user, product_id=product_id)
    skus = list(product.skus.all())
    for sku in skus:
        sku.component_list = selectors.combo_components(sku) if sku.is_combo else []
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "skus": skus,
            "show_cost": selectors.can_view_cost(request.user),
            "modules": selectors.product_description(product),
            "images": selectors.product_images(product),
            "standard": selectors.photo_standard_get(),
            "listings": Listing.objects.filter(
                product=product, store_id__in=request.user.store_ids()
            ).select_related("store", "category"),
            "image_form": ImageUploadForm(),
            "can_edit_description": has_perm(request.user, CatalogPerm.EDIT_DESCRIPTION),
            "can_upload": has_perm(request.user, CatalogPerm.UPLOAD_IMAGE),
            "can_manage": has_perm(request.user, CatalogPerm.MANAGE_PRODUCT),
            "can_list": has_perm(request.user, CatalogPerm.MANAGE_LISTING),
            "listing_form": ListingCreateForm(stores=store_list(actor=request.user)),
        },
    )


@requires(CatalogPerm.EDIT_DESCRIPTION)
@require_POST
def description_save_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_for_change(
        actor=request.user, product_id=product_id, perm=CatalogPerm.EDIT_DESCRIPTION
    )
    bodies = {
        m.code: request.POST.get(f"module_{m.code}", "") for m in selectors.description_modules()
    }
    try:
        services.description_save(actor=request.user, product=product, bodies=bodies)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("描述已保存"))
    return redirect("catalog:product_detail", product_id=product.pk)


@requires(CatalogPerm.UPLOAD_IMAGE)
@require_POST
def image_upload_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_for_change(
        actor=request.user, product_id=product_id, perm=CatalogPerm.UPLOAD_IMAGE
    )
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择图片类型和文件"))
    else:
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD:
                raise DomainError("image.too_large", _("图片太大"))
            services.image_upload(
                actor=request.user,
                product=product,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("图片已上传"))
    return redirect("catalog:product_detail", product_id=product.pk)


@requires(CatalogPerm.IMPORT_PRODUCT)
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload, then a background job with a progress bar (core.importjobs); up to 20 MB."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_start(
                actor=request.user,
                kind=services.IMPORT_KIND,
                files=[form.cleaned_data["file"]],
                options={"skip_invalid": form.cleaned_data["skip_invalid"]},
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("core:import_job", job_id=job.pk)
    return render(
        request,
        "catalog/import.html",
        {
            "form": form,
            "jobs": import_job_list(actor=request.user, kinds=[services.IMPORT_KIND]),
        },
    )


@requires(CatalogPerm.VIEW_PRODUCT)
def export_view(request: HttpRequest) -> HttpResponse:
    headers, rows = services.product_export_rows(actor=request.user)
    return xlsx_response("商品与SKU.xlsx", workbook_bytes("商品", headers, rows))


@requires(CatalogPerm.IMPORT_PRODUCT)
def import_template_view(request: HttpRequest) -> HttpResponse:
    headers = [
        h for h in services.HEADERS if selectors.can_view_cost(request.user) or h != "成本价"
    ]
    return xlsx_response("商品导入模板.xlsx", workbook_bytes("商品", headers, []))


# --- products and SKUs ---------------------------------------------------------------------------
@requires(CatalogPerm.MANAGE_PRODUCT)
def product_create_view(request: HttpRequest) -> HttpResponse:
    form = _product_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **_product_fields(form))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("商品已创建，请添加 SKU"))
            return redirect("catalog:product_detail", product_id=product.pk)
    return render(
        request,
        "catalog/form.html",
        {"form": form, "title": _("新建商品"), "back": reverse("catalog:product_list")},
    )


@requires(CatalogPerm.MANAGE_PRODUCT)
def product_edit_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_for_change(actor=request.user, product_id=product_id)
    initial = {
        "name": product.name,
        "style_code": product.style_code,
        "category": str(product.category_id or ""),
        "attribute_names": "、".join(product.attribute_names),
        "tags": [t.name for t in product.tags.all()],
        "is_best_seller": product.is_best_seller,
    }
    form = _product_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(actor=request.user, product=product, **_product_fields(form))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("商品已保存"))
            return redirect("catalog:product_detail", product_id=product.pk)
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("修改商品：%(name)s") % {"name": product.name},
            "back": reverse("catalog:product_detail", args=[product.pk]),
        },
    )


def _product_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> ProductForm:
    return ProductForm(
        request.POST or None,
        initial=initial,
        categories=selectors.master_categories(),
        tags=selectors.positioning_tags(),
    )


def _product_fields(form: ProductForm) -> dict[str, Any]:
    """The product form's answers as the product services take them."""
    data = form.cleaned_data
    return {
        "name": data["name"],
        "style_code": data["style_code"],
        "category": master_category(data["category"]),
        "attribute_names": form.attribute_list(),
        "tags": data["tags"],
        "is_best_seller": data["is_best_seller"],
    }


@requires(CatalogPerm.MANAGE_PRODUCT)
def sku_create_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_for_change(actor=request.user, product_id=product_id)
    show_cost = selectors.can_view_cost(request.user)
    form = SkuForm(
        request.POST or None, attribute_names=product.attribute_names, show_cost=show_cost
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sku_create(
                actor=request.user,
                product=product,
                standard_cost=form.cleaned_data.get("standard_cost") or 0,
                **_sku_fields(form),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("SKU 已添加"))
            return redirect("catalog:product_detail", product_id=product.pk)
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("添加 SKU：%(name)s") % {"name": product.name},
            "back": reverse("catalog:product_detail", args=[product.pk]),
            "testid": "sku-form",
        },
    )


@requires(CatalogPerm.MANAGE_PRODUCT)
def sku_edit_view(request: HttpRequest, sku_id: int) -> HttpResponse:
    sku = selectors.sku_get_for_change(actor=request.user, sku_id=sku_id)
    product = sku.product
    show_cost = selectors.can_view_cost(request.user)
    initial: dict[str, Any] = {
        "merchant_code": sku.merchant_code,
        "barcode": sku.barcode,
        "price": sku.price,
        "weight_g": sku.weight_g,
        "is_combo": sku.is_combo,
        "is_active": sku.is_active,
        **{
            f"attr_{i}": sku.attributes.get(name, "")
            for i, name in enumerate(product.attribute_names)
        },
    }
    if show_cost:
        initial["standard_cost"] = sku.standard_cost
    form = SkuForm(
        request.POST or None,
        initial=initial,
        attribute_names=product.attribute_names,
        show_cost=show_cost,
    )
    if request.method == "POST" and form.is_valid():
        changes = {**_sku_fields(form), "is_active": form.cleaned_data["is_active"]}
        if show_cost:
            changes["standard_cost"] = form.cleaned_data.get("standard_cost") or 0
        try:
            services.sku_update(actor=request.user, sku=sku, **changes)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("SKU 已保存"))
            return redirect("catalog:product_detail", product_id=product.pk)
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("修改 SKU：%(code)s") % {"code": sku.merchant_code},
            "back": reverse("catalog:product_detail", args=[product.pk]),
            "testid": "sku-form",
        },
    )


def _sku_fields(form: SkuForm) -> dict[str, Any]:
    """The SKU form's answers both SKU services take (cost and active status differ by page)."""
    data = form.cleaned_data
    return {
        "merchant_code": data["merchant_code"],
        "barcode": data["barcode"],
        "attributes": form.attributes(),
        "price": data["price"],
        "weight_g": data["weight_g"] or 0,
        "is_combo": data["is_combo"],
    }


COMBO_ROWS = 8


@requires(CatalogPerm.MANAGE_PRODUCT)
def combo_view(request: HttpRequest, sku_id: int) -> HttpResponse:
    """A combo's components: our merchant code and a quantity per line (blank lines are ignored)."""
    combo = selectors.sku_get_for_change(actor=request.user, sku_id=sku_id)
    current = selectors.combo_components(combo)
    error = ""
    if request.method == "POST":
        lines = [
            (
                request.POST.get(f"component_{i}", "").strip()[:64],
                request.POST.get(f"quantity_{i}", "").strip()[:6],
            )
            for i in range(COMBO_ROWS)
        ]
        components = []
        try:
            for number, (code, quantity) in enumerate(lines, start=1):
                if not code:
                    continue
                component = selectors.sku_by_merchant_code(code)
                if component is None:
                    raise DomainError(
                        "combo.component_unknown",
                        _("第 %(n)s 行：没有商家编码为 %(code)s 的 SKU")
                        % {"n": number, "code": code},
                    )
                if not quantity.isdigit():
                    raise DomainError(
                        "combo.quantity_invalid",
                        _("第 %(n)s 行：数量应为正整数") % {"n": number},
                    )
                components.append((component, int(quantity)))
            services.combo_set_components(actor=request.user, combo=combo, components=components)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("组合装组件已保存"))
            return redirect("catalog:product_detail", product_id=combo.product_id)
        rows = lines
    else:
        rows = [(c.component.merchant_code, str(c.quantity)) for c in current]
        rows += [("", "")] * (COMBO_ROWS - len(rows))
    return render(
        request,
        "catalog/combo.html",
        {
            "combo": combo,
            "rows": [(i, code, qty) for i, (code, qty) in enumerate(rows[:COMBO_ROWS])],
            "error": error,
            "choices": selectors.plain_sku_choices(actor=request.user, exclude=combo)[:500],
        },
    )
