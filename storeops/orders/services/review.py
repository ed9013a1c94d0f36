"""The review queue (审单): auto-review rules per store, manual and batch review, exceptions,
合单 and 拆单 — each audited and on the order's timeline (R2.8).

An order becomes 已审核 only here, and its goods are reserved at that moment through the stock
seam (`services.stock`); a refused reservation rolls the review back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.accounts.models import Store
from storeops.audit.services import audit_record
from storeops.core.errors import Conflict, DomainError, Invalid
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.orders.enums import (
    ExceptionReason,
    OrderEventKind,
    OrderStatus,
    order_transition_check,
)
from storeops.orders.models import (
    ZERO,
    BlacklistedBuyer,
    Order,
    OrderImportOrder,
    OrderLine,
    ReviewRuleSet,
)
from storeops.orders.permissions import OrderPerm
from storeops.orders.selectors_list import (
    blacklist_buyers,
    order_get_for_change,
    orders_for_change,
    review_rules_get,
)
from storeops.orders.services.stock import order_stock_release, order_stock_reserve
from storeops.orders.services.timeline import timeline_add

S = OrderStatus
REVIEWABLE = frozenset({S.PENDING_REVIEW, S.EXCEPTION})
# Reasons that are a problem to fix (异常); the others leave the order waiting in 待审核 for a person.
EXCEPTION_REASONS = frozenset(
    {
        ExceptionReason.UNMATCHED_SKU,
        ExceptionReason.ADDRESS_INCOMPLETE,
        ExceptionReason.BLACKLISTED_BUYER,
        ExceptionReason.STOCK_SHORTAGE,  # 缺货: cannot be reserved at review
    }
)


# --- rules ---------------------------------------------------------------------------------------
def _is_unmatched(line: OrderLine) -> bool:
    return line.sku_id is None and not line.expansion


def review_rule_failures(
    order: Order, *, rules: ReviewRuleSet, blacklist: set[str], lines: Sequence[OrderLine]
) -> list[tuple[str, str]]:
    """Why this order cannot pass auto-review: [(ExceptionReason, detail)], empty when it passes."""
    failures: list[tuple[str, str]] = []
    if rules.require_known_skus:
        codes = [line.merchant_code or line.title for line in lines if _is_unmatched(line)]
        if codes:
            failures.append((ExceptionReason.UNMATCHED_SKU, "、".join(codes)[:200]))
    if rules.check_blacklist and (
        (order.buyer_id and order.buyer_id in blacklist)
        or (order.buyer_nick and order.buyer_nick in blacklist)
    ):
        failures.append((ExceptionReason.BLACKLISTED_BUYER, ""))
    if rules.require_address_complete:
        missing = [
            label
            for label, value in (
                (_("收货人"), order.receiver_name),
                (_("电话"), order.receiver_phone),
                (_("省"), order.receiver_province),
                (_("市"), order.receiver_city),
                (_("详细地址"), order.receiver_street),
            )
            if not value
        ]
        if missing or order.personal_data_erased_at is not None:
            failures.append(
                (ExceptionReason.ADDRESS_INCOMPLETE, "、".join(str(m) for m in missing))
            )
    if rules.require_no_buyer_message and order.buyer_message.strip():
        failures.append((ExceptionReason.BUYER_MESSAGE, ""))
    if rules.amount_limit is not None and order.paid_amount > rules.amount_limit:
        failures.append(
            (
                ExceptionReason.AMOUNT_OVER_LIMIT,
                _("实付 ¥%(paid)s 超过 ¥%(limit)s")
                % {"paid": f"{order.paid_amount:.2f}", "limit": f"{rules.amount_limit:.2f}"},
            )
        )
    return failures


@transaction.atomic
def review_rules_update(
    *,
    actor: Any,
    store: Any,
    is_enabled: bool,
    require_address_complete: bool,
    require_no_buyer_message: bool,
    require_known_skus: bool,
    check_blacklist: bool,
    amount_limit: Decimal | None,
) -> ReviewRuleSet:
    require(actor, OrderPerm.MANAGE_REVIEW_RULES, store=store)
    if amount_limit is not None and (amount_limit < 0 or amount_limit >= Decimal("1e10")):
        raise Invalid("review_rules.amount_limit", _("金额上限无效"), {"field": "amount_limit"})
    rules = ReviewRuleSet.objects.select_for_update().filter(store=store).first()
    rules = rules or ReviewRuleSet(store=store)
    before = _rules_dict(rules) if rules.pk else {}
    rules.is_enabled = bool(is_enabled)
    rules.require_address_complete = bool(require_address_complete)
    rules.require_no_buyer_message = bool(require_no_buyer_message)
    rules.require_known_skus = bool(require_known_skus)
    rules.check_blacklist = bool(check_blacklist)
    rules.amount_limit = amount_limit
    rules.updated_by = actor
    rules.save()
    audit_record(
        actor=actor,
        action="orders.review_rules.update",
        obj=rules,
        store=store,
        before=before,
        after=_rules_dict(rules),
    )
    return rules


def _rules_dict(rules: ReviewRuleSet) -> dict[str, Any]:
    return {
        "is_enabled": rules.is_enabled,
        "require_address_complete": rules.require_address_complete,
        "require_no_buyer_message": rules.require_no_buyer_message,
        "require_known_skus": rules.require_known_skus,
        "check_blacklist": rules.check_blacklist,
        "amount_limit": str(rules.amount_limit) if rules.amount_limit is not None else None,
    }


@transaction.atomic
def blacklist_add(*, actor: Any, store: Any, buyer: str, reason: str = "") -> BlacklistedBuyer:
    require(actor, OrderPerm.MANAGE_REVIEW_RULES, store=store)
    buyer = clean_text(buyer, field="buyer", required=True, limit=100)
    reason = clean_text(reason, field="reason", limit=255)
    try:
        with transaction.atomic():
            entry = BlacklistedBuyer.objects.create(
                store=store, buyer=buyer, reason=reason, created_by=actor
            )
    except IntegrityError as exc:
        raise Conflict("blacklist.exists", _("该买家已在黑名单中"), {"field": "buyer"}) from exc
    audit_record(
        actor=actor,
        action="orders.blacklist.add",
        obj=entry,
        store=store,
        after={"buyer": buyer, "reason": reason},
    )
    return entry


@transaction.atomic
def blacklist_remove(*, actor: Any, entry: BlacklistedBuyer) -> None:
    require(actor, OrderPerm.MANAGE_REVIEW_RULES, store=entry.store_id)
    audit_record(
        actor=actor,
        action="orders.blacklist.remove",
        obj=entry,
        store=entry.store_id,
        before={"buyer": entry.buyer, "reason": entry.reason},
    )
    entry.delete()


def _held_reason(exc: Conflict) -> str:
    return (
        ExceptionReason.STOCK_SHORTAGE
        if exc.code == "stock.insufficient"
        else ExceptionReason.OTHER
    )


def _shortage_detail(exc: Conflict) -> str:
    """库存不足 with each short line's need and availability, from inventory's refusal details."""
    short = exc.details.get("short", []) if isinstance(exc.details, dict) else []
    parts = [
        _("%(sku)s@%(warehouse)s 需 %(requested)s / 可用 %(available)s") % row for row in short[:10]
    ]
    return "；".join(parts) or exc.message


# --- status changes ------------------------------------------------------------------------------
def _set_reviewed(*, actor: Any, order: Order, message: str) -> None:
    before = {"status": order.status, "exception_reason": order.exception_reason}
    order_transition_check(order.status, S.REVIEWED)
    order.status = S.REVIEWED
    order.exception_reason = ""
    order.exception_detail = ""
    order.save(update_fields=["status", "exception_reason", "exception_detail", "updated_at"])
    order_stock_reserve(actor=actor, order=order)
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.REVIEWED,
        message=message,
        before=before,
        after={"status": order.status},
    )


def _set_held(*, actor: Any, order: Order, reason: str, detail: str) -> bool:
    """Leave the order in 待审核 or move it to 异常 with the reason; True when something changed."""
    status = S.EXCEPTION if reason in EXCEPTION_REASONS else S.PENDING_REVIEW
    if order.status == status and order.exception_reason == reason:
        return False
    order_transition_check(order.status, status)
    before = {"status": order.status, "exception_reason": order.exception_reason}
    order.status = status
    order.exception_reason = reason
    order.exception_detail = detail[:255]
    order.save(update_fields=["status", "exception_reason", "exception_detail", "updated_at"])
    label = ExceptionReason(reason).label
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.EXCEPTION if status == S.EXCEPTION else OrderEventKind.REVIEWED,
        message=_("自动审单未通过：%(reason)s") % {"reason": label}
        + (f"（{detail}）" if detail else ""),
        before=before,
        after={"status": status, "exception_reason": reason},
    )
    return True


@dataclass
class AutoReviewResult:
    reviewed: list[int] = field(default_factory=list)
    held: dict[int, str] = field(default_factory=dict)  # order id → reason

    def as_dict(self) -> dict[str, Any]:
        return {"reviewed": len(self.reviewed), "held": len(self.held)}


def _auto_review(
    *, actor: Any, store: Any, orders: Iterable[Order], rules: ReviewRuleSet
) -> AutoReviewResult:
    result = AutoReviewResult()
    blacklist = blacklist_buyers(store) if rules.check_blacklist else set()
    for order in orders:
        lines = list(order.lines.all())
        failures = review_rule_failures(order, rules=rules, blacklist=blacklist, lines=lines)
        if failures:
            reason, detail = failures[0]
            _set_held(actor=actor, order=order, reason=reason, detail=detail)
            result.held[order.pk] = reason
            continue
        try:
            with transaction.atomic():
                _set_reviewed(actor=actor, order=order, message=_("自动审单通过"))
        except Conflict as exc:  # not enough stock to reserve, …
            order.refresh_from_db()  # the savepoint rolled back what _set_reviewed changed
            reason = _held_reason(exc)
            _set_held(actor=actor, order=order, reason=reason, detail=_shortage_detail(exc))
            result.held[order.pk] = reason
        else:
            result.reviewed.append(order.pk)
    return result


@transaction.atomic
def order_auto_review(
    *, actor: Any, store: Any, order_ids: Sequence[int] | None = None
) -> AutoReviewResult:
    """Run the store's rules over its orders waiting in 待审核 (or the given ones). `actor` None
    is the system after an import. One audit event for the run, a timeline entry per order."""
    if actor is not None:
        require(actor, OrderPerm.REVIEW_ORDER, store=store)
    rules = review_rules_get(store)
    if not rules.is_enabled:
        return AutoReviewResult()
    found = Order.objects.select_for_update().filter(store=store, status=S.PENDING_REVIEW)
    if order_ids is not None:
        found = found.filter(pk__in=list(order_ids))
    result = _auto_review(
        actor=actor, store=store, orders=found.order_by("pk").prefetch_related("lines"), rules=rules
    )
    if result.reviewed or result.held:
        audit_record(
            actor=actor,
            action="orders.order.auto_review",
            object_type="accounts.store",
            object_id=getattr(store, "pk", store),
            object_repr=str(store),
            store=store,
            after={**result.as_dict(), "orders": (result.reviewed + list(result.held))[:500]},
        )
    return result


def order_auto_review_after_import(import_id: int) -> AutoReviewResult | None:
    """Run the rules over what an import created or changed (called by the import on commit)."""
    link = OrderImportOrder.objects.select_related("order_import").filter(order_import_id=import_id)
    first = link.first()
    if first is None:
        return None
    store = Store.objects.get(pk=first.order_import.store_id)
    ids = list(link.values_list("order_id", flat=True))
    return order_auto_review(actor=None, store=store, order_ids=ids)


@transaction.atomic
def order_review(*, actor: Any, order_id: int) -> Order:
    """Manual review: 待审核 or 异常 → 已审核. An order with unmatched goods cannot be reviewed."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.REVIEW_ORDER)
    if order.status not in REVIEWABLE:
        raise Conflict(
            "order.not_reviewable",
            _("只有待审核或异常的订单可以审核（当前：%(status)s）")
            % {"status": order.get_status_display()},
            {"field": "status", "status": order.status},
        )
    unmatched = [line for line in order.lines.all() if _is_unmatched(line)]
    if unmatched:
        raise Conflict(
            "order.unmatched_lines",
            _("订单有未匹配的商品，请先匹配商品"),
            {"field": "lines", "lines": [line.line_no for line in unmatched]},
        )
    before = {"status": order.status}
    try:
        with transaction.atomic():
            _set_reviewed(actor=actor, order=order, message=_("人工审单通过"))
    except Conflict as exc:
        if exc.code != "stock.insufficient":
            raise
        # 缺货: the order cannot be reserved, so it goes to 异常 with what is short
        order.refresh_from_db()
        _set_held(
            actor=actor,
            order=order,
            reason=ExceptionReason.STOCK_SHORTAGE,
            detail=_shortage_detail(exc),
        )
        audit_record(
            actor=actor,
            action="orders.order.review_short",
            obj=order,
            store=order.store,
            before=before,
            after={"status": order.status, "exception_reason": order.exception_reason},
        )
        return order
    audit_record(
        actor=actor,
        action="orders.order.review",
        obj=order,
        store=order.store,
        before=before,
        after={"status": order.status},
    )
    return order


