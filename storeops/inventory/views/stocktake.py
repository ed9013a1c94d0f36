"""Pages of the weekly stocktake (R3.2): history and duties, the blind count (scan, sheet), the
variance report and its approval (R5.1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.core.access import requires
from storeops.core.errors import DomainError
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.governance.selectors import (
    approval_decision_refusal,
    approval_for,
    approval_history,
    occurrence_current,
)
from storeops.inventory import selectors, services
from storeops.inventory.enums import StocktakeStatus
from storeops.inventory.forms import DecideForm
from storeops.inventory.permissions import InventoryPerm

PAGE_SIZE = 50


@requires(InventoryPerm.VIEW_STOCK)
def stocktake_list_view(request: HttpRequest) -> HttpResponse:
    houses = list(selectors.warehouse_list(actor=request.user, active_only=True))
    duties = []
    for house in houses:
        obligation = selectors.stocktake_obligation(house)
        duties.append(
            {
                "warehouse": house,
                "obligation": obligation,
                "occurrence": occurrence_current(obligation) if obligation else None,
            }
        )
    found = selectors.stocktake_list(actor=request.user)
    return render(
        request,
        "inventory/stocktake_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "duties": duties,
            "can_count": has_perm(request.user, InventoryPerm.COUNT_STOCK),
            "show_value": selectors.can_view_value(request.user),
        },
    )


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_start_view(request: HttpRequest) -> HttpResponse:
    try:
        warehouse = selectors.warehouse_by_code(request.POST.get("warehouse", "")[:32])
        stocktake = services.stocktake_start(actor=request.user, warehouse=warehouse)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("inventory:stocktake_list")
    messages.success(request, _("盘点已开始：请扫码或上传盘点表录入实盘数量"))
    return redirect("inventory:stocktake_detail", stocktake_id=stocktake.pk)


@requires(InventoryPerm.VIEW_STOCK)
def stocktake_detail_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    lines = list(selectors.stocktake_lines(stocktake))
    counting = stocktake.status == StocktakeStatus.COUNTING
    approval = approval_for(stocktake)
    can_decide = (
        stocktake.status == StocktakeStatus.SUBMITTED
        and approval is not None
        and has_perm(request.user, InventoryPerm.APPROVE_STOCKTAKE)
        and stocktake.counted_by_id != request.user.pk
        and approval_decision_refusal(request.user, approval) is None
    )
    variances = [line for line in lines if line.variance]
    context: dict[str, Any] = {
        "stocktake": stocktake,
        "lines": lines,
        "counting": counting,
        "counted": sum(1 for line in lines if line.counted is not None),
        "variances": variances,
        "gain": sum(line.variance for line in variances if line.variance > 0),
        "loss": sum(line.variance for line in variances if line.variance < 0),
        "gain_value": sum(
            (line.variance_value for line in variances if line.variance > 0), start=0
        ),
        "loss_value": sum(
            (line.variance_value for line in variances if line.variance < 0), start=0
        ),
        "can_count": counting and has_perm(request.user, InventoryPerm.COUNT_STOCK),
        "can_decide": can_decide,
        "history": approval_history(stocktake),
        "form": DecideForm(),
        "show_value": selectors.can_view_value(request.user),
        "last": request.GET.get("last", "")[:64],
    }
    return render(request, "inventory/stocktake_detail.html", context)


def _back(stocktake_id: int, last: str = "") -> HttpResponse:
    response = redirect("inventory:stocktake_detail", stocktake_id=stocktake_id)
    if last:
        response["Location"] += "?last=" + last
    return response


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_scan_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    try:
        line = services.stocktake_scan(
            actor=request.user,
            stocktake=stocktake,
            code=request.POST.get("code", "")[:64],
            quantity=request.POST.get("quantity", "1")[:10] or "1",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(stocktake.pk)
    messages.success(
        request,
        _("%(sku)s 已计数，合计 %(n)s") % {"sku": line.sku.merchant_code, "n": line.counted},
    )
    return _back(stocktake.pk, line.sku.merchant_code)


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_count_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    try:
        line = services.stocktake_count(
            actor=request.user,
            stocktake=stocktake,
            sku=selectors.sku_by_code(request.POST.get("sku", "")[:64]),
            quantity=request.POST.get("counted", "")[:10],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(stocktake.pk)
    messages.success(
        request,
        _("%(sku)s 实盘数量已改为 %(n)s") % {"sku": line.sku.merchant_code, "n": line.counted},
    )
    return _back(stocktake.pk, line.sku.merchant_code)


@requires(InventoryPerm.COUNT_STOCK)
def stocktake_sheet_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    """The count sheet: what to count, blind (no expected quantity); 实盘数量 to fill in."""
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    headers = [_("商家编码"), _("条码"), _("商品名称"), _("规格"), _("实盘数量")]
    rows = [
        [
            line.sku.merchant_code,
            line.sku.barcode,
            line.sku.product.name,
            " ".join(str(v) for v in (line.sku.attributes or {}).values()),
            line.counted if line.counted is not None else "",
        ]
        for line in selectors.stocktake_lines(stocktake)
    ]
    name = _("盘点表") + f"-ST{stocktake.pk}-{stocktake.warehouse.code}.xlsx"
    return xlsx_response(name, workbook_bytes(_("盘点表"), headers, rows))


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_upload_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择盘点表文件"))
        return _back(stocktake.pk)
    try:
        result = services.stocktake_upload(
            actor=request.user, stocktake=stocktake, source=upload, filename=upload.name
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(stocktake.pk)
    if not result.applied:
        shown = "；".join(
            _("第 %(line)s 行 %(field)s：%(message)s") % e.as_dict() for e in result.errors[:10]
        )
        messages.error(request, _("盘点表有错误，未导入任何数量：") + shown)
    else:
        messages.success(request, _("盘点表已导入：更新 %(n)s 行") % {"n": result.updated})
    return _back(stocktake.pk)


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_submit_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    try:
        done = services.stocktake_submit(actor=request.user, stocktake=stocktake)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done.status == StocktakeStatus.APPLIED:
            messages.success(request, _("盘点无差异，已完成"))
        else:
            messages.success(request, _("盘点已提交，差异等待经理或财务审批"))
    return _back(stocktake.pk)


@requires(InventoryPerm.APPROVE_STOCKTAKE)
@require_POST
def stocktake_decide_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    form = DecideForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        done = services.stocktake_decide(
            actor=request.user,
            stocktake=stocktake,
            approve=request.POST.get("decision") == "approve",
            comment=comment,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done.status == StocktakeStatus.APPLIED:
            messages.success(request, _("已审批通过，盘点差异已调整入库存"))
        elif done.status == StocktakeStatus.REJECTED:
            messages.success(request, _("已驳回，需要重新盘点"))
        else:
            messages.success(request, _("已审批，等待下一步审批"))
    return _back(stocktake.pk)


@requires(InventoryPerm.COUNT_STOCK)
@require_POST
def stocktake_cancel_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    try:
        services.stocktake_cancel(actor=request.user, stocktake=stocktake)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("盘点单已作废"))
    return _back(stocktake.pk)


@requires(InventoryPerm.VIEW_STOCK)
def stocktake_export_view(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    """The variance report (after submission) as Excel; value columns for who may see cost."""
    stocktake = selectors.stocktake_get(actor=request.user, stocktake_id=stocktake_id)
    if stocktake.status == StocktakeStatus.COUNTING:
        messages.error(request, _("盘点提交后才有差异表"))
        return _back(stocktake.pk)
    show_value = selectors.can_view_value(request.user)
    headers = [_("商家编码"), _("商品名称"), _("账面数量"), _("实盘数量"), _("差异"), _("期间销量")]
    if show_value:
        headers += [_("单位成本"), _("差异金额")]
    rows = []
    for line in selectors.stocktake_lines(stocktake):
        row = [
            line.sku.merchant_code,
            line.sku.product.name,
            line.expected,
            line.counted,
            line.variance,
            line.sold,
        ]
        if show_value:
            row += [line.unit_cost, line.variance_value]
        rows.append(row)
    name = _("盘点差异") + f"-ST{stocktake.pk}-{stocktake.warehouse.code}.xlsx"
    return xlsx_response(name, workbook_bytes(_("盘点差异"), headers, rows))
