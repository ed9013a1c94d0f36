"""Pages of the orders app: the list with filters, batch actions and export; one order with its
lines, amounts and timeline and the handling forms (审单, 改价, 备注, 旗帜, 发货); manual orders; the
auto-review rules; reviews (评价)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeops.accounts.selectors import store_get, store_list
from storeops.core import clock
from storeops.core.access import requires
from storeops.core.api import PAGE_DEFAULT, keyset_page
from storeops.core.errors import DomainError, NotFound
from storeops.core.excel import workbook_bytes, xlsx_response
from storeops.core.permissions import has_perm
from storeops.governance.selectors import approval_for
from storeops.orders import selectors_list as sel
from storeops.orders.enums import OrderStatus, PriceAdjustmentStatus
from storeops.orders.forms import (
    BlacklistForm,
    ExceptionForm,
    FlagForm,
    ManualOrderForm,
    OrderFilterForm,
    PriceAdjustForm,
    ReasonForm,
    RemarkForm,
    ReplyForm,
    ReviewImportForm,
    ReviewRulesForm,
    ShipForm,
)
from storeops.orders.models import BlacklistedBuyer
from storeops.orders.permissions import OrderPerm
from storeops.orders.services import review as review_svc
from storeops.orders.services import reviews as reviews_svc
from storeops.orders.services import transactions as tx

MAX_BATCH = 500


def _form_error(form: Any, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def _filters(request: HttpRequest, form: OrderFilterForm, stores: list[Any]) -> sel.OrderFilters:
    data = form.cleaned_data if form.is_valid() else {}
    store = next((s for s in stores if s.code == data.get("store")), None)
    return sel.OrderFilters(
        store_ids=(store.pk,) if store else (),
        status=data.get("status", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        order_no=(data.get("order_no") or "").strip(),
        buyer=(data.get("buyer") or "").strip(),
        phone_last4=data.get("phone_last4") or "",
        sku=(data.get("sku") or "").strip(),
        flag=data.get("flag", ""),
        exception_reason=data.get("exception_reason", ""),
    )


def _back(request: HttpRequest, order_id: int) -> HttpResponse:
    return redirect("orders:order_detail", order_id=order_id)


# --- list, export, batch -------------------------------------------------------------------------
@requires(OrderPerm.VIEW_ORDER)
def order_list_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    form = OrderFilterForm(request.GET or None, stores=stores)
    filters = _filters(request, form, stores)
    try:
        page = sel.order_page(
            actor=request.user,
            filters=filters,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_DEFAULT,
        )
    except DomainError:
        page = sel.OrderPage(orders=[], next_cursor=None, count=0)
    reader: dict[int, bool] = {}
    for order in page.orders:
        if order.store_id not in reader:
            reader[order.store_id] = sel.can_see_personal_data(request.user, order)
        order.receiver = sel.receiver_view(order, clear=reader[order.store_id])
    query = request.GET.copy()
    query.pop("cursor", None)
    user = request.user
    return render(
        request,
        "orders/order_list.html",
        {
            "form": form,
            "page": page,
            "orders": page.orders,
            "query": query.urlencode(),
            "queues": [
                (OrderStatus.PENDING_REVIEW, OrderStatus.PENDING_REVIEW.label),
                (OrderStatus.EXCEPTION, OrderStatus.EXCEPTION.label),
                (OrderStatus.REVIEWED, OrderStatus.REVIEWED.label),
            ],
            "can_review": has_perm(user, OrderPerm.REVIEW_ORDER),
            "can_export": has_perm(user, OrderPerm.EXPORT_ORDER),
            "can_create": has_perm(user, OrderPerm.CREATE_ORDER),
            "can_import": has_perm(user, OrderPerm.IMPORT_ORDER),
            "can_rules": has_perm(user, OrderPerm.MANAGE_REVIEW_RULES),
        },
    )


@requires(OrderPerm.EXPORT_ORDER)
def order_export_view(request: HttpRequest) -> HttpResponse:
    """The current filter as Excel: ids as text, cells starting = + - @ neutralised."""
    stores = list(store_list(actor=request.user))
    form = OrderFilterForm(request.GET or None, stores=stores)
    filters = _filters(request, form, stores)
    rows = sel.order_export_rows(actor=request.user, filters=filters)
    content = workbook_bytes(_("订单"), sel.EXPORT_HEADERS, rows)
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M")
    return xlsx_response(f"订单-{stamp}.xlsx", content)


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_batch_view(request: HttpRequest) -> HttpResponse:
    """Batch actions on the ticked orders: review, merge."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit() and len(i) < 16][:MAX_BATCH]
    action = request.POST.get("action", "")
    back = reverse("orders:order_list") + ("?" + request.POST.get("query", ""))
    if not ids:
        messages.warning(request, _("请先勾选订单"))
        return redirect(back)
    try:
        if action == "review":
            result = review_svc.order_review_batch(actor=request.user, order_ids=ids)
            messages.success(
                request,
                _("已审核 %(ok)s 单，未通过 %(no)s 单")
                % {"ok": len(result["reviewed"]), "no": len(result["refused"])},
            )
            for refused in result["refused"][:10]:
                messages.warning(request, f"#{refused['id']}：{refused['message']}")
        elif action == "merge":
            target = review_svc.order_merge(actor=request.user, order_ids=ids)
            messages.success(request, _("已合并到订单 %(no)s") % {"no": target.platform_order_no})
            return _back(request, target.pk)
        else:
            messages.warning(request, _("请选择批量操作"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_auto_review_view(request: HttpRequest) -> HttpResponse:
    store = store_get(actor=request.user, code=request.POST.get("store", "")[:32])
    try:
        result = review_svc.order_auto_review(actor=request.user, store=store)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("自动审单：通过 %(ok)s 单，待人工处理 %(held)s 单")
            % {"ok": len(result.reviewed), "held": len(result.held)},
        )
    return redirect(reverse("orders:order_list") + f"?store={store.code}&status=pending_review")


# --- one order -----------------------------------------------------------------------------------
@requires(OrderPerm.VIEW_ORDER)
def order_detail_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = sel.order_get(actor=request.user, order_id=order_id)
    user = request.user
    lines = sel.order_lines(order)
    for line in lines:
        line.subtotal = line.unit_price * line.quantity - line.discount
    adjustments = list(order.price_adjustments.select_related("requested_by", "applied_by", "line"))
    for adjustment in adjustments:
        adjustment.approval = (
            approval_for(adjustment)
            if adjustment.status == PriceAdjustmentStatus.PENDING_APPROVAL
            else None
        )
    can = {
        "review": has_perm(user, OrderPerm.REVIEW_ORDER, store=order.store),
        "price": has_perm(user, OrderPerm.ADJUST_PRICE, store=order.store)
        and order.status == OrderStatus.PENDING_PAYMENT,
        "remark": has_perm(user, OrderPerm.EDIT_REMARK, store=order.store),
        "ship": has_perm(user, OrderPerm.SHIP_ORDER, store=order.store)
        and order.status in tx.SHIPPABLE,
    }
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "receiver": sel.receiver_view(order, clear=sel.can_see_personal_data(user, order)),
            "lines": lines,
            "timeline": sel.order_timeline(order),
            "adjustments": adjustments,
            "payable": tx.order_payable(order),
            "can": can,
            "is_reviewable": order.status in review_svc.REVIEWABLE,
            "is_reviewed": order.status == OrderStatus.REVIEWED,
            "exception_form": ExceptionForm(),
            "price_form": PriceAdjustForm(lines=lines),
            "remark_form": RemarkForm(initial={"remark": order.seller_remark}),
            "flag_form": FlagForm(initial={"flag": order.flag}),
            "ship_form": ShipForm(
                initial={"courier": order.courier, "tracking_no": order.tracking_no}
            ),
            "reason_form": ReasonForm(),
            "limit": tx.price_adjust_limit_percent(),
        },
    )