def order_review_batch(*, actor: Any, order_ids: Sequence[int]) -> dict[str, Any]:
    """Review each order on its own: what can be reviewed is, the rest is reported with why."""
    require(actor, OrderPerm.REVIEW_ORDER)
    reviewed: list[int] = []
    refused: list[dict[str, Any]] = []
    for order_id in sorted(set(order_ids)):
        try:
            order_review(actor=actor, order_id=order_id)
        except DomainError as exc:
            refused.append({"id": order_id, "code": exc.code, "message": exc.message})
        else:
            reviewed.append(order_id)
    return {"reviewed": reviewed, "refused": refused}


@transaction.atomic
def order_unreview(*, actor: Any, order_id: int, reason: str) -> Order:
    """反审核: 已审核 → 待审核, the reservation given back."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.REVIEW_ORDER)
    reason = clean_text(reason, field="reason", required=True, limit=255)
    if order.status != S.REVIEWED:
        raise Conflict("order.not_reviewed", _("只有已审核的订单可以反审核"), {"field": "status"})
    order_transition_check(order.status, S.PENDING_REVIEW)
    order_stock_release(actor=actor, order=order)
    order.status = S.PENDING_REVIEW
    order.save(update_fields=["status", "updated_at"])
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.STATUS_CHANGED,
        message=_("反审核：%(reason)s") % {"reason": reason},
        before={"status": S.REVIEWED},
        after={"status": order.status},
    )
    audit_record(
        actor=actor,
        action="orders.order.unreview",
        obj=order,
        store=order.store,
        before={"status": S.REVIEWED},
        after={"status": order.status, "reason": reason},
    )
    return order


@transaction.atomic
def order_mark_exception(*, actor: Any, order_id: int, reason: str, detail: str = "") -> Order:
    """Send an order to 异常 by hand (a reason users pick, a note)."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.REVIEW_ORDER)
    if reason not in ExceptionReason.values:
        raise Invalid("order.exception_reason", _("请选择异常原因"), {"field": "reason"})
    detail = clean_text(detail, field="detail", limit=255)
    before = {"status": order.status, "exception_reason": order.exception_reason}
    order_transition_check(order.status, S.EXCEPTION)
    if order.status == S.REVIEWED:
        order_stock_release(actor=actor, order=order)
    order.status = S.EXCEPTION
    order.exception_reason = reason
    order.exception_detail = detail
    order.save(update_fields=["status", "exception_reason", "exception_detail", "updated_at"])
    after = {"status": order.status, "exception_reason": reason}
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.EXCEPTION,
        message=f"{ExceptionReason(reason).label}" + (f"：{detail}" if detail else ""),
        before=before,
        after=after,
    )
    audit_record(
        actor=actor,
        action="orders.order.mark_exception",
        obj=order,
        store=order.store,
        before=before,
        after={**after, "detail": detail},
    )
    return order


