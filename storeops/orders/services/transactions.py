"""Transaction handling (交易处理, R2.8): 改价 with the 客服 limit and 经理 approval, remarks and
flags, shipping (courier and tracking number), closing, manual orders with `Idempotency-Key`.
Every change is audited and on the order's timeline."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import ComboComponent, Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid, NotFound
from storeops.core.permissions import has_perm, require
from storeops.core.roles import RoleCode
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus, PolicyKey
from storeops.governance.selectors import approval_for, policy_value
from storeops.governance.services import approval_cancel, approval_request, approval_require
from storeops.orders.enums import (
    COURIERS,
    FlagColour,
    LineStatus,
    OrderEventKind,
    OrderSource,
    OrderStatus,
    PriceAdjustmentStatus,
    PriceTarget,
    order_transition_check,
)
from storeops.orders.models import (
    ZERO,
    IdempotencyRecord,
    Order,
    OrderLine,
    PriceAdjustment,
)
from storeops.orders.permissions import OrderPerm
from storeops.orders.selectors_list import order_get_for_change
from storeops.orders.services.stock import order_stock_release
from storeops.orders.services.timeline import timeline_add

S = OrderStatus
CENT = Decimal("0.01")
MONEY_MAX = Decimal("99999999.99")
COURIER_NAMES = tuple(name for name, _code in COURIERS)
TRACKING_PATTERN = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def _money(value: Any, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise Invalid(f"{field}.invalid", _("请输入金额"), {"field": field}) from exc
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise Invalid(f"{field}.invalid", _("金额超出范围"), {"field": field})
    if not allow_zero and amount == 0:
        raise Invalid(f"{field}.invalid", _("金额必须大于 0"), {"field": field})
    return amount


def order_payable(order: Order) -> Decimal:
    """What the buyer is asked to pay: goods + shipping − discount."""
    return order.goods_amount + order.shipping_amount - order.discount_amount


# --- 改价 ------------------------------------------------------------------------------------------
def _adjustment_snapshot(adjustment: PriceAdjustment) -> dict[str, Any]:
    """What a 经理 approves: exactly this change of this order, from this amount to that one."""
    return {
        "order": adjustment.order_id,
        "platform_order_no": adjustment.order.platform_order_no,
        "target": adjustment.target,
        "line": adjustment.line_id,
        "old_amount": f"{adjustment.old_amount:.2f}",
        "new_amount": f"{adjustment.new_amount:.2f}",
        "delta": f"{adjustment.delta:.2f}",
        "percent": f"{adjustment.percent:.2f}",
        "reason": adjustment.reason,
    }


def price_adjust_limit_percent() -> Decimal:
    return Decimal(str(policy_value(PolicyKey.PRICE_ADJUST_LIMIT_PERCENT_CUSTOMER_SERVICE)))


def _applied_change(order: Order) -> Decimal:
    """The order's already applied adjustments, in absolute value (the limit is cumulative, so
    ten small changes cannot pass what one large one may not)."""
    return sum(
        (
            abs(a.delta)
            for a in order.price_adjustments.filter(status=PriceAdjustmentStatus.APPLIED)
        ),
        ZERO,
    )


def _original_payable(order: Order) -> Decimal:
    applied = sum(
        (a.delta for a in order.price_adjustments.filter(status=PriceAdjustmentStatus.APPLIED)),
        ZERO,
    )
    return order_payable(order) - applied


def _check_unpaid(order: Order) -> None:
    if order.status != S.PENDING_PAYMENT or order.paid_at is not None:
        raise Conflict(
            "order.price_adjust_paid",
            _("只能给未付款的订单改价"),
            {"field": "status", "status": order.status},
        )


def _apply_adjustment(*, actor: Any, order: Order, adjustment: PriceAdjustment) -> None:
    if adjustment.target == PriceTarget.SHIPPING:
        order.shipping_amount = adjustment.new_amount
    else:
        line = OrderLine.objects.select_for_update().get(pk=adjustment.line_id, order=order)
        line.unit_price = adjustment.new_amount
        line.save(update_fields=["unit_price"])
        order.goods_amount += adjustment.delta
    order.save(update_fields=["goods_amount", "shipping_amount", "updated_at"])
    adjustment.status = PriceAdjustmentStatus.APPLIED
    adjustment.applied_by = actor
    adjustment.applied_at = clock.now()
    adjustment.save(update_fields=["status", "applied_by", "applied_at"])
    what = (
        _("运费")
        if adjustment.target == PriceTarget.SHIPPING
        else _("第 %(n)s 行单价") % {"n": adjustment.line.line_no}
    )
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.PRICE_ADJUSTED,
        message=_("改价：%(what)s ¥%(old)s → ¥%(new)s，原因：%(reason)s")
        % {
            "what": what,
            "old": f"{adjustment.old_amount:.2f}",
            "new": f"{adjustment.new_amount:.2f}",
            "reason": adjustment.reason,
        },
        before={"amount": f"{adjustment.old_amount:.2f}"},
        after={"amount": f"{adjustment.new_amount:.2f}", "adjustment": adjustment.pk},
    )
    audit_record(
        actor=actor,
        action="orders.order.adjust_price",
        obj=order,
        store=order.store,
        before={"target": adjustment.target, "amount": f"{adjustment.old_amount:.2f}"},
        after={
            "target": adjustment.target,
            "line": adjustment.line_id,
            "amount": f"{adjustment.new_amount:.2f}",
            "delta": f"{adjustment.delta:.2f}",
            "percent": f"{adjustment.percent:.2f}",
            "reason": adjustment.reason,
            "adjustment": adjustment.pk,
        },
    )


@transaction.atomic
def price_adjust(
    *,
    actor: Any,
    order_id: int,
    target: str,
    new_amount: Any,
    reason: str,
    line_id: int | None = None,
    url: str = "",
) -> PriceAdjustment:
    """改价 of an unpaid order's line unit price or shipping fee, with a reason.

    Within the 客服 limit (policy `price_adjust_limit_percent_customer_service`, % of the order,
    counted over every applied adjustment) it applies at once; beyond it, unless the actor may
    exceed it (经理), it waits for a 经理's approval of exactly this change and is applied with
    `price_adjustment_apply`.
    """
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.ADJUST_PRICE)
    _check_unpaid(order)
    reason = clean_text(reason, field="reason", required=True, limit=255)
    new_amount = _money(new_amount, field="new_amount")
    line = None
    if target == PriceTarget.SHIPPING:
        old_amount = order.shipping_amount
        delta = new_amount - old_amount
    elif target == PriceTarget.LINE:
        line = order.lines.filter(pk=line_id).first() if line_id else None
        if line is None:
            raise Invalid("price_adjust.line", _("请选择本订单的商品行"), {"field": "line"})
        old_amount = line.unit_price
        delta = (new_amount - old_amount) * line.quantity
    else:
        raise Invalid("price_adjust.target", _("请选择改价对象"), {"field": "target"})
    if delta == 0:
        raise Invalid("price_adjust.unchanged", _("新金额与原金额相同"), {"field": "new_amount"})
    if order_payable(order) + delta < 0:
        raise Invalid("price_adjust.negative", _("改价后订单金额不能为负"), {"field": "new_amount"})
    base = _original_payable(order)
    total_change = _applied_change(order) + abs(delta)
    percent = (total_change * 100 / base).quantize(CENT) if base > 0 else Decimal("100.00")
    adjustment = PriceAdjustment.objects.create(
        order=order,
        target=target,
        line=line,
        old_amount=old_amount,
        new_amount=new_amount,
        delta=delta,
        percent=min(percent, Decimal("999999.99")),
        reason=reason,
        status=PriceAdjustmentStatus.PENDING_APPROVAL,
        requested_by=actor,
        requested_at=clock.now(),
    )
    limit = price_adjust_limit_percent()
    if percent <= limit or has_perm(actor, OrderPerm.ADJUST_PRICE_OVER_LIMIT, store=order.store):
        _apply_adjustment(actor=actor, order=order, adjustment=adjustment)
        return adjustment
    snapshot = _adjustment_snapshot(adjustment)
    approval_request(
        actor=actor,
        obj=adjustment,
        snapshot=snapshot,
        title=_("改价审批：订单 %(no)s 改价 %(percent)s%%（超过客服上限 %(limit)s%%）")
        % {"no": order.platform_order_no, "percent": f"{percent:.2f}", "limit": f"{limit}"},
        approver_roles=[RoleCode.MANAGER],
        url=url,
        store=order.store,
    )
    timeline_add(
        order=order,
        actor=actor,
        kind="price_adjust_requested",
        message=_("改价申请 ¥%(old)s → ¥%(new)s（%(percent)s%%），待经理审批；原因：%(reason)s")
        % {
            "old": f"{old_amount:.2f}",
            "new": f"{new_amount:.2f}",
            "percent": f"{percent:.2f}",
            "reason": reason,
        },
        after={"adjustment": adjustment.pk, "status": adjustment.status},
    )
    audit_record(
        actor=actor,
        action="orders.price_adjustment.request",
        obj=adjustment,
        store=order.store,
        after=snapshot,
    )
    return adjustment


def _adjustment_for_change(*, actor: Any, adjustment_id: int) -> tuple[Order, PriceAdjustment]:
    adjustment = PriceAdjustment.objects.filter(pk=adjustment_id).first()
    if adjustment is None:
        raise NotFound("price_adjustment.not_found", _("改价申请不存在"))
    order = order_get_for_change(
        actor=actor, order_id=adjustment.order_id, perm=OrderPerm.ADJUST_PRICE
    )
    adjustment = (
        PriceAdjustment.objects.select_for_update(of=("self",))
        .select_related("line")
        .get(pk=adjustment.pk)
    )
    adjustment.order = order
    if adjustment.status != PriceAdjustmentStatus.PENDING_APPROVAL:
        raise Conflict(
            "price_adjustment.not_pending",
            _("该改价申请已%(status)s") % {"status": adjustment.get_status_display()},
            {"field": "status"},
        )
    return order, adjustment


@transaction.atomic
def price_adjustment_apply(*, actor: Any, adjustment_id: int) -> PriceAdjustment:
    """Apply an over-limit 改价 once a 经理 approved exactly it; 409 `approval.missing` before."""
    order, adjustment = _adjustment_for_change(actor=actor, adjustment_id=adjustment_id)
    _check_unpaid(order)
    current = (
        order.shipping_amount
        if adjustment.target == PriceTarget.SHIPPING
        else OrderLine.objects.get(pk=adjustment.line_id).unit_price
    )
    if current != adjustment.old_amount:
        raise Conflict(
            "price_adjustment.stale",
            _("金额已被修改，请重新申请改价"),
            {"field": "new_amount"},
        )
    approval_require(obj=adjustment, snapshot=_adjustment_snapshot(adjustment))
    _apply_adjustment(actor=actor, order=order, adjustment=adjustment)
    return adjustment


@transaction.atomic
def price_adjustment_cancel(*, actor: Any, adjustment_id: int) -> PriceAdjustment:
    order, adjustment = _adjustment_for_change(actor=actor, adjustment_id=adjustment_id)
    adjustment.status = PriceAdjustmentStatus.CANCELLED
    adjustment.save(update_fields=["status"])
    approval = approval_for(adjustment)
    if (
        approval is not None
        and approval.status == ApprovalStatus.PENDING
        and approval.requested_by_id == actor.pk
    ):
        approval_cancel(actor=actor, approval=approval)  # nothing left for a 经理 to decide
    timeline_add(
        order=order,
        actor=actor,
        kind="price_adjust_cancelled",
        message=_("撤销改价申请"),
        after={"adjustment": adjustment.pk},
    )
    audit_record(
        actor=actor,
        action="orders.price_adjustment.cancel",
        obj=adjustment,
        store=order.store,
        before={"status": PriceAdjustmentStatus.PENDING_APPROVAL},
        after={"status": adjustment.status},
    )
    return adjustment


# --- remarks, flags ------------------------------------------------------------------------------
@transaction.atomic
def order_remark_set(*, actor: Any, order_id: int, remark: str) -> Order:
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.EDIT_REMARK)
    remark = clean_text(remark, field="remark", limit=2000)
    if remark == order.seller_remark:
        return order
    before = {"seller_remark": order.seller_remark}
    order.seller_remark = remark
    order.save(update_fields=["seller_remark", "updated_at"])
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.REMARK,
        message=_("备注：%(remark)s") % {"remark": remark or _("（清空）")},
        before=before,
        after={"seller_remark": remark},
    )
    audit_record(
        actor=actor,
        action="orders.order.remark",
        obj=order,
        store=order.store,
        before=before,
        after={"seller_remark": remark},
    )
    return order


@transaction.atomic
def order_flag_set(*, actor: Any, order_id: int, flag: str) -> Order:
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.EDIT_REMARK)
    if flag not in FlagColour.values:
        raise Invalid("order.flag", _("请选择旗帜颜色"), {"field": "flag"})
    if flag == order.flag:
        return order
    before = {"flag": order.flag}
    order.flag = flag
    order.save(update_fields=["flag", "updated_at"])
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.FLAG,
        message=_("旗帜：%(flag)s") % {"flag": FlagColour(flag).label},
        before=before,
        after={"flag": flag},
    )
    audit_record(
        actor=actor,
        action="orders.order.flag",
        obj=order,
        store=order.store,
        before=before,
        after={"flag": flag},
    )
    return order


# --- shipping and closing ------------------------------------------------------------------------
SHIPPABLE = frozenset({S.REVIEWED, S.PARTIALLY_SHIPPED, S.SHIPPED})


@transaction.atomic
def order_ship(*, actor: Any, order_id: int, courier: str, tracking_no: str) -> Order:
    """Record the shipment (courier from the list, tracking number): 已审核/部分发货 → 已发货.
    On an order already shipped it corrects the courier or number (audited, status unchanged)."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.SHIP_ORDER)
    courier = clean_text(courier, field="courier", required=True, limit=40)
    if courier not in COURIER_NAMES:
        raise Invalid(
            "order.courier", _("请选择快递公司"), {"field": "courier", "choices": COURIER_NAMES}
        )
    tracking_no = clean_text(tracking_no, field="tracking_no", required=True, limit=64)
    tracking_no = tracking_no.replace(" ", "")
    if not TRACKING_PATTERN.match(tracking_no):
        raise Invalid(
            "order.tracking_no",
            _("运单号只能是 6–40 位字母、数字或短横线"),
            {"field": "tracking_no"},
        )
    if order.status not in SHIPPABLE:
        order_transition_check(order.status, S.SHIPPED)
        raise Conflict(
            "order.not_reviewed",
            _("订单审核后才能发货"),
            {"field": "status", "status": order.status},
        )
    before = {"status": order.status, "courier": order.courier, "tracking_no": order.tracking_no}
    order_transition_check(order.status, S.SHIPPED)
    order.status = S.SHIPPED
    order.courier = courier
    order.tracking_no = tracking_no
    order.shipped_at = order.shipped_at or clock.now()
    order.save(update_fields=["status", "courier", "tracking_no", "shipped_at", "updated_at"])
    order.lines.filter(status=LineStatus.NORMAL).update(status=LineStatus.SHIPPED)
    after = {"status": order.status, "courier": courier, "tracking_no": tracking_no}
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.SHIPPED,
        message=_("发货：%(courier)s %(no)s") % {"courier": courier, "no": tracking_no},
        before=before,
        after=after,
    )
    audit_record(
        actor=actor,
        action="orders.order.ship",
        obj=order,
        store=order.store,
        before=before,
        after=after,
    )
    return order


