"""Catalog pages: store listings and platform SKU mappings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_get, store_list
from storeops.catalog import selectors, services
from storeops.catalog.enums import ListingStatus
from storeops.catalog.forms import (
    ListingCreateForm,
    ListingForm,
    MappingForm,
)
from storeops.catalog.models import (
    Listing,
    PlatformSkuMapping,
    Sku,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.catalog.views.common import form_error, store_choice
from storeops.core.access import requires
from storeops.core.errors import DomainError, NotFound
from storeops.core.permissions import has_perm


# --- store listings ------------------------------------------------------------------------------
@requires(CatalogPerm.VIEW_PRODUCT)
def listing_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = store_choice(request)
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
            form_error(form, exc)
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
    stores, store = store_choice(request)
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
                form_error(form, exc)
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
    _stores, store = store_choice(request, code)
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
