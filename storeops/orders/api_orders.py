"""Orders API: list and search, one order, manual orders (Idempotency-Key), 审单, 改价, remarks,
flags, shipping, reviews (评价). Mounted under /api/v1/orders by `orders.api`."""
# ruff: noqa: B008 — django-ninja declares parameters as Query(...)/Path(...) defaults (as in api.py)

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import register_converter
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from storeops.accounts.selectors import store_get
from storeops.core.access import requires
from storeops.core.api import MAX_ID, PAGE_DEFAULT, PAGE_MAX, ErrorOut, keyset_page
from storeops.core.errors import Invalid, MissingHeader
from storeops.orders import selectors_list as sel
from storeops.orders.models import OrderReview
from storeops.orders.permissions import OrderPerm
from storeops.orders.schemas_orders import (
    FlagLiteral,
    OrderBatchReviewOut,
    OrderDetailOut,
    OrderExceptionIn,
    OrderFlagIn,
    OrderIdsIn,
    OrderIn,
    OrderPageOut,
    OrderReasonIn,
    OrderRemarkIn,
    OrderReviewOut,
    OrderReviewPageOut,
    OrderShipIn,
    OrderSplitIn,
    PriceAdjustIn,
    ReasonLiteral,
    ReviewImportResultOut,
    ReviewReplyIn,
    StatusLiteral,
)
from storeops.orders.services import review as review_svc
from storeops.orders.services import reviews as reviews_svc
from storeops.orders.services import transactions as tx

router = Router(tags=["orders"])


class OrderIdConverter:
    """`{orderid:order_id}`: any one path segment but the literal words of this router and of
    the import operations (`/imports`, `/import-aliases`, `/reviews` …), so `/orders/imports` never lands on
    `/{order_id}` whatever the order the operations were declared in. A wrong id still reaches
    the operation and answers 422 (the id is validated there), not an HTML 404."""

    regex = (
        r"(?!(?:imports|import-aliases|reviews|merge|review-batch|price-adjustments)(?:/|$))[^/]+"
    )

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(OrderIdConverter, "orderid")
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
OrderId = Path(..., ge=1, le=MAX_ID)
MAX_UPLOAD = 20 * 1024 * 1024


