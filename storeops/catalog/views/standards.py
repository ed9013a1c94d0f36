"""Catalog pages: description modules and the photo standard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.catalog import selectors, services
from storeops.catalog.forms import (
    ModuleForm,
    PhotoStandardForm,
)
from storeops.catalog.models import (
    DescriptionModule,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.permissions import has_perm


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