# --- 合单 / 拆单 -----------------------------------------------------------------------------------
MERGEABLE = REVIEWABLE


def _receiver_key(order: Order) -> tuple[str, ...]:
    return (
        order.receiver_name.strip(),
        order.receiver_phone.strip(),
        order.receiver_province.strip(),
        order.receiver_city.strip(),
        order.receiver_district.strip(),
        order.receiver_street.strip(),
    )


def _buyer_key(order: Order) -> str:
    return order.buyer_id or order.buyer_nick


@transaction.atomic
def order_merge(*, actor: Any, order_ids: Sequence[int]) -> Order:
    """合单: orders of the same buyer and address in one store, not yet reviewed, become one.

    The oldest order takes the others' lines and amounts; the others are closed, pointing at it
    (`merged_into`), so the platform numbers stay traceable for finance.
    """
    if len(set(order_ids)) < 2:
        raise Invalid("order.merge_needs_two", _("请至少选择两个订单合并"), {"field": "orders"})
    orders = orders_for_change(actor=actor, order_ids=list(order_ids), perm=OrderPerm.REVIEW_ORDER)
    if len({o.store_id for o in orders}) != 1:
        raise Conflict("order.merge_stores", _("只能合并同一店铺的订单"), {"field": "orders"})
    if any(o.status not in MERGEABLE for o in orders):
        raise Conflict("order.merge_status", _("只能合并待审核或异常的订单"), {"field": "orders"})
    if len({_buyer_key(o) for o in orders}) != 1 or not _buyer_key(orders[0]):
        raise Conflict("order.merge_buyer", _("只能合并同一买家的订单"), {"field": "orders"})
    if len({_receiver_key(o) for o in orders}) != 1 or any(
        o.personal_data_erased_at for o in orders
    ):
        raise Conflict("order.merge_address", _("只能合并收货地址相同的订单"), {"field": "orders"})
    orders.sort(key=lambda o: (o.created_at, o.pk))
    target, others = orders[0], orders[1:]
    next_no = (max((line.line_no for line in target.lines.all()), default=0)) + 1
    before = {"amounts": _amounts(target), "orders": [o.platform_order_no for o in orders]}
    messages = [m for m in (target.buyer_message, *(o.buyer_message for o in others)) if m]
    remarks = [m for m in (target.seller_remark, *(o.seller_remark for o in others)) if m]
    for other in others:
        for line in other.lines.order_by("line_no", "id"):
            line.order = target
            line.line_no = next_no
            line.order_created_at = target.created_at
            next_no += 1
            line.save(update_fields=["order", "line_no", "order_created_at"])
        for name in ("goods_amount", "shipping_amount", "discount_amount", "paid_amount"):
            setattr(target, name, getattr(target, name) + getattr(other, name))
        other_before = {"status": other.status}
        order_transition_check(other.status, S.CLOSED)
        other.status = S.CLOSED
        other.close_reason = _("已合并到订单 %(no)s") % {"no": target.platform_order_no}
        other.merged_into = target
        other.save(update_fields=["status", "close_reason", "merged_into", "updated_at"])
        timeline_add(
            order=other,
            actor=actor,
            kind=OrderEventKind.MERGED,
            message=other.close_reason,
            before=other_before,
            after={"status": other.status, "merged_into": target.pk},
        )
    target.buyer_message = "\n".join(dict.fromkeys(messages))
    target.seller_remark = "\n".join(dict.fromkeys(remarks))
    target.save()
    numbers = [o.platform_order_no for o in others]
    timeline_add(
        order=target,
        actor=actor,
        kind=OrderEventKind.MERGED,
        message=_("合并了订单 %(nos)s") % {"nos": "、".join(numbers)},
        before={"amounts": before["amounts"]},
        after={"amounts": _amounts(target), "merged": [o.pk for o in others]},
    )
    audit_record(
        actor=actor,
        action="orders.order.merge",
        obj=target,
        store=target.store,
        before=before,
        after={"amounts": _amounts(target), "merged": numbers},
    )
    return target


