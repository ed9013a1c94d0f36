"""Pages of the inventory app: warehouses, stock (filter, value, Excel), a SKU's ledger, receipts,
reservations and adjustments with their approval (R2.16, R5.1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.core import clock
from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.governance.selectors import approval_decision_refusal, approval_for, approval_history
from storeops.inventory import selectors, services
from storeops.inventory.enums import AdjustmentStatus, MovementKind
from storeops.inventory.forms import (
    AdjustmentForm,
    DecideForm,
    ReceiptForm,
    StockRuleForm,
    WarehouseEditForm,
    WarehouseForm,
)
from storeops.inventory.permissions import InventoryPerm

PAGE_SIZE = 50


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    form.add_error(field if field in form.fields else None, exc.message)


def _stock_filter(request: HttpRequest) -> selectors.StockFilter:
    params = request.GET
    return selectors.StockFilter(
        sku=params.get("sku", "")[:64].strip(),
        warehouse=params.get("warehouse", "")[:32].strip(),
        q=params.get("q", "")[:100].strip(),
        only_available=params.get("available") == "1",
        below_safety=params.get("below_safety") == "1",
    )


# --- stock ---------------------------------------------------------------------------------------
@requires(InventoryPerm.VIEW_STOCK)
def stock_list_view(request: HttpRequest) -> HttpResponse:
    filters = _stock_filter(request)
    found = selectors.stock_list(actor=request.user, filters=filters).order_by(
        "sku__merchant_code", "warehouse__code"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/stock_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "warehouses": selectors.warehouse_list(actor=request.user),
            "totals": selectors.stock_totals(actor=request.user, filters=filters),
            "show_value": selectors.can_view_value(request.user),
            "can_receive": has_perm(request.user, InventoryPerm.RECEIVE_STOCK),
            "can_adjust": has_perm(request.user, InventoryPerm.REQUEST_ADJUSTMENT),
        },
    )


@requires(InventoryPerm.VIEW_STOCK)
def stock_export_view(request: HttpRequest) -> HttpResponse:
    show_value = selectors.can_view_value(request.user)
    found = selectors.stock_list(actor=request.user, filters=_stock_filter(request)).order_by(
        "sku__merchant_code", "warehouse__code"
    )
    headers = [_("商家编码"), _("商品"), _("规格"), _("仓库"), _("在库"), _("预占"), _("可用")]
    if show_value:
        headers += [_("移动平均成本"), _("库存金额")]
    rows = []
    for level in found.iterator(chunk_size=2000):
        row = [
            level.sku.merchant_code,
            level.sku.product.name,
            " ".join(str(v) for v in level.sku.attributes.values()),
            level.warehouse.code,
            level.on_hand,
            level.reserved,
            level.available_qty,
        ]
        if show_value:
            row += [level.unit_cost, round(level.stock_value, 2)]
        rows.append(row)
    name = _("库存") + clock.business_date().strftime("%Y%m%d") + ".xlsx"
    return xlsx_response(name, workbook_bytes(_("库存"), headers, rows))


@requires(InventoryPerm.VIEW_STOCK)
def sku_ledger_view(request: HttpRequest, sku_id: int) -> HttpResponse:
    sku = selectors.sku_get_for_view(actor=request.user, sku_id=sku_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in MovementKind.values else ""
    movements = selectors.movement_list(actor=request.user, sku=sku, kind=kind)
    page = Paginator(movements, PAGE_SIZE).get_page(request.GET.get("page"))
    rule = selectors.stock_rule_for(sku)
    return render(
        request,
        "inventory/sku_ledger.html",
        {
            "sku": sku,
            "levels": selectors.stock_list(
                actor=request.user, filters=selectors.StockFilter(sku=sku.merchant_code)
            ).order_by("warehouse__code"),
            "page": page,
            "kind": kind,
            "kinds": MovementKind.choices,
            "rule": rule,
            "outlook": selectors.sku_outlook(sku, rule, now=clock.now()),
            "show_value": selectors.can_view_value(request.user),
            "can_manage_rule": has_perm(request.user, InventoryPerm.MANAGE_RULE)
            and not sku.is_combo,
            "rule_form": StockRuleForm(
                initial={
                    "safety_stock": rule.safety_stock if rule else 0,
                    "upper_limit": rule.upper_limit if rule else None,
                    "lead_time_days": rule.lead_time_days if rule else 7,
                }
            ),
        },
    )


@requires(InventoryPerm.MANAGE_RULE)
@require_POST
def stock_rule_view(request: HttpRequest, sku_id: int) -> HttpResponse:
    sku = selectors.sku_get_for_view(actor=request.user, sku_id=sku_id)
    form = StockRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查安全库存、上限和补货周期"))
    else:
        try:
            services.stock_rule_set(
                actor=request.user,
                sku=sku,
                safety_stock=form.cleaned_data["safety_stock"],
                upper_limit=form.cleaned_data["upper_limit"],
                lead_time_days=form.cleaned_data["lead_time_days"],
                responsible=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("预警设置已保存"))
    return redirect("inventory:sku_ledger", sku_id=sku.pk)


# --- warehouses ----------------------------------------------------------------------------------
@requires(InventoryPerm.VIEW_STOCK)
def warehouse_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/warehouse_list.html",
        {
            "warehouses": selectors.warehouse_list(actor=request.user),
            "can_manage": has_perm(request.user, InventoryPerm.MANAGE_WAREHOUSE),
        },
    )


@requires(InventoryPerm.MANAGE_WAREHOUSE)
def warehouse_create_view(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.warehouse_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("仓库已创建"))
            return redirect("inventory:warehouse_list")
    return _form_page(request, form, _("新建仓库"), "inventory:warehouse_list", "warehouse-form")


@requires(InventoryPerm.MANAGE_WAREHOUSE)
def warehouse_edit_view(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = selectors.warehouse_get_for_change(actor=request.user, warehouse_id=warehouse_id)
    initial = {
        "name": warehouse.name,
        "address": warehouse.address,
        "is_active": warehouse.is_active,
    }
    form = WarehouseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.warehouse_update(actor=request.user, warehouse=warehouse, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("仓库已保存"))
            return redirect("inventory:warehouse_list")
    title = _("修改仓库 %(code)s") % {"code": warehouse.code}
    return _form_page(request, form, title, "inventory:warehouse_list", "warehouse-form")


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, testid: str, hint: str = ""
) -> HttpResponse:
    from django.urls import reverse

    return render(
        request,
        "inventory/form.html",
        {"form": form, "title": title, "back": reverse(back), "testid": testid, "hint": hint},
    )


# --- receipts ------------------------------------------------------------------------------------
@requires(InventoryPerm.RECEIVE_STOCK)
def receipt_create_view(request: HttpRequest) -> HttpResponse:
    houses = selectors.warehouse_list(actor=request.user, active_only=True)
    with_cost = selectors.can_view_value(request.user)
    form = ReceiptForm(
        request.POST or None,
        warehouses=houses,
        with_cost=with_cost,
        initial={"sku": request.GET.get("sku", "")[:64]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.stock_receive(
                actor=request.user,
                sku=selectors.sku_by_code(data["sku"]),
                warehouse=selectors.warehouse_by_code(data["warehouse"]),
                quantity=data["quantity"],
                reference=data["reference"],
                unit_cost=data.get("unit_cost"),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("已入库 %(sku)s × %(n)s") % {"sku": data["sku"], "n": movement.on_hand_delta},
            )
            return redirect("inventory:sku_ledger", sku_id=movement.sku_id)
    return _form_page(request, form, _("手工入库"), "inventory:stock_list", "receipt-form")


# --- reservations --------------------------------------------------------------------------------
@requires(InventoryPerm.VIEW_STOCK)
def reservation_list_view(request: HttpRequest) -> HttpResponse:
    found = selectors.reservation_list(actor=request.user).order_by("-id")
    reference = request.GET.get("reference", "")[:100].strip()
    if reference:
        found = found.filter(reference=reference)
    return render(
        request,
        "inventory/reservation_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "reference": reference,
            "can_release": has_perm(request.user, InventoryPerm.RESERVE_STOCK),
        },
    )


@requires(InventoryPerm.RESERVE_STOCK)
@require_POST
def reservation_release_view(request: HttpRequest, reservation_id: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_change(
        actor=request.user, reservation_id=reservation_id, perm=InventoryPerm.RESERVE_STOCK
    )
    try:
        services.reservation_release(
            actor=request.user, reservation=reservation, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("预占已释放"))
    return redirect("inventory:reservation_list")


# --- adjustments ---------------------------------------------------------------------------------
@requires(InventoryPerm.VIEW_STOCK)
def adjustment_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in AdjustmentStatus.values else ""
    found = selectors.adjustment_list(actor=request.user, status=status)
    return render(
        request,
        "inventory/adjustment_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": AdjustmentStatus.choices,
            "can_request": has_perm(request.user, InventoryPerm.REQUEST_ADJUSTMENT),
        },
    )


@requires(InventoryPerm.REQUEST_ADJUSTMENT)
def adjustment_create_view(request: HttpRequest) -> HttpResponse:
    houses = selectors.warehouse_list(actor=request.user, active_only=True)
    form = AdjustmentForm(
        request.POST or None, warehouses=houses, initial={"sku": request.GET.get("sku", "")[:64]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = services.adjustment_request(
                actor=request.user,
                sku=selectors.sku_by_code(data["sku"]),
                warehouse=selectors.warehouse_by_code(data["warehouse"]),
                quantity=data["quantity"],
                reason=data["reason"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("调整单已提交审批"))
            return redirect("inventory:adjustment_detail", adjustment_id=adjustment.pk)
    hint = _("调整须由申请人以外的经理或财务审批通过后才会改变库存（R5.1）。")
    return _form_page(
        request, form, _("申请库存调整"), "inventory:adjustment_list", "adjustment-form", hint
    )


@requires(InventoryPerm.VIEW_STOCK)
def adjustment_detail_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = selectors.adjustment_get(actor=request.user, adjustment_id=adjustment_id)
    approval = approval_for(adjustment)
    can_decide = (
        adjustment.status == AdjustmentStatus.PENDING
        and approval is not None
        and has_perm(request.user, InventoryPerm.APPROVE_ADJUSTMENT)
        and approval_decision_refusal(request.user, approval) is None
    )
    level = selectors.stock_level_get(
        actor=request.user, sku=adjustment.sku, warehouse=adjustment.warehouse
    )
    return render(
        request,
        "inventory/adjustment_detail.html",
        {
            "adjustment": adjustment,
            "level": level,
            "history": approval_history(adjustment),
            "can_decide": can_decide,
            "can_cancel": adjustment.status == AdjustmentStatus.PENDING
            and adjustment.requested_by_id == request.user.pk,
            "form": DecideForm(),
            "show_value": selectors.can_view_value(request.user),
        },
    )


@requires(InventoryPerm.APPROVE_ADJUSTMENT)
@require_POST
def adjustment_decide_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = selectors.adjustment_get(actor=request.user, adjustment_id=adjustment_id)
    form = DecideForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        done = services.adjustment_decide(
            actor=request.user, adjustment=adjustment, approve=approve, comment=comment
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done.status == AdjustmentStatus.APPLIED:
            messages.success(request, _("已审批通过，库存已调整"))
        elif done.status == AdjustmentStatus.REJECTED:
            messages.success(request, _("已驳回"))
        else:
            messages.success(request, _("已审批，等待下一步审批"))
    return redirect("inventory:adjustment_detail", adjustment_id=adjustment.pk)


@requires(InventoryPerm.REQUEST_ADJUSTMENT)
@require_POST
def adjustment_cancel_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = selectors.adjustment_get(actor=request.user, adjustment_id=adjustment_id)
    try:
        services.adjustment_cancel(actor=request.user, adjustment=adjustment)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("调整单已撤销"))
    return redirect("inventory:adjustment_detail", adjustment_id=adjustment.pk)
