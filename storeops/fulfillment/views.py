"""Pages of fulfillment (R2.9): the work queue (allocate, waves), an allocation with its pick list,
the scan page (核对), the pack station, shipping, tracking import, 发货回传 export, pick-ups,
packing standards and the exceptions report. Thin: every rule lives in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.catalog.models import Category
from storeops.core import clock
from storeops.core.access import requires
from storeops.core.errors import DomainError, Forbidden, Invalid, NotFound
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.fulfillment import pdf, selectors, services
from storeops.fulfillment.enums import CHECKLIST_ITEMS, AllocationStatus, ScanResult
from storeops.fulfillment.exports import shipment_export_csv
from storeops.fulfillment.models import Courier, PackingStandard, Pickup
from storeops.fulfillment.permissions import FulfillmentPerm as P
from storeops.inventory.models import Warehouse

PAGE_SIZE = 50


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**53 else None


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _warehouse(value: Any) -> Warehouse | None:
    pk = _int(value)
    if pk is None:
        return None
    found = Warehouse.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise NotFound("warehouse.not_found", _("仓库不存在"), {"field": "warehouse"})
    return found


def _detail(allocation_id: int) -> str:
    return reverse("fulfillment:allocation_detail", args=[allocation_id])


# --- queue and allocation ------------------------------------------------------------------------
@requires(P.VIEW)
def index_view(request: HttpRequest) -> HttpResponse:
    store = _int(request.GET.get("store"))
    status = request.GET.get("status", "open")
    status = status if status in (*AllocationStatus.values, "open", "") else "open"
    waiting = selectors.orders_to_allocate(actor=request.user, store=store)
    allocations = selectors.allocation_list(
        actor=request.user,
        filters=selectors.AllocationFilter(
            status=status, store=store, q=request.GET.get("q", "")[:64].strip()
        ),
    )
    return render(
        request,
        "fulfillment/index.html",
        {
            "waiting": waiting[:200],
            "waiting_count": waiting.count(),
            "page": Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": AllocationStatus.choices,
            "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
            "can_allocate": has_perm(request.user, P.ALLOCATE),
            "stores": _stores(request),
            "store": store,
        },
    )


@requires(P.ALLOCATE)
@require_POST
def allocate_view(request: HttpRequest) -> HttpResponse:
    ids = [i for i in (_int(v) for v in request.POST.getlist("orders")) if i]
    try:
        warehouse = _warehouse(request.POST.get("warehouse"))
        if request.POST.get("wave") == "1":
            if warehouse is None:
                raise Invalid("wave.warehouse", _("生成波次请选择仓库"), {"field": "warehouse"})
            result = services.wave_create(actor=request.user, order_ids=ids, warehouse=warehouse)
            for order_id, message in result.refused.items():
                messages.error(
                    request, _("订单 %(id)s 未配货：%(m)s") % {"id": order_id, "m": message}
                )
            if result.wave is not None:
                messages.success(
                    request,
                    _("已生成波次 W%(w)s，%(n)s 个订单")
                    % {"w": result.wave.pk, "n": len(result.allocated)},
                )
                return redirect("fulfillment:wave_list")
            return redirect("fulfillment:index")
        if not ids:
            raise Invalid("allocation.no_orders", _("请选择订单"), {"field": "orders"})
        done = None
        for order_id in ids:
            try:
                done = services.allocation_create(
                    actor=request.user, order_id=order_id, warehouse=warehouse
                )
            except DomainError as exc:
                messages.error(
                    request, _("订单 %(id)s 未配货：%(m)s") % {"id": order_id, "m": exc.message}
                )
        if done is not None and len(ids) == 1:
            messages.success(request, _("已配货到 %(wh)s") % {"wh": done.warehouse.name})
            return redirect(_detail(done.pk))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("fulfillment:index")


@requires(P.VIEW)
def allocation_detail_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    lines = selectors.allocation_lines(allocation)
    standard = allocation.standard
    checklist = [
        (item, getattr(standard, item), label)
        for (item, _kind), label in zip(
            CHECKLIST_ITEMS, (_("包装类型"), _("缓冲材料"), _("随箱物品")), strict=True
        )
        if standard is not None and getattr(standard, item)
    ]
    return render(
        request,
        "fulfillment/allocation_detail.html",
        {
            "a": allocation,
            "lines": lines,
            "checklist": checklist,
            "shipments": allocation.shipments.select_related("courier", "shipped_by"),
            "exceptions": allocation.exceptions.select_related("actor"),
            "couriers": selectors.courier_list(),
            "can_verify": has_perm(request.user, P.VERIFY, store=allocation.store_id),
            "can_pack": has_perm(request.user, P.PACK, store=allocation.store_id),
            "can_ship": has_perm(request.user, P.SHIP, store=allocation.store_id),
            "can_cancel": has_perm(request.user, P.CANCEL, store=allocation.store_id),
        },
    )


@requires(P.VIEW)
def pick_list_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    return _pdf(pdf.pick_list_pdf([allocation]), f"picklist-{allocation.pk}.pdf")


@requires(P.VIEW)
def packing_slip_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    return _pdf(pdf.packing_slip_pdf(allocation), f"packing-slip-{allocation.pk}.pdf")


@requires(P.VIEW)
def wave_list_view(request: HttpRequest) -> HttpResponse:
    waves = selectors.wave_list(actor=request.user).order_by("-id")
    return render(
        request,
        "fulfillment/wave_list.html",
        {"page": Paginator(waves, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@requires(P.VIEW)
def wave_pick_list_view(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave, allocations = selectors.wave_get(actor=request.user, wave_id=wave_id)
    return _pdf(pdf.wave_pick_list_pdf(wave, allocations), f"wave-{wave.pk}.pdf")


@requires(P.CANCEL)
@require_POST
def cancel_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    try:
        services.allocation_cancel(
            actor=request.user,
            allocation_id=allocation_id,
            reason=request.POST.get("reason", ""),
            close_order=request.POST.get("close_order") == "1",
        )
        messages.success(request, _("已取消配货，预占库存已释放"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_detail(allocation_id))


# --- verification ----------------------------------------------------------------------------------
@requires(P.VERIFY)
def verify_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = selectors.allocation_get(
        actor=request.user, allocation_id=allocation_id, perm=P.VERIFY
    )
    outcome = None
    error = ""
    if request.method == "POST":
        try:
            outcome = services.verify_scan(
                actor=request.user, allocation_id=allocation_id, code=request.POST.get("code", "")
            )
        except DomainError as exc:
            error = exc.message
        allocation = selectors.allocation_get(
            actor=request.user, allocation_id=allocation_id, perm=P.VERIFY
        )
    return render(
        request,
        "fulfillment/verify.html",
        {
            "a": allocation,
            "lines": selectors.allocation_lines(allocation),
            "outcome": outcome,
            "ok": outcome is not None and outcome.result == ScanResult.OK,
            "error": error,
        },
        status=200,
    )


@requires(P.VERIFY)
@require_POST
def unblock_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    try:
        services.verify_clear_block(
            actor=request.user, allocation_id=allocation_id, note=request.POST.get("note", "")
        )
        messages.success(request, _("已确认取出错误商品，可继续核对"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("fulfillment:verify", allocation_id=allocation_id)


# --- packing and shipping --------------------------------------------------------------------------
@requires(P.PACK)
@require_POST
def pack_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    weight = request.POST.get("weight_g", "").strip()
    try:
        weight_g = None
        if weight:
            if not weight.isdigit():
                raise Invalid("pack.weight", _("请填写正确的重量（克）"), {"field": "weight_g"})
            weight_g = int(weight)
        services.pack_confirm(
            actor=request.user,
            allocation_id=allocation_id,
            checklist={item: request.POST.get(item) == "1" for item, _kind in CHECKLIST_ITEMS},
            weight_g=weight_g,
            exception_note=request.POST.get("exception_note", ""),
        )
        messages.success(request, _("已打包"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_detail(allocation_id))


@requires(P.SHIP)
@require_POST
def ship_view(request: HttpRequest, allocation_id: int) -> HttpResponse:
    lines = None
    if request.POST.get("partial") == "1":
        lines = []
        for key, value in request.POST.items():
            if key.startswith("qty_") and value.strip():
                line_id, qty = _int(key[4:]), value.strip()
                if line_id is None or not qty.isdigit():
                    continue
                lines.append((line_id, int(qty)))
    try:
        shipment = services.shipment_create(
            actor=request.user,
            allocation_id=allocation_id,
            tracking_no=request.POST.get("tracking_no", ""),
            courier=request.POST.get("courier", ""),
            lines=lines,
            source="scan" if request.POST.get("scanned") == "1" else "manual",
        )
        note = ""
        if shipment.suggested_courier and shipment.suggested_courier != shipment.courier.code:
            note = _("（提示：单号格式像 %(s)s，已按所选快递记录）") % {
                "s": shipment.suggested_courier
            }
        messages.success(
            request,
            _("已发货：%(c)s %(no)s") % {"c": shipment.courier.name, "no": shipment.tracking_no}
            + note,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_detail(allocation_id))


@requires(P.VIEW)
def courier_suggest_view(request: HttpRequest) -> HttpResponse:
    """htmx: the courier a tracking number looks like (a hint under the field)."""
    found = selectors.courier_suggest(request.GET.get("tracking_no", "")[:64])
    text = _("单号格式像：%(c)s") % {"c": found.name} if found else ""
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


# --- shipments, tracking import, 发货回传 -------------------------------------------------------------
def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _day_range(request: HttpRequest) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    today = clock.business_date()
    start = _date(request.GET.get("from")) or today
    end = _date(request.GET.get("to")) or today
    tz = clock.local(clock.now()).tzinfo
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end, begin, finish


@requires(P.VIEW)
def shipment_list_view(request: HttpRequest) -> HttpResponse:
    start, end, begin, finish = _day_range(request)
    store = _int(request.GET.get("store"))
    found = selectors.shipment_list(
        actor=request.user, store=store, date_from=begin, date_to=finish
    )
    return render(
        request,
        "fulfillment/shipment_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "start": start,
            "end": end,
            "store": store,
            "stores": _stores(request),
            "can_export": has_perm(request.user, P.EXPORT),
            "can_ship": has_perm(request.user, P.SHIP),
        },
    )


def _stores(request: HttpRequest) -> list[Any]:
    from storeops.accounts.models import Store

    return list(Store.objects.filter(pk__in=request.user.store_ids()).order_by("code"))


@requires(P.EXPORT)
def shipment_export_view(request: HttpRequest) -> HttpResponse:
    """发货回传 for one store's platform, the shipments of the chosen days."""
    start, end, begin, finish = _day_range(request)
    store = next((s for s in _stores(request) if s.pk == _int(request.GET.get("store"))), None)
    if store is None:
        raise NotFound("store.not_found", _("请选择店铺"), {"field": "store"})
    found = selectors.shipment_list(
        actor=request.user, store=store.pk, date_from=begin, date_to=finish
    ).order_by("shipped_at", "id")
    content = shipment_export_csv(store.platform, found)
    name = f"shipments-{store.code}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(P.SHIP)
