"""Pages of the catalog app: products (list, detail with SKUs, images, four modules, listings),
import and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.catalog import selectors, services
from storeops.catalog.forms import ImageUploadForm, ImportForm
from storeops.catalog.models import Listing
from storeops.catalog.permissions import CatalogPerm
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
        },
    )


@requires(CatalogPerm.VIEW_PRODUCT)
def product_detail_view(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=request.user, product_id=product_id)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "skus": product.skus.all(),
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