# --- shapes --------------------------------------------------------------------------------------
class Reader:
    """Whether this reader sees the receiver in clear, decided once per store."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.clear: dict[int, bool] = {}

    def sees(self, order: Any) -> bool:
        if order.store_id not in self.clear:
            self.clear[order.store_id] = sel.can_see_personal_data(self.actor, order)
        return self.clear[order.store_id]


def order_out(order: Any, reader: Reader) -> dict[str, Any]:
    return {
        "id": order.pk,
        "store": order.store.code,
        "platform_order_no": order.platform_order_no,
        "source": order.source,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "exception_reason": order.exception_reason,
        "exception_detail": order.exception_detail,
        "buyer_id": order.buyer_id,
        "buyer_nick": order.buyer_nick,
        "receiver": sel.receiver_view(order, clear=reader.sees(order)),
        "buyer_message": order.buyer_message,
        "seller_remark": order.seller_remark,
        "flag": order.flag,
        "goods_amount": order.goods_amount,
        "shipping_amount": order.shipping_amount,
        "discount_amount": order.discount_amount,
        "paid_amount": order.paid_amount,
        "refund_amount": order.refund_amount,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "courier": order.courier,
        "tracking_no": order.tracking_no,
        "merged_into": order.merged_into_id,
        "split_from": order.split_from_id,
    }


def adjustment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "order": a.order_id,
        "target": a.target,
        "line": a.line_id,
        "old_amount": a.old_amount,
        "new_amount": a.new_amount,
        "delta": a.delta,
        "percent": a.percent,
        "reason": a.reason,
        "status": a.status,
        "requested_by": a.requested_by.username,
        "applied_by": a.applied_by.username if a.applied_by_id else None,
    }


def order_detail_out(order: Any, actor: Any) -> dict[str, Any]:
    body = order_out(order, Reader(actor))
    body["lines"] = [
        {
            "id": line.pk,
            "line_no": line.line_no,
            "merchant_code": line.merchant_code,
            "sku": line.sku_id,
            "title": line.title,
            "attributes": line.attributes,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
            "status": line.status,
        }
        for line in sel.order_lines(order)
    ]
    body["timeline"] = [
        {
            "at": e.at,
            "actor": e.actor.username if e.actor_id else None,
            "kind": e.kind,
            "message": e.message,
        }
        for e in sel.order_timeline(order)
    ]
    body["price_adjustments"] = [
        adjustment_out(a)
        for a in order.price_adjustments.select_related("requested_by", "applied_by")
    ]
    return body


def _detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = sel.order_get(actor=request.user, order_id=order_id)
    return order_detail_out(order, request.user)


def filters_from(
    request: HttpRequest,
    *,
    store: str | None,
    status: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    order_no: str | None,
    buyer: str | None,
    phone_last4: str | None,
    sku: str | None,
    flag: str | None,
    exception_reason: str | None,
) -> sel.OrderFilters:
    store_ids: tuple[int, ...] = ()
    if store:
        store_ids = (store_get(actor=request.user, code=store).pk,)
    if phone_last4 and not (len(phone_last4) == 4 and phone_last4.isdigit()):
        raise Invalid("order.phone_last4", _("请输入电话后四位数字"), {"field": "phone_last4"})
    return sel.OrderFilters(
        store_ids=store_ids,
        status=status or "",
        date_from=date_from,
        date_to=date_to,
        order_no=(order_no or "").strip(),
        buyer=(buyer or "").strip(),
        phone_last4=phone_last4 or "",
        sku=(sku or "").strip(),
        flag=flag or "",
        exception_reason=exception_reason or "",
    )


# --- list, detail, create ------------------------------------------------------------------------
@router.get("", response={200: OrderPageOut, **ERRORS}, summary="订单列表与搜索")
@requires(OrderPerm.VIEW_ORDER)
def order_list_api(
    request: HttpRequest,
    store: str | None = Query(None, max_length=32),
    status: StatusLiteral | None = Query(None),
    date_from: dt.date | None = Query(None, description="下单日期起（北京时间）"),
    date_to: dt.date | None = Query(None, description="下单日期止（含）"),
    order_no: str | None = Query(None, max_length=64),
    buyer: str | None = Query(None, max_length=100, description="买家ID或昵称"),
    phone_last4: str | None = Query(None, max_length=4, description="收货电话后四位"),
    sku: str | None = Query(None, max_length=64, description="商家编码"),
    flag: FlagLiteral | None = Query(None),
    exception_reason: ReasonLiteral | None = Query(None),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    filters = filters_from(
        request,
        store=store,
        status=status,
        date_from=date_from,
        date_to=date_to,
        order_no=order_no,
        buyer=buyer,
        phone_last4=phone_last4,
        sku=sku,
        flag=flag,
        exception_reason=exception_reason,
    )
    page = sel.order_page(actor=request.user, filters=filters, cursor=cursor, limit=limit)
    reader = Reader(request.user)
    return {
        "items": [order_out(o, reader) for o in page.orders],
        "next": page.next_cursor,
        "count": page.count,
        "count_label": page.count_label,
    }


@router.post(
    "", response={200: OrderDetailOut, 201: OrderDetailOut, **ERRORS}, summary="手工录入订单"
)
@requires(OrderPerm.CREATE_ORDER)
def order_create_api(request: HttpRequest, payload: OrderIn) -> Any:
    """Needs an `Idempotency-Key` header: the same key and body answer the first response again
    (201); the same key with another body is 422; no key is 400."""
    key = request.headers.get("Idempotency-Key", "")
    if not key.strip():
        raise MissingHeader(
            "header.missing",
            _("创建订单需要 Idempotency-Key 请求头"),
            {"field": "Idempotency-Key"},
        )
    body = payload.dict()

    def create() -> tuple[int, Any]:
        store = store_get(actor=request.user, code=payload.store)
        data = {k: v for k, v in body.items() if k != "store"}
        order = tx.order_create_manual(actor=request.user, store=store, source="api", **data)
        return 201, order_detail_out(
            sel.order_get(actor=request.user, order_id=order.pk), request.user
        )

    status, response = tx.idempotent_create(
        actor=request.user, scope="orders.create", key=key, body=body, create=create
    )
    return Status(status, response)


@router.get("/{orderid:order_id}", response={200: OrderDetailOut, **ERRORS}, summary="订单详情")
@requires(OrderPerm.VIEW_ORDER)
def order_get_api(request: HttpRequest, order_id: int = OrderId) -> Any:
    return _detail(request, order_id)


# --- 审单 ------------------------------------------------------------------------------------------
@router.post(
    "/{orderid:order_id}/review", response={200: OrderDetailOut, **ERRORS}, summary="审核订单"
)
@requires(OrderPerm.REVIEW_ORDER)
def order_review_api(request: HttpRequest, order_id: int = OrderId) -> Any:
    review_svc.order_review(actor=request.user, order_id=order_id)
    return _detail(request, order_id)


@router.post("/review-batch", response={200: OrderBatchReviewOut, **ERRORS}, summary="批量审核")
@requires(OrderPerm.REVIEW_ORDER)
def order_review_batch_api(request: HttpRequest, payload: OrderIdsIn) -> Any:
    ids = [i for i in payload.ids if 1 <= i <= MAX_ID]
    return review_svc.order_review_batch(actor=request.user, order_ids=ids)


@router.post(
    "/{orderid:order_id}/unreview", response={200: OrderDetailOut, **ERRORS}, summary="反审核"
)
@requires(OrderPerm.REVIEW_ORDER)
def order_unreview_api(
    request: HttpRequest, payload: OrderReasonIn, order_id: int = OrderId
) -> Any:
    review_svc.order_unreview(actor=request.user, order_id=order_id, reason=payload.reason)
    return _detail(request, order_id)


@router.post(
    "/{orderid:order_id}/exception", response={200: OrderDetailOut, **ERRORS}, summary="转异常"
)
@requires(OrderPerm.REVIEW_ORDER)
def order_exception_api(
    request: HttpRequest, payload: OrderExceptionIn, order_id: int = OrderId
) -> Any:
    review_svc.order_mark_exception(
        actor=request.user, order_id=order_id, reason=payload.reason, detail=payload.detail
    )
    return _detail(request, order_id)


@router.post("/merge", response={200: OrderDetailOut, **ERRORS}, summary="合单")
@requires(OrderPerm.REVIEW_ORDER)
def order_merge_api(request: HttpRequest, payload: OrderIdsIn) -> Any:
    if any(not 1 <= i <= MAX_ID for i in payload.ids):
        raise Invalid("order.ids", _("订单编号无效"), {"field": "ids"})
    target = review_svc.order_merge(actor=request.user, order_ids=payload.ids)
    return _detail(request, target.pk)


@router.post("/{orderid:order_id}/split", response={201: OrderDetailOut, **ERRORS}, summary="拆单")
@requires(OrderPerm.REVIEW_ORDER)
def order_split_api(request: HttpRequest, payload: OrderSplitIn, order_id: int = OrderId) -> Any:
    if any(not 1 <= i <= MAX_ID for i in payload.lines):
        raise Invalid("order.split_lines", _("请选择本订单的商品行"), {"field": "lines"})
    new = review_svc.order_split(actor=request.user, order_id=order_id, line_ids=payload.lines)
    return Status(201, _detail(request, new.pk))


# --- 改价, remarks, flags, shipping, closing -------------------------------------------------------
@router.post(
    "/{orderid:order_id}/price-adjustments",
    response={200: OrderDetailOut, 202: OrderDetailOut, **ERRORS},
    summary="改价",
)
@requires(OrderPerm.ADJUST_PRICE)
def order_price_adjust_api(
    request: HttpRequest, payload: PriceAdjustIn, order_id: int = OrderId
) -> Any:
    """200 applied; 202 over the 客服 limit: waiting for a 经理's approval (then `apply`)."""
    adjustment = tx.price_adjust(
        actor=request.user,
        order_id=order_id,
        target=payload.target,
        line_id=payload.line,
        new_amount=payload.new_amount,
        reason=payload.reason,
        url=f"/orders/{order_id}/",
    )
    return Status(200 if adjustment.status == "applied" else 202, _detail(request, order_id))