def tracking_import_view(request: HttpRequest) -> HttpResponse:
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择文件")
        elif upload.size > 20 * 1024 * 1024:
            error = _("文件过大（最多 20 MB）")
        else:
            try:
                result = services.tracking_import(
                    actor=request.user,
                    source=upload.read(),
                    filename=upload.name,
                    skip_invalid=request.POST.get("skip_invalid") == "1",
                )
            except DomainError as exc:
                error = exc.message
    return render(
        request,
        "fulfillment/tracking_import.html",
        {"result": result, "error": error, "columns": services.TRACKING_COLUMNS},
    )


@requires(P.VIEW)
def pickup_list_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not has_perm(request.user, P.SHIP):
            raise Forbidden("permission.denied", _("没有登记揽收的权限"))
        try:
            courier = Courier.objects.filter(pk=_int(request.POST.get("courier"))).first()
            warehouse = _warehouse(request.POST.get("warehouse"))
            when = request.POST.get("pickup_at", "")
            try:
                local = dt.datetime.fromisoformat(when)
            except ValueError:
                local = None
            if courier is None or warehouse is None or local is None:
                raise Invalid(
                    "pickup.invalid",
                    _("请选择快递公司、仓库并填写预约时间"),
                    {"field": "pickup_at"},
                )
            tz = clock.local(clock.now()).tzinfo
            services.pickup_book(
                actor=request.user,
                warehouse=warehouse,
                courier=courier,
                pickup_at=local.replace(tzinfo=tz) if local.tzinfo is None else local,
                booking_ref=request.POST.get("booking_ref", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("已登记揽收预约"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("fulfillment:pickup_list")
    found = Pickup.objects.select_related("warehouse", "courier", "created_by")
    return render(
        request,
        "fulfillment/pickup_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "couriers": selectors.courier_list(),
            "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
            "can_ship": has_perm(request.user, P.SHIP),
        },
    )


# --- packing standards and exceptions ------------------------------------------------------------
@requires(P.VIEW)
def standard_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "fulfillment/standard_list.html",
        {
            "standards": selectors.standard_list(actor=request.user),
            "couriers": selectors.courier_list(active_only=False),
            "can_manage": has_perm(request.user, P.MANAGE_STANDARD),
        },
    )


@requires(P.MANAGE_STANDARD)
def standard_edit_view(request: HttpRequest, standard_id: int | None = None) -> HttpResponse:
    standard = None
    if standard_id is not None:
        standard = PackingStandard.objects.filter(pk=standard_id).first()
        if standard is None:
            raise NotFound("standard.not_found", _("打包规范不存在"))
    categories = Category.objects.filter(store__is_main_store=True).order_by("path")
    error = ""
    if request.method == "POST":
        data = request.POST
        category = categories.filter(pk=_int(data.get("category"))).first()
        tolerance = data.get("weight_tolerance_g", "0").strip()
        try:
            services.standard_save(
                actor=request.user,
                standard=standard,
                name=data.get("name", ""),
                category=category,
                package_type=data.get("package_type", ""),
                protective_material=data.get("protective_material", ""),
                inserts=data.get("inserts", ""),
                weight_tolerance_g=int(tolerance) if tolerance.isdigit() else -1,
                is_active=data.get("is_active") == "1",
            )
            messages.success(request, _("已保存打包规范"))
            return redirect("fulfillment:standard_list")
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "fulfillment/standard_form.html",
        {"standard": standard, "categories": categories, "error": error, "data": request.POST},
    )


@requires(P.VIEW)
def exception_report_view(request: HttpRequest) -> HttpResponse:
    start, end, begin, finish = _day_range(request)
    if not request.GET.get("from"):
        start = end - dt.timedelta(days=6)
        begin = dt.datetime.combine(start, dt.time.min, tzinfo=begin.tzinfo)
    report = selectors.exception_report(actor=request.user, date_from=begin, date_to=finish)
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                clock.local(e.at).strftime("%Y-%m-%d %H:%M"),
                e.store.name,
                e.allocation.order.platform_order_no,
                e.get_kind_display(),
                e.note,
                str(e.actor),
            ]
            for e in report["items"]
        ]
        headers = [_("时间"), _("店铺"), _("订单号"), _("类型"), _("说明"), _("记录人")]
        name = _("打包异常") + f"{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        return xlsx_response(name, workbook_bytes(_("打包异常"), headers, rows))
    return render(
        request,
        "fulfillment/exception_report.html",
        {"report": report, "start": start, "end": end},
    )
