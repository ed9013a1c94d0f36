"""Pages of the catalog app: products (list, detail with SKUs, images, four modules, listings),
import and export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image

from storeops.accounts.selectors import store_get, store_list
from storeops.catalog import selectors, services
from storeops.catalog.enums import ListingStatus
from storeops.catalog.forms import (
    CategoryForm,
    ImageUploadForm,
    ImportForm,
    ListingCreateForm,
    ListingForm,
    MappingForm,
    ModuleForm,
    PhotoStandardForm,
    ProductForm,
    SkuForm,
)
from storeops.catalog.models import (
    Category,
    DescriptionModule,
    Listing,
    PlatformSkuMapping,
    ProductImage,
    Sku,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.core.access import requires
from storeops.core.errors import DomainError, Invalid, NotFound
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.importjobs import import_job_list, import_job_start
from storeops.core.permissions import has_perm, require

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


# --- helpers -------------------------------------------------------------------------------------
def _form_error(form: Any, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def _store_choice(request: HttpRequest, code: str | None = None) -> tuple[list[Any], Any]:
    """The stores the user works in, and the one asked for (?store=code), else the main store."""
    stores = list(store_list(actor=request.user))
    code = code if code is not None else request.GET.get("store", "")
    if code:
        return stores, store_get(actor=request.user, code=code[:40])
    main = next((s for s in stores if s.is_main_store), None)  # the master tree first
    return stores, (main or (stores[0] if stores else None))


def _master_category(value: str) -> Category | None:
    if not value:
        return None
    category = selectors.master_categories().filter(pk=int(value)).first()
    if category is None:
        raise Invalid("category.not_found", _("类目不存在"), {"field": "category"})
    return category


# --- products and SKUs ---------------------------------------------------------------------------
@requires(CatalogPerm.MANAGE_PRODUCT)
def product_create_view(request: HttpRequest) -> HttpResponse:
    form = ProductForm(
        request.POST or None,
        categories=selectors.master_categories(),
        tags=selectors.positioning_tags(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.product_create(
                actor=request.user,
                name=data["name"],
                style_code=data["style_code"],
                category=_master_category(data["category"]),
                attribute_names=form.attribute_list(),
                tags=data["tags"],
                is_best_seller=data["is_best_seller"],
            )
        except DomainError as exc:
            _form_error(form, exc)
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
    form = ProductForm(
        request.POST or None,
        initial=initial,
        categories=selectors.master_categories(),
        tags=selectors.positioning_tags(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.product_update(
                actor=request.user,
                product=product,
                name=data["name"],
                style_code=data["style_code"],
                category=_master_category(data["category"]),
                attribute_names=form.attribute_list(),
                tags=data["tags"],
                is_best_seller=data["is_best_seller"],
            )
        except DomainError as exc:
            _form_error(form, exc)
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


@requires(CatalogPerm.MANAGE_PRODUCT)
def sku_create_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_for_change(actor=request.user, product_id=product_id)
    show_cost = selectors.can_view_cost(request.user)
    form = SkuForm(
        request.POST or None, attribute_names=product.attribute_names, show_cost=show_cost
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sku_create(
                actor=request.user,
                product=product,
                merchant_code=data["merchant_code"],
                barcode=data["barcode"],
                attributes=form.attributes(),
                price=data["price"],
                standard_cost=data.get("standard_cost") or 0,
                weight_g=data["weight_g"] or 0,
                is_combo=data["is_combo"],
            )
        except DomainError as exc:
            _form_error(form, exc)
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
        data = form.cleaned_data
        changes: dict[str, Any] = {
            "merchant_code": data["merchant_code"],
            "barcode": data["barcode"],
            "attributes": form.attributes(),
            "price": data["price"],
            "weight_g": data["weight_g"] or 0,
            "is_combo": data["is_combo"],
            "is_active": data["is_active"],
        }
        if show_cost:
            changes["standard_cost"] = data.get("standard_cost") or 0
        try:
            services.sku_update(actor=request.user, sku=sku, **changes)
        except DomainError as exc:
            _form_error(form, exc)
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


# --- images: served to signed-in users only, never from a public MEDIA URL ----------------------
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMB_SIZE = (240, 240)


def _image_name(image: ProductImage) -> tuple[str, str]:
    """The stored name, checked: under catalog/products/, no '..', a known image type."""
    name = image.file.name or ""
    parts = name.split("/")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if (
        not name.startswith("catalog/products/")
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in name
        or extension not in IMAGE_TYPES
    ):
        raise NotFound("image.not_found", _("图片不存在"))
    return name, IMAGE_TYPES[extension]


def _image_headers(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@requires(CatalogPerm.VIEW_PRODUCT)
def image_file_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get(actor=request.user, image_id=image_id)
    name, content_type = _image_name(image)
    storage = image.file.storage
    if not storage.exists(name):
        raise NotFound("image.not_found", _("图片不存在"))
    response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    return _image_headers(response, name.rsplit("/", 1)[-1])


@requires(CatalogPerm.VIEW_PRODUCT)
def image_thumb_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get(actor=request.user, image_id=image_id)
    name, _content_type = _image_name(image)
    storage = image.file.storage
    if not storage.exists(name):
        raise NotFound("image.not_found", _("图片不存在"))
    with storage.open(name, "rb") as handle, Image.open(handle) as picture:
        picture.thumbnail(THUMB_SIZE)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="JPEG", quality=80)
    response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
    return _image_headers(response, f"thumb-{image.pk}.jpg")


@requires(CatalogPerm.UPLOAD_IMAGE)
@require_POST
def image_delete_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get_for_change(actor=request.user, image_id=image_id)
    product_id = image.product_id
    services.image_delete(actor=request.user, image=image)
    messages.success(request, _("图片已删除"))
    return redirect("catalog:product_detail", product_id=product_id)


# --- categories per store ------------------------------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def category_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = _store_choice(request)
    tree = selectors.category_tree(actor=request.user, store=store) if store else []
    can_manage = store is not None and has_perm(
        request.user, CatalogPerm.MANAGE_CATEGORY, store=store
    )
    return render(
        request,
        "catalog/category_list.html",
        {
            "stores": stores,
            "store": store,
            "tree": tree,
            "form": CategoryForm(categories=tree),
            "can_manage": can_manage,
            "can_template": has_perm(request.user, CatalogPerm.MANAGE_STANDARD),
        },
    )


@requires(CatalogPerm.MANAGE_CATEGORY)
@require_POST
def category_create_view(request: HttpRequest) -> HttpResponse:
    _stores, store = _store_choice(request, request.POST.get("store", ""))
    if store is None:
        raise NotFound("store.not_found", _("店铺不存在"))
    tree = list(selectors.category_list(actor=request.user, store=store))
    form = CategoryForm(request.POST, categories=tree)
    if form.is_valid():
        data = form.cleaned_data
        parent = next((c for c in tree if str(c.pk) == data["parent"]), None)
        try:
            services.category_create(
                actor=request.user,
                store=store,
                name=data["name"],
                parent=parent,
                sort_order=data["sort_order"] or 0,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("类目已创建"))
    else:
        messages.error(request, _("请填写类目名称"))
    return redirect(f"{reverse('catalog:category_list')}?store={store.code}")


@requires(CatalogPerm.MANAGE_CATEGORY)
def category_edit_view(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get_for_change(actor=request.user, category_id=category_id)
    tree = list(selectors.category_list(actor=request.user, store=category.store))
    initial = {
        "name": category.name,
        "parent": str(category.parent_id or ""),
        "sort_order": category.sort_order,
    }
    form = CategoryForm(request.POST or None, initial=initial, categories=tree)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next((c for c in tree if str(c.pk) == data["parent"]), None)
        try:
            services.category_update(
                actor=request.user,
                category=category,
                name=data["name"],
                parent=parent,
                sort_order=data["sort_order"] or 0,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("类目已保存"))
            return redirect(f"{reverse('catalog:category_list')}?store={category.store.code}")
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("修改类目：%(path)s") % {"path": category.path},
            "back": f"{reverse('catalog:category_list')}?store={category.store.code}",
        },
    )


@requires(CatalogPerm.MANAGE_CATEGORY)
@require_POST
def category_delete_view(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get_for_change(actor=request.user, category_id=category_id)
    code = category.store.code
    try:
        services.category_delete(actor=request.user, category=category)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("类目已删除"))
    return redirect(f"{reverse('catalog:category_list')}?store={code}")


@requires(CatalogPerm.VIEW_PRODUCT)
def category_template_view(request: HttpRequest, category_id: int) -> HttpResponse:
    """The category's description template: the four modules' default text for new products."""
    category = selectors.category_get(actor=request.user, category_id=category_id)
    can_edit = has_perm(request.user, CatalogPerm.MANAGE_STANDARD)
    if request.method == "POST":
        require(request.user, CatalogPerm.MANAGE_STANDARD)
        bodies = {
            m.code: request.POST.get(f"module_{m.code}", "")
            for m in selectors.description_modules()
        }
        try:
            services.description_template_save(actor=request.user, category=category, bodies=bodies)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("描述模板已保存"))
            return redirect("catalog:category_template", category_id=category.pk)
    return render(
        request,
        "catalog/category_template.html",
        {
            "category": category,
            "modules": selectors.category_templates(category),
            "can_edit": can_edit,
        },
    )


# --- store listings ------------------------------------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def listing_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = _store_choice(request)
    status = request.GET.get("status", "")
    filters = selectors.ListingFilter(
        status=status if status in ListingStatus.values else "",
        incomplete=request.GET.get("incomplete") == "1",
        q=request.GET.get("q", "")[:100],
    )
    found = (
        selectors.listing_list_annotated(actor=request.user, store=store, filters=filters)
        if store
        else Listing.objects.none()
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/listing_list.html",
        {
            "stores": stores,
            "store": store,
            "page": page,
            "filters": filters,
            "statuses": ListingStatus.choices,
            "can_manage": store is not None
            and has_perm(request.user, CatalogPerm.MANAGE_LISTING, store=store),
        },
    )


@requires(CatalogPerm.MANAGE_LISTING)
@require_POST
def listing_create_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=request.user, product_id=product_id)
    stores = list(store_list(actor=request.user))
    form = ListingCreateForm(request.POST, stores=stores)
    if not form.is_valid():
        messages.error(request, _("请选择店铺"))
        return redirect("catalog:product_detail", product_id=product.pk)
    data = form.cleaned_data
    try:
        store = store_get(actor=request.user, code=data["store"])
        services.listing_create(
            actor=request.user,
            store=store,
            product=product,
            title=data["title"],
            price=data["price"] or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已加入店铺商品（草稿）"))
    return redirect("catalog:product_detail", product_id=product.pk)


@requires(CatalogPerm.MANAGE_LISTING)
def listing_edit_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_for_change(actor=request.user, listing_id=listing_id)
    tree = list(selectors.category_list(actor=request.user, store=listing.store))
    initial = {
        "title": listing.title,
        "price": listing.price,
        "category": str(listing.category_id or ""),
    }
    form = ListingForm(request.POST or None, initial=initial, categories=tree)
    back = f"{reverse('catalog:listing_list')}?store={listing.store.code}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.listing_update(
                actor=request.user,
                listing=listing,
                title=data["title"],
                price=data["price"],
                category=next((c for c in tree if str(c.pk) == data["category"]), None),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("店铺商品已保存"))
            return redirect(back)
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": _("修改店铺商品：%(title)s") % {"title": listing.title},
            "back": back,
        },
    )


@requires(CatalogPerm.MANAGE_LISTING)
@require_POST
def listing_status_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get_for_change(actor=request.user, listing_id=listing_id)
    try:
        services.listing_set_status(
            actor=request.user, listing=listing, status=request.POST.get("status", "")[:20]
        )
    except DomainError as exc:
        messages.error(request, f"{listing.title}：{exc.message}")
    else:
        messages.success(request, _("状态已更新"))
    return redirect(f"{reverse('catalog:listing_list')}?store={listing.store.code}")


# --- platform SKU mappings -----------------------------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def mapping_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = _store_choice(request)
    q = request.GET.get("q", "")[:64]
    mappings = (
        selectors.mapping_list_filtered(actor=request.user, store=store, q=q)
        if store
        else PlatformSkuMapping.objects.none()
    )
    unmapped = (
        selectors.unmapped_skus(actor=request.user, store=store) if store else Sku.objects.none()
    )
    page = Paginator(mappings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/mapping_list.html",
        {
            "stores": stores,
            "store": store,
            "q": q,
            "page": page,
            "unmapped": unmapped[:50],
            "unmapped_count": unmapped.count(),
            "can_manage": store is not None
            and has_perm(request.user, CatalogPerm.MANAGE_MAPPING, store=store),
        },
    )


def _mapping_form_page(
    request: HttpRequest, *, store: Any, mapping: PlatformSkuMapping | None
) -> HttpResponse:
    initial: dict[str, Any] = {}
    if mapping is not None:
        initial = {
            "platform_item_id": mapping.platform_item_id,
            "platform_sku_id": mapping.platform_sku_id,
            "platform_merchant_code": mapping.platform_merchant_code,
            "merchant_code": mapping.sku.merchant_code,
        }
    elif request.GET.get("sku"):
        initial = {"merchant_code": request.GET["sku"][:64]}
    form = MappingForm(request.POST or None, initial=initial)
    back = f"{reverse('catalog:mapping_list')}?store={store.code}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sku = selectors.sku_by_merchant_code(data["merchant_code"].strip())
        if sku is None:
            form.add_error("merchant_code", _("没有这个商家编码的 SKU"))
        else:
            keys = {
                "platform_item_id": data["platform_item_id"],
                "platform_sku_id": data["platform_sku_id"],
                "platform_merchant_code": data["platform_merchant_code"],
            }
            try:
                if mapping is None:
                    services.mapping_create(actor=request.user, store=store, sku=sku, **keys)
                else:
                    services.mapping_update(actor=request.user, mapping=mapping, sku=sku, **keys)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("映射已保存"))
                return redirect(back)
    title = _("新建平台商品映射") if mapping is None else _("修改平台商品映射")
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": f"{title} · {store.name}",
            "back": back,
            "hint": _(
                "填写平台商品 ID（可加平台 SKU ID），或只填平台商家编码；订单按这里的映射落到我方 SKU。"
            ),
            "testid": "mapping-form",
        },
    )


@requires(CatalogPerm.MANAGE_MAPPING)
def mapping_create_view(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("store") or request.GET.get("store", "")
    _stores, store = _store_choice(request, code)
    if store is None:
        raise NotFound("store.not_found", _("店铺不存在"))
    if not has_perm(request.user, CatalogPerm.MANAGE_MAPPING, store=store):
        raise NotFound("store.not_found", _("店铺不存在"))
    return _mapping_form_page(request, store=store, mapping=None)


@requires(CatalogPerm.MANAGE_MAPPING)
def mapping_edit_view(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = selectors.mapping_get_for_change(actor=request.user, mapping_id=mapping_id)
    return _mapping_form_page(request, store=mapping.store, mapping=mapping)


@requires(CatalogPerm.MANAGE_MAPPING)
@require_POST
def mapping_delete_view(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = selectors.mapping_get_for_change(actor=request.user, mapping_id=mapping_id)
    code = mapping.store.code
    services.mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("映射已删除"))
    return redirect(f"{reverse('catalog:mapping_list')}?store={code}")


# --- description modules and the photo standard --------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def standards_view(request: HttpRequest) -> HttpResponse:
    standard = selectors.photo_standard_get()
    selectors.description_modules()  # the four defaults exist
    modules = list(DescriptionModule.objects.order_by("sort_order", "id"))
    return render(
        request,
        "catalog/standards.html",
        {
            "modules": modules,
            "module_form": ModuleForm(initial={"sort_order": (len(modules) + 1) * 10}),
            "standard_form": PhotoStandardForm(
                initial={
                    "min_main_images": standard.min_main_images,
                    "min_detail_images": standard.min_detail_images,
                    "min_width": standard.min_width,
                    "min_height": standard.min_height,
                    "max_file_mb": standard.max_file_mb,
                }
            ),
            "standard": standard,
            "can_edit": has_perm(request.user, CatalogPerm.MANAGE_STANDARD),
            "best_sellers_missing": selectors.product_list(
                actor=request.user,
                filters=selectors.ProductFilter(photos_missing=True),
            ).filter(is_best_seller=True)[:20],
        },
    )


@requires(CatalogPerm.MANAGE_STANDARD)
@require_POST
def module_save_view(request: HttpRequest) -> HttpResponse:
    form = ModuleForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()),
        )
    else:
        data = form.cleaned_data
        try:
            services.description_module_save(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                sort_order=data["sort_order"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("描述模块已保存"))
    return redirect("catalog:standards")


@requires(CatalogPerm.MANAGE_STANDARD)
@require_POST
def photo_standard_view(request: HttpRequest) -> HttpResponse:
    form = PhotoStandardForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()),
        )
    else:
        try:
            services.photo_standard_update(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("图片标准已保存"))
    return redirect("catalog:standards")