@router.post(
    "/price-adjustments/{adjustment_id}/apply",
    response={200: OrderDetailOut, **ERRORS},
    summary="经理审批通过后执行改价",
)
@requires(OrderPerm.ADJUST_PRICE)
def price_adjustment_apply_api(
    request: HttpRequest, adjustment_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    adjustment = tx.price_adjustment_apply(actor=request.user, adjustment_id=adjustment_id)
    return _detail(request, adjustment.order_id)


@router.post(
    "/{orderid:order_id}/remark", response={200: OrderDetailOut, **ERRORS}, summary="卖家备注"
)
@requires(OrderPerm.EDIT_REMARK)
def order_remark_api(request: HttpRequest, payload: OrderRemarkIn, order_id: int = OrderId) -> Any:
    tx.order_remark_set(actor=request.user, order_id=order_id, remark=payload.remark)
    return _detail(request, order_id)


@router.post("/{orderid:order_id}/flag", response={200: OrderDetailOut, **ERRORS}, summary="旗帜")
@requires(OrderPerm.EDIT_REMARK)
def order_flag_api(request: HttpRequest, payload: OrderFlagIn, order_id: int = OrderId) -> Any:
    tx.order_flag_set(actor=request.user, order_id=order_id, flag=payload.flag)
    return _detail(request, order_id)


@router.post(
    "/{orderid:order_id}/ship", response={200: OrderDetailOut, **ERRORS}, summary="登记发货"
)
@requires(OrderPerm.SHIP_ORDER)
def order_ship_api(request: HttpRequest, payload: OrderShipIn, order_id: int = OrderId) -> Any:
    tx.order_ship(
        actor=request.user,
        order_id=order_id,
        courier=payload.courier,
        tracking_no=payload.tracking_no,
    )
    return _detail(request, order_id)


@router.post(
    "/{orderid:order_id}/close", response={200: OrderDetailOut, **ERRORS}, summary="关闭订单"
)
@requires(OrderPerm.REVIEW_ORDER)
def order_close_api(request: HttpRequest, payload: OrderReasonIn, order_id: int = OrderId) -> Any:
    tx.order_close(actor=request.user, order_id=order_id, reason=payload.reason)
    return _detail(request, order_id)


# --- reviews (评价) --------------------------------------------------------------------------------
def review_out(review: Any) -> dict[str, Any]:
    return {
        "id": review.pk,
        "store": review.store.code,
        "order": review.order_id,
        "platform_order_no": review.platform_order_no,
        "item_title": review.item_title,
        "buyer_nick": review.buyer_nick,
        "rating": review.rating,
        "rating_label": str(review.get_rating_display()),
        "content": review.content,
        "reviewed_at": review.reviewed_at,
        "reply": review.reply,
        "follow_up": review.follow_up_id,
    }


@router.get("/reviews", response={200: OrderReviewPageOut, **ERRORS}, summary="评价列表")
@requires(OrderPerm.VIEW_ORDER)
def review_list_api(
    request: HttpRequest,
    store: str | None = Query(None, max_length=32),
    rating: str | None = Query(None, pattern="^(positive|neutral|negative)$"),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> Any:
    store_obj = store_get(actor=request.user, code=store) if store else None
    found = sel.review_list(actor=request.user, store=store_obj, rating=rating or "")
    rows, next_cursor = keyset_page(found, cursor=cursor, limit=limit)
    return {"items": [review_out(r) for r in rows], "next": next_cursor}


@router.post("/reviews/import", response={200: ReviewImportResultOut, **ERRORS}, summary="导入评价")
@requires(OrderPerm.MANAGE_REVIEWS)
def review_import_api(
    request: HttpRequest,
    store: str = Form(..., max_length=32),
    skip_invalid: bool = Form(False),
    file: UploadedFile = File(...),
) -> Any:
    store_obj = store_get(actor=request.user, code=store)
    if file.size and file.size > MAX_UPLOAD:
        raise Invalid("import.too_large", _("文件太大（最多 20 MB）"), {"field": "file"})
    result = reviews_svc.review_import(
        actor=request.user,
        store=store_obj,
        source=file.read(),
        filename=file.name or "",
        skip_invalid=skip_invalid,
    )
    body = result.as_dict()
    if not result.applied:
        return Status(
            422,
            {
                "error": {
                    "code": "import.rejected",
                    "message": _("文件有错误，未导入"),
                    "details": body,
                }
            },
        )
    return body


@router.post(
    "/reviews/{review_id}/reply", response={200: OrderReviewOut, **ERRORS}, summary="回复评价"
)
@requires(OrderPerm.MANAGE_REVIEWS)
def review_reply_api(
    request: HttpRequest, payload: ReviewReplyIn, review_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    review = reviews_svc.review_reply(actor=request.user, review_id=review_id, reply=payload.reply)
    return review_out(OrderReview.objects.select_related("store").get(pk=review.pk))