def _amounts(order: Order) -> dict[str, str]:
    return {
        name: f"{getattr(order, name):.2f}"
        for name in ("goods_amount", "shipping_amount", "discount_amount", "paid_amount")
    }


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return ZERO
    return (amount * part / whole).quantize(Decimal("0.01"))


@transaction.atomic
def order_split(*, actor: Any, order_id: int, line_ids: Sequence[int]) -> Order:
    """拆单: the chosen lines leave for a new order (number `<original>-<n>`) in the same store,
    same buyer and receiver, same status; goods, discount and paid amounts move pro rata to the
    goods value, the shipping fee stays with the original. Both must keep at least one line."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.REVIEW_ORDER)
    if order.status not in REVIEWABLE:
        raise Conflict("order.split_status", _("只能拆分待审核或异常的订单"), {"field": "status"})
    lines = list(order.lines.order_by("line_no", "id"))
    chosen = {int(i) for i in line_ids}
    moving = [line for line in lines if line.pk in chosen]
    if len(moving) != len(chosen) or not moving:
        raise Invalid("order.split_lines", _("请选择本订单的商品行"), {"field": "lines"})
    if len(moving) == len(lines):
        raise Invalid("order.split_all", _("原订单至少要保留一行商品"), {"field": "lines"})
    line_total = sum((line.unit_price * line.quantity for line in lines), ZERO)
    moved_goods = sum((line.unit_price * line.quantity for line in moving), ZERO)
    number = order.split_orders.count() + 1
    while Order.objects.filter(
        store_id=order.store_id, platform_order_no=f"{order.platform_order_no}-{number}"
    ).exists():
        number += 1
    new = Order.objects.get(pk=order.pk)
    new.pk = None
    new.id = None
    new.platform_order_no = f"{order.platform_order_no}-{number}"
    new.split_from = order
    new.merged_into = None
    new.import_digest = ""
    new.goods_amount = moved_goods
    new.shipping_amount = ZERO
    new.discount_amount = _share(order.discount_amount, moved_goods, line_total)
    new.paid_amount = _share(order.paid_amount, moved_goods, line_total)
    new.refund_amount = ZERO
    new.save(force_insert=True)
    before = _amounts(order)
    order.goods_amount -= moved_goods
    order.discount_amount -= new.discount_amount
    order.paid_amount -= new.paid_amount
    order.save()
    for index, line in enumerate(moving, start=1):
        line.order = new
        line.line_no = index
        line.order_created_at = new.created_at
        line.save(update_fields=["order", "line_no", "order_created_at"])
    moved_nos = [line.merchant_code or line.title for line in moving]
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.SPLIT,
        message=_("拆出订单 %(no)s：%(lines)s")
        % {"no": new.platform_order_no, "lines": "、".join(moved_nos)},
        before={"amounts": before},
        after={"amounts": _amounts(order), "split_to": new.pk},
    )
    timeline_add(
        order=new,
        actor=actor,
        kind=OrderEventKind.SPLIT,
        message=_("由订单 %(no)s 拆出") % {"no": order.platform_order_no},
        after={"amounts": _amounts(new), "split_from": order.pk},
    )
    audit_record(
        actor=actor,
        action="orders.order.split",
        obj=order,
        store=order.store,
        before={"amounts": before},
        after={"amounts": _amounts(order), "new_order": new.platform_order_no, "lines": moved_nos},
    )
    return new