@transaction.atomic
def order_close(*, actor: Any, order_id: int, reason: str) -> Order:
    """Close an order not yet shipped (the buyer cancelled, a duplicate …), with the reason."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.REVIEW_ORDER)
    reason = clean_text(reason, field="reason", required=True, limit=255)
    if order.status in (S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED):
        raise Conflict(
            "order.close_shipped",
            _("已发货的订单请走售后流程，不能直接关闭"),
            {"field": "status", "status": order.status},
        )
    before = {"status": order.status}
    order_transition_check(order.status, S.CLOSED)
    if order.status == S.REVIEWED:
        order_stock_release(actor=actor, order=order)
    order.status = S.CLOSED
    order.close_reason = reason
    order.save(update_fields=["status", "close_reason", "updated_at"])
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.STATUS_CHANGED,
        message=_("关闭订单：%(reason)s") % {"reason": reason},
        before=before,
        after={"status": order.status},
    )
    audit_record(
        actor=actor,
        action="orders.order.close",
        obj=order,
        store=order.store,
        before=before,
        after={"status": order.status, "reason": reason},
    )
    return order


# --- manual orders -------------------------------------------------------------------------------
def _line_values(raw: dict[str, Any], index: int) -> dict[str, Any]:
    code = clean_text(
        raw.get("merchant_code"), field=f"lines.{index}.merchant_code", required=True, limit=64
    )
    sku = Sku.objects.select_related("product").filter(merchant_code=code).first()
    if sku is None:
        raise Invalid(
            "order.line_sku",
            _("第 %(n)s 行：没有商家编码为 %(code)s 的商品") % {"n": index + 1, "code": code},
            {"field": f"lines.{index}.merchant_code"},
        )
    try:
        quantity = int(raw.get("quantity") or 0)
    except (TypeError, ValueError) as exc:
        raise Invalid(
            "order.line_quantity", _("数量无效"), {"field": f"lines.{index}.quantity"}
        ) from exc
    if not 1 <= quantity <= 100_000:
        raise Invalid(
            "order.line_quantity", _("数量须在 1–100000 之间"), {"field": f"lines.{index}.quantity"}
        )
    price = raw.get("unit_price")
    unit_price = (
        sku.price if price in (None, "") else _money(price, field=f"lines.{index}.unit_price")
    )
    expansion = []
    if sku.is_combo:
        expansion = [
            {
                "sku": c.component_id,
                "code": c.component.merchant_code,
                "quantity": c.quantity * quantity,
            }
            for c in ComboComponent.objects.filter(combo=sku).select_related("component")
        ]
    attributes = " ".join(str(v) for v in (sku.attributes or {}).values())[:255]
    return {
        "sku": sku,
        "merchant_code": sku.merchant_code,
        "title": sku.product.name[:255],
        "attributes": attributes,
        "quantity": quantity,
        "unit_price": unit_price,
        "expansion": expansion,
    }


@transaction.atomic
def order_create_manual(
    *,
    actor: Any,
    store: Any,
    lines: Sequence[dict[str, Any]],
    buyer_nick: str = "",
    receiver_name: str = "",
    receiver_phone: str = "",
    receiver_province: str = "",
    receiver_city: str = "",
    receiver_district: str = "",
    receiver_street: str = "",
    buyer_message: str = "",
    seller_remark: str = "",
    shipping_amount: Any = "0",
    discount_amount: Any = "0",
    is_paid: bool = False,
    platform_order_no: str = "",
    source: str = OrderSource.MANUAL,
) -> Order:
    """A phone or offline order typed in (or sent through the API). Unpaid → 待付款, paid → 待审核.
    Without a number it gets `M<yyyymmdd><id>`."""
    require(actor, OrderPerm.CREATE_ORDER, store=store)
    if not lines:
        raise Invalid("order.lines_required", _("请至少添加一行商品"), {"field": "lines"})
    if len(lines) > 200:
        raise Invalid("order.lines_too_many", _("最多 200 行商品"), {"field": "lines"})
    values = [_line_values(dict(raw), i) for i, raw in enumerate(lines)]
    text = {
        "buyer_nick": clean_text(buyer_nick, field="buyer_nick", limit=100),
        "receiver_name": clean_text(receiver_name, field="receiver_name", required=True, limit=100),
        "receiver_phone": clean_text(
            receiver_phone, field="receiver_phone", required=True, limit=40
        ),
        "receiver_province": clean_text(receiver_province, field="receiver_province", limit=40),
        "receiver_city": clean_text(receiver_city, field="receiver_city", limit=40),
        "receiver_district": clean_text(receiver_district, field="receiver_district", limit=40),
        "receiver_street": clean_text(receiver_street, field="receiver_street", limit=255),
        "buyer_message": clean_text(buyer_message, field="buyer_message", limit=2000),
        "seller_remark": clean_text(seller_remark, field="seller_remark", limit=2000),
    }
    digits = re.sub(r"\D", "", text["receiver_phone"])
    number = clean_text(platform_order_no, field="platform_order_no", limit=64)
    if number and not re.match(r"^[A-Za-z0-9_-]+$", number):
        raise Invalid(
            "order.number",
            _("订单号只能包含字母、数字、下划线和短横线"),
            {"field": "platform_order_no"},
        )
    shipping = _money(shipping_amount, field="shipping_amount")
    discount = _money(discount_amount, field="discount_amount")
    goods = sum((v["unit_price"] * v["quantity"] for v in values), ZERO)
    payable = goods + shipping - discount
    if payable < 0:
        raise Invalid("order.discount", _("优惠不能超过订单金额"), {"field": "discount_amount"})
    now = clock.now()
    status = S.PENDING_REVIEW if is_paid else S.PENDING_PAYMENT
    address = " ".join(
        text[k]
        for k in ("receiver_province", "receiver_city", "receiver_district", "receiver_street")
        if text[k]
    )
    try:
        with transaction.atomic():
            order = Order.objects.create(
                store=store,
                platform_order_no=number or f"tmp-{now.timestamp()}-{actor.pk}",
                source=source,
                buyer_id="",
                receiver_phone_last4=digits[-4:] if len(digits) >= 4 else "",
                receiver_address=address[:500],
                goods_amount=goods,
                shipping_amount=shipping,
                discount_amount=discount,
                paid_amount=payable if is_paid else ZERO,
                created_at=now,
                paid_at=now if is_paid else None,
                cs_agent=actor,
                status=status,
                **text,
            )
    except IntegrityError as exc:
        raise Conflict(
            "order.number_exists", _("该店铺已有此订单号"), {"field": "platform_order_no"}
        ) from exc
    if not number:
        order.platform_order_no = f"M{clock.local(now):%Y%m%d}{order.pk:06d}"
        order.save(update_fields=["platform_order_no"])
    OrderLine.objects.bulk_create(
        OrderLine(order=order, line_no=i, order_created_at=order.created_at, **v)
        for i, v in enumerate(values, start=1)
    )
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.CREATED,
        message=_("手工录入订单（%(status)s）") % {"status": order.get_status_display()},
        after={"status": order.status, "paid_amount": f"{order.paid_amount:.2f}"},
    )
    audit_record(
        actor=actor,
        action="orders.order.create",
        obj=order,
        store=store,
        after={
            "platform_order_no": order.platform_order_no,
            "source": source,
            "status": order.status,
            "lines": [
                [v["merchant_code"], v["quantity"], f"{v['unit_price']:.2f}"] for v in values
            ],
            "paid_amount": f"{order.paid_amount:.2f}",
        },
    )
    return order


# --- Idempotency-Key -----------------------------------------------------------------------------
def body_digest(body: Any) -> str:
    text = json.dumps(
        body, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def idempotent_create(
    *,
    actor: Any,
    scope: str,
    key: str,
    body: Any,
    create: Callable[[], tuple[int, Any]],
) -> tuple[int, Any]:
    """Run `create` once per (user, scope, key): the same key and body answer the first response
    again; the same key with another body is 422. The key row is inserted first, in the same
    transaction as the create, so two requests racing with one key give one order (the second
    waits on the unique index, then reads the stored answer). A create that fails leaves no key."""
    key = clean_text(key, field="Idempotency-Key", required=True, limit=255)
    digest = body_digest(body)
    found = IdempotencyRecord.objects.filter(user=actor, scope=scope, key=key).first()
    if found is None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=actor, scope=scope, key=key, body_hash=digest
                )
        except IntegrityError:
            found = IdempotencyRecord.objects.get(user=actor, scope=scope, key=key)
        else:
            status, response = create()
            stored = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
            record.status_code = status
            record.response = stored
            record.save(update_fields=["status_code", "response"])
            return status, stored
    if found.body_hash != digest:
        raise Invalid(
            "idempotency.key_reused",
            _("这个 Idempotency-Key 已用于另一个请求内容"),
            {"field": "Idempotency-Key"},
        )
    return found.status_code, found.response


IDEMPOTENCY_KEEP_DAYS = 7


def idempotency_purge(*, keep_days: int = IDEMPOTENCY_KEEP_DAYS) -> int:
    """Forget Idempotency-Keys older than a week (a client retries within minutes, not weeks);
    the orders they created stay. Run daily by a periodic task."""
    cutoff = clock.now() - dt.timedelta(days=keep_days)
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
