"""Pages of purchase orders (create, receive fully or partly, cancel) and of available-to-sell per
store (the share setting and the stock-update file per platform)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.core import clock
from storeops.core.access import requires
from storeops.core.errors import DomainError, Invalid
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.inventory import selectors, services
from storeops.inventory.enums import PURCHASE_OPEN_STATUSES, PurchaseStatus, ShareMode
from storeops.inventory.permissions import InventoryPerm

PAGE_SIZE = 50
MAX_FORM_LINES = 20


# --- purchase orders ------------------------------------------------------------------------------
@requires(InventoryPerm.VIEW_STOCK)
def purchase_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PurchaseStatus.values else ""
    found = selectors.purchase_list(actor=request.user, status=status)
    return render(
        request,
        "inventory/purchase_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": PurchaseStatus.choices,
            "can_create": has_perm(request.user, InventoryPerm.MANAGE_PURCHASE),
        },
    )


def _parse_lines(post: Any) -> list[tuple[Any, Any, Any]]:
    lines = []
    for i in range(MAX_FORM_LINES):
        code = post.get(f"sku_{i}", "")[:64].strip()
        if not code:
            continue
        lines.append(
            (
                selectors.sku_by_code(code, field="lines"),
                post.get(f"quantity_{i}", "")[:10],
                post.get(f"cost_{i}", "")[:20].strip() or None,
            )
        )
    return lines


@requires(InventoryPerm.MANAGE_PURCHASE)
def purchase_create_view(request: HttpRequest) -> HttpResponse:
    houses = selectors.warehouse_list(actor=request.user, active_only=True)
    error = ""
    if request.method == "POST":
        try:
            raw_date = request.POST.get("expected_date", "")[:10].strip()
            try:
                expected = dt.date.fromisoformat(raw_date) if raw_date else None
            except ValueError:
                raise Invalid(
                    "purchase.date_invalid",
                    _("日期格式应为 YYYY-MM-DD"),
                    {"field": "expected_date"},
                ) from None
            order = services.purchase_create(
                actor=request.user,
                supplier=request.POST.get("supplier", "")[:100],
                warehouse=selectors.warehouse_by_code(request.POST.get("warehouse", "")[:32]),
                expected_date=expected,
                lines=_parse_lines(request.POST),
                note=request.POST.get("note", "")[:200],
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("采购单已创建"))
            return redirect("inventory:purchase_detail", order_id=order.pk)
    return render(
        request,
        "inventory/purchase_form.html",
        {
            "warehouses": houses,
            "rows": range(8),
            "error": error,
            "post": request.POST,
            "show_value": selectors.can_view_value(request.user),
        },
    )


@requires(InventoryPerm.VIEW_STOCK)
def purchase_detail_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.purchase_get(actor=request.user, order_id=order_id)
    is_open = order.status in PURCHASE_OPEN_STATUSES
    return render(
        request,
        "inventory/purchase_detail.html",
        {
            "order": order,
            "lines": order.lines.select_related("sku__product").order_by("id"),
            "can_receive": is_open and has_perm(request.user, InventoryPerm.RECEIVE_STOCK),
            "can_cancel": is_open and has_perm(request.user, InventoryPerm.MANAGE_PURCHASE),
            "show_value": selectors.can_view_value(request.user),
        },
    )


@requires(InventoryPerm.RECEIVE_STOCK)
@require_POST
def purchase_receive_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.purchase_get(actor=request.user, order_id=order_id)
    quantities = {
        line.pk: request.POST.get(f"receive_{line.pk}", "")[:10].strip()
        for line in order.lines.all()
    }
    try:
        done = services.purchase_receive(actor=request.user, order=order, quantities=quantities)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已收货，采购单状态：%(status)s") % {"status": done.get_status_display()}
        )
    return redirect("inventory:purchase_detail", order_id=order.pk)


@requires(InventoryPerm.MANAGE_PURCHASE)
@require_POST
def purchase_cancel_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.purchase_get(actor=request.user, order_id=order_id)
    try:
        services.purchase_cancel(actor=request.user, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("采购单已取消，未收部分不再计入在途"))
    return redirect("inventory:purchase_detail", order_id=order.pk)


# --- available-to-sell per store -----------------------------------------------------------------
# The stock-update file per platform: our documented format (MARKETPLACES.md gives none): the
# platform's own ids when the SKU is mapped in that store, the merchant code, the quantity.
PLATFORM_EXPORT_HEADERS = {
    "taobao": ("宝贝ID", "SKU ID", "商家编码", "可售数量"),
    "tmall": ("宝贝ID", "SKU ID", "商家编码", "可售数量"),
    "jd": ("商品编号", "SKU编号", "商家SKU编码", "库存数量"),
    "pdd": ("商品ID", "规格ID", "商家编码", "库存"),
    "douyin": ("商品ID", "SKU ID", "商家编码", "库存"),
    "own_mall": ("商品ID", "SKU ID", "商家编码", "可售数量"),
}


def _store(request: HttpRequest) -> Any:
    stores = selectors.stores_for_available(request.user)
    code = request.GET.get("store", "")[:40]
    chosen = next((s for s in stores if s.code == code), None)
    if code and chosen is None:
        raise Http404
    return stores, chosen or (stores[0] if stores else None)


@requires(InventoryPerm.VIEW_AVAILABLE)
def available_list_view(request: HttpRequest) -> HttpResponse:
    stores, store = _store(request)
    q = request.GET.get("q", "")[:64].strip()
    rows = selectors.store_sellable(actor=request.user, store=store, q=q) if store else []
    share = selectors.store_share(store) if store else None
    return render(
        request,
        "inventory/available_list.html",
        {
            "stores": stores,
            "store": store,
            "q": q,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "share": share,
            "modes": ShareMode.choices,
            "can_manage": store is not None and has_perm(request.user, InventoryPerm.MANAGE_SHARE),
        },
    )


@requires(InventoryPerm.MANAGE_SHARE)
@require_POST
def available_share_view(request: HttpRequest) -> HttpResponse:
    stores = selectors.stores_for_available(request.user)
    code = request.POST.get("store", "")[:40]
    store = next((s for s in stores if s.code == code), None)
    if store is None:
        raise Http404
    try:
        services.store_share_set(
            actor=request.user,
            store=store,
            mode=request.POST.get("mode", "")[:8],
            ratio_percent=request.POST.get("ratio_percent", "")[:10],
            fixed_quantity=request.POST.get("fixed_quantity", "")[:10],
            safety_buffer=request.POST.get("safety_buffer", "")[:10],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("可售库存分配已保存"))
    response = redirect("inventory:available_list")
    response["Location"] += f"?store={store.code}"
    return response


@requires(InventoryPerm.VIEW_AVAILABLE)
def available_export_view(request: HttpRequest) -> HttpResponse:
    """The store's stock-update file for its platform's bulk stock upload."""
    _stores, store = _store(request)
    if store is None:
        raise Http404
    headers = PLATFORM_EXPORT_HEADERS.get(store.platform, PLATFORM_EXPORT_HEADERS["own_mall"])
    rows = [
        [r.platform_item_id, r.platform_sku_id, r.platform_code, r.quantity]
        for r in selectors.store_sellable(actor=request.user, store=store)
    ]
    name = f"{_('库存更新')}-{store.code}-{clock.business_date():%Y%m%d}.xlsx"
    return xlsx_response(name, workbook_bytes(_("库存更新"), headers, rows))