def _act(request: HttpRequest, order_id: int, done: str, call: Any) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(request, order_id)


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_review_view(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        _("订单已审核"),
        lambda: review_svc.order_review(actor=request.user, order_id=order_id),
    )


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_unreview_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        order_id,
        _("已反审核"),
        lambda: review_svc.order_unreview(actor=request.user, order_id=order_id, reason=reason),
    )


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_exception_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ExceptionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"reason": "", "detail": ""}
    return _act(
        request,
        order_id,
        _("已转异常"),
        lambda: review_svc.order_mark_exception(
            actor=request.user, order_id=order_id, reason=data["reason"], detail=data["detail"]
        ),
    )


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_close_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        order_id,
        _("订单已关闭"),
        lambda: tx.order_close(actor=request.user, order_id=order_id, reason=reason),
    )


@requires(OrderPerm.REVIEW_ORDER)
@require_POST
def order_split_view(request: HttpRequest, order_id: int) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("lines") if i.isdigit() and len(i) < 16]
    try:
        new = review_svc.order_split(actor=request.user, order_id=order_id, line_ids=ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, order_id)
    messages.success(request, _("已拆出订单 %(no)s") % {"no": new.platform_order_no})
    return _back(request, new.pk)


@requires(OrderPerm.ADJUST_PRICE)
@require_POST
def order_price_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = sel.order_get(actor=request.user, order_id=order_id)
    form = PriceAdjustForm(request.POST, lines=sel.order_lines(order))
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(request, order_id)
    target = form.cleaned_data["target"]
    line_id = int(target.split(":", 1)[1]) if target.startswith("line:") else None
    try:
        adjustment = tx.price_adjust(
            actor=request.user,
            order_id=order_id,
            target="line" if line_id else "shipping",
            line_id=line_id,
            new_amount=form.cleaned_data["new_amount"],
            reason=form.cleaned_data["reason"],
            url=reverse("orders:order_detail", args=[order_id]),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if adjustment.status == PriceAdjustmentStatus.APPLIED:
            messages.success(request, _("改价已生效"))
        else:
            messages.warning(request, _("改价超过客服上限，已提交经理审批；审批通过后点“执行改价”"))
    return _back(request, order_id)


@requires(OrderPerm.ADJUST_PRICE)
@require_POST
def price_adjustment_apply_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    try:
        adjustment = tx.price_adjustment_apply(actor=request.user, adjustment_id=adjustment_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        order_id = int(request.POST.get("order", "0") or 0)
        if order_id:
            return _back(request, order_id)
        raise NotFound("order.not_found", _("订单不存在")) from exc
    messages.success(request, _("改价已生效"))
    return _back(request, adjustment.order_id)


@requires(OrderPerm.ADJUST_PRICE)
@require_POST
def price_adjustment_cancel_view(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    try:
        adjustment = tx.price_adjustment_cancel(actor=request.user, adjustment_id=adjustment_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        order_id = int(request.POST.get("order", "0") or 0)
        if order_id:
            return _back(request, order_id)
        raise NotFound("order.not_found", _("订单不存在")) from exc
    messages.success(request, _("改价申请已撤销"))
    return _back(request, adjustment.order_id)


@requires(OrderPerm.EDIT_REMARK)
@require_POST
def order_remark_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = RemarkForm(request.POST)
    remark = form.cleaned_data["remark"] if form.is_valid() else request.POST.get("remark", "")
    return _act(
        request,
        order_id,
        _("备注已保存"),
        lambda: tx.order_remark_set(actor=request.user, order_id=order_id, remark=remark),
    )


@requires(OrderPerm.EDIT_REMARK)
@require_POST
def order_flag_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = FlagForm(request.POST)
    flag = form.cleaned_data["flag"] if form.is_valid() else "invalid"
    return _act(
        request,
        order_id,
        _("旗帜已保存"),
        lambda: tx.order_flag_set(actor=request.user, order_id=order_id, flag=flag),
    )


@requires(OrderPerm.SHIP_ORDER)
@require_POST
def order_ship_view(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ShipForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"courier": "", "tracking_no": ""}
    return _act(
        request,
        order_id,
        _("已登记发货"),
        lambda: tx.order_ship(
            actor=request.user,
            order_id=order_id,
            courier=data["courier"],
            tracking_no=data["tracking_no"],
        ),
    )


# --- manual orders -------------------------------------------------------------------------------
@requires(OrderPerm.CREATE_ORDER)
def order_create_view(request: HttpRequest) -> HttpResponse:
    """A phone/offline order. The form carries an Idempotency-Key, so a double submit creates one."""
    stores = list(store_list(actor=request.user))
    form = ManualOrderForm(
        request.POST or None, stores=stores, initial={"idempotency_key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        lines = data.pop("lines_text")
        code = data.pop("store")
        body = {**data, "store": code, "lines": lines}

        def create() -> tuple[int, Any]:
            store = store_get(actor=request.user, code=code)
            order = tx.order_create_manual(actor=request.user, store=store, lines=lines, **data)
            return 201, {"id": order.pk}

        try:
            _status, response = tx.idempotent_create(
                actor=request.user, scope="orders.create_page", key=key, body=body, create=create
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("订单已录入"))
            return redirect("orders:order_detail", order_id=response["id"])
    return render(request, "orders/order_form.html", {"form": form})


# --- auto-review rules and blacklist -------------------------------------------------------------
@requires(OrderPerm.MANAGE_REVIEW_RULES)
def review_rules_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    if not stores:
        raise NotFound("store.not_found", _("店铺不存在"))
    code = request.GET.get("store") or request.POST.get("store") or stores[0].code
    store = store_get(actor=request.user, code=code[:32])
    rules = sel.review_rules_get(store)
    form = ReviewRulesForm(
        request.POST or None,
        initial={
            "is_enabled": rules.is_enabled,
            "require_address_complete": rules.require_address_complete,
            "require_no_buyer_message": rules.require_no_buyer_message,
            "require_known_skus": rules.require_known_skus,
            "check_blacklist": rules.check_blacklist,
            "amount_limit": rules.amount_limit,
        },
    )
    blacklist_form = BlacklistForm()
    if request.method == "POST" and request.POST.get("kind") == "blacklist":
        blacklist_form = BlacklistForm(request.POST)
        form = ReviewRulesForm(initial=form.initial)
        if blacklist_form.is_valid():
            try:
                review_svc.blacklist_add(
                    actor=request.user, store=store, **blacklist_form.cleaned_data
                )
            except DomainError as exc:
                _form_error(blacklist_form, exc)
            else:
                messages.success(request, _("已加入黑名单"))
                return redirect(reverse("orders:review_rules") + f"?store={store.code}")
    elif request.method == "POST" and form.is_valid():
        try:
            review_svc.review_rules_update(actor=request.user, store=store, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("自动审单规则已保存"))
            return redirect(reverse("orders:review_rules") + f"?store={store.code}")
    return render(
        request,
        "orders/review_rules.html",
        {
            "stores": stores,
            "store": store,
            "form": form,
            "blacklist_form": blacklist_form,
            "blacklist": sel.blacklist_list(actor=request.user, store=store),
        },
    )


@requires(OrderPerm.MANAGE_REVIEW_RULES)
@require_POST
def blacklist_remove_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = BlacklistedBuyer.objects.filter(pk=entry_id).first()
    if entry is None or not request.user.works_in(entry.store_id):
        raise NotFound("blacklist.not_found", _("黑名单记录不存在"))
    code = entry.store.code
    review_svc.blacklist_remove(actor=request.user, entry=entry)
    messages.success(request, _("已移出黑名单"))
    return redirect(reverse("orders:review_rules") + f"?store={code}")


# --- reviews (评价) --------------------------------------------------------------------------------
@requires(OrderPerm.VIEW_ORDER)
def review_list_view(request: HttpRequest) -> HttpResponse:
    stores = list(store_list(actor=request.user))
    code = request.GET.get("store", "")[:32]
    store = next((s for s in stores if s.code == code), None)
    rating = request.GET.get("rating", "")
    rating = rating if rating in ("positive", "neutral", "negative") else ""
    found = sel.review_list(actor=request.user, store=store, rating=rating)
    try:
        reviews, next_cursor = keyset_page(
            found, cursor=request.GET.get("cursor") or None, limit=PAGE_DEFAULT
        )
    except DomainError:
        reviews, next_cursor = [], None
    import_form = ReviewImportForm(stores=stores)
    result = None
    if request.method == "POST":
        import_form = ReviewImportForm(request.POST, request.FILES, stores=stores)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                result = reviews_svc.review_import(
                    actor=request.user,
                    store=store_get(actor=request.user, code=import_form.cleaned_data["store"]),
                    source=upload.read(),
                    filename=upload.name,
                    skip_invalid=import_form.cleaned_data["skip_invalid"],
                )
            except DomainError as exc:
                _form_error(import_form, exc)
            else:
                if result.applied:
                    messages.success(
                        request,
                        _("评价已导入：新增 %(c)s，未变 %(u)s")
                        % {"c": result.created, "u": result.unchanged},
                    )
    return render(
        request,
        "orders/review_list.html",
        {
            "reviews": reviews,
            "next_cursor": next_cursor,
            "stores": stores,
            "store": store,
            "rating": rating,
            "import_form": import_form,
            "result": result,
            "reply_form": ReplyForm(),
            "can_manage": has_perm(request.user, OrderPerm.MANAGE_REVIEWS),
        },
    )


@requires(OrderPerm.MANAGE_REVIEWS)
@require_POST
def review_reply_view(request: HttpRequest, review_id: int) -> HttpResponse:
    form = ReplyForm(request.POST)
    reply = form.cleaned_data["reply"] if form.is_valid() else ""
    try:
        reviews_svc.review_reply(actor=request.user, review_id=review_id, reply=reply)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回复已保存"))
    return redirect("orders:review_list")
