"""Reading orders within the actor's stores: list and search over a million orders, one order with
its lines and timeline, masking of the receiver's personal data, the export rows (R2.8, R2.11).

The list is ordered by order time (newest first) and paged by a keyset on (created_at, id). Each
store in scope is read on its own with the indexes that start with the store (store+status+time,
store+time, store+flag, store+buyer), then merged: one indexed range scan per store instead of a
sort of every order the user may see. Counts stop at 10,000 ("10,000+").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from storeops.accounts.models import Store
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.api import MAX_ID, PAGE_MAX
from storeops.core.errors import Invalid, NotFound
from storeops.core.permissions import has_perm, require
from storeops.orders.models import (
    BlacklistedBuyer,
    Order,
    OrderEvent,
    OrderLine,
    OrderReview,
    ReviewRuleSet,
)
from storeops.orders.permissions import OrderPerm

COUNT_CAP = 10_000
EXPORT_MAX = 100_000


@dataclass(frozen=True)
class OrderFilters:
    """The list's filters, already parsed (forms and API schemas bound the input)."""

    store_ids: tuple[int, ...] = ()  # empty: every store the actor works in
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    order_no: str = ""
    buyer: str = ""
    phone_last4: str = ""
    sku: str = ""
    flag: str = ""
    exception_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_query(self) -> dict[str, str]:
        """The filter as query-string values (links to the next page and the export)."""
        values = {
            "status": self.status,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "order_no": self.order_no,
            "buyer": self.buyer,
            "phone_last4": self.phone_last4,
            "sku": self.sku,
            "flag": self.flag,
            "exception_reason": self.exception_reason,
        }
        return {k: v for k, v in values.items() if v}


def _missing() -> NotFound:
    return NotFound("order.not_found", _("订单不存在"))


def order_scope(*, actor: Any, store: Any = None) -> tuple[int, ...]:
    """The store ids the actor may read orders of: one store (404 outside their stores), or all."""
    require(actor, OrderPerm.VIEW_ORDER, store=store)
    if store is not None:
        return (store.pk,)
    return tuple(sorted(actor.store_ids()))


def _filtered(filters: OrderFilters) -> QuerySet[Order]:
    found = Order.objects.all()
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.date_from:
        found = found.filter(created_at__gte=clock.start_of_business_day(filters.date_from))
    if filters.date_to:
        end = clock.start_of_business_day(filters.date_to + dt.timedelta(days=1))
        found = found.filter(created_at__lt=end)
    if filters.order_no:
        found = found.filter(platform_order_no=filters.order_no)
    if filters.buyer:
        found = found.filter(Q(buyer_nick=filters.buyer) | Q(buyer_id=filters.buyer))
    if filters.phone_last4:
        found = found.filter(receiver_phone_last4=filters.phone_last4)
    if filters.sku:
        found = found.filter(id__in=_sku_lines(filters.sku).values("order_id"))
    if filters.flag:
        found = found.filter(flag=filters.flag)
    if filters.exception_reason:
        found = found.filter(exception_reason=filters.exception_reason)
    return found


def _sku_lines(code: str) -> QuerySet[OrderLine]:
    """Lines of a merchant code: as the platform wrote it, or mapped to the catalog SKU of that
    code. Two indexed lookups (merchant_code, sku), no join."""
    sku_ids = list(Sku.objects.filter(merchant_code=code).values_list("id", flat=True))
    return OrderLine.objects.filter(Q(merchant_code=code) | Q(sku_id__in=sku_ids))


FEW_ORDERS = 1000


def order_list(*, actor: Any, filters: OrderFilters) -> QuerySet[Order]:
    """Every order matching the filter in the actor's stores (unordered; for counts and export)."""
    require(actor, OrderPerm.VIEW_ORDER)
    allowed = actor.store_ids()
    store_ids = filters.store_ids or tuple(allowed)
    if any(s not in allowed for s in store_ids):
        raise NotFound("store.not_found", _("店铺不存在"))
    return _filtered(filters).filter(store_id__in=store_ids)


# --- keyset on (created_at, id) --------------------------------------------------------------------
def encode_order_cursor(order: Order) -> str:
    raw = json.dumps({"t": order.created_at.isoformat(), "k": order.pk})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_order_cursor(cursor: str) -> tuple[dt.datetime, int]:
    bad = Invalid("pagination.cursor_invalid", _("分页游标无效"), {"field": "cursor"})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        at = dt.datetime.fromisoformat(data["t"])
        key = data["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise bad from exc
    if at.tzinfo is None or not isinstance(key, int) or isinstance(key, bool):
        raise bad
    if not 0 <= key <= MAX_ID:
        raise bad
    return at, key


@dataclass
class OrderPage:
    orders: list[Order]
    next_cursor: str | None
    count: int | None  # None when not asked for
    count_capped: bool = False

    @property
    def count_label(self) -> str:
        if self.count is None:
            return ""
        return f"{COUNT_CAP:,}+" if self.count_capped else f"{self.count:,}"


def _candidate_ids(filters: OrderFilters, store_ids: tuple[int, ...]) -> set[int] | None:
    """The ids a selective filter allows (order number, buyer, phone's last 4, merchant code),
    each read through its own single-column index, when at most FEW_ORDERS; None when no such
    filter is given or every one matches more (then the per-store walk decides)."""
    found: list[set[int]] = []

    def few(query: QuerySet[Any], column: str = "id") -> None:
        rows = list(query.order_by().values_list(column, flat=True)[: FEW_ORDERS + 1])
        if len(rows) <= FEW_ORDERS:  # rows, not distinct ids: a line query may repeat an order
            found.append(set(rows))

    if filters.order_no:
        few(Order.objects.filter(platform_order_no=filters.order_no))
    if filters.phone_last4:
        few(Order.objects.filter(receiver_phone_last4=filters.phone_last4))
    if filters.buyer:
        ids = set(
            Order.objects.filter(buyer_nick=filters.buyer)
            .order_by()
            .values_list("id", flat=True)[: FEW_ORDERS + 1]
        )
        for store_id in store_ids:  # (store, buyer_id) index
            ids |= set(
                Order.objects.filter(store_id=store_id, buyer_id=filters.buyer)
                .order_by()
                .values_list("id", flat=True)[: FEW_ORDERS + 1]
            )
        if len(ids) <= FEW_ORDERS:
            found.append(ids)
    if filters.sku:
        few(_sku_lines(filters.sku), "order_id")
    if not found:
        return None
    return set.intersection(*found)


def _all_store_ids() -> set[int]:
    return set(Store.objects.values_list("id", flat=True))


def _capped_count(base: QuerySet[Order], filters: OrderFilters, store_ids: tuple[int, ...]) -> int:
    """How many orders match, up to COUNT_CAP + 1. A merchant code alone over every store is
    counted from its lines (distinct orders, stopping at the cap) without visiting the orders."""
    only_sku = filters.sku and replace(filters, sku="", store_ids=()) == OrderFilters()
    if only_sku and set(store_ids) >= _all_store_ids():
        return (
            _sku_lines(filters.sku)
            .order_by()
            .values("order_id")
            .distinct()[: COUNT_CAP + 1]
            .count()
        )
    return base.order_by().values("id")[: COUNT_CAP + 1].count()


def order_page(
    *,
    actor: Any,
    filters: OrderFilters,
    cursor: str | None = None,
    limit: int = 50,
    with_count: bool = True,
) -> OrderPage:
    """One page of the list, newest order time first, with a count that stops at 10,000.

    A selective filter (order number, buyer, phone, a rare merchant code) reads its few orders by
    key and sorts them here. Otherwise each store's orders are walked newest first through the
    indexes that start with the store, one page each, and merged.
    """
    limit = max(1, min(limit, PAGE_MAX))
    base = order_list(actor=actor, filters=filters)
    after = decode_order_cursor(cursor) if cursor else None
    store_ids = filters.store_ids or tuple(sorted(actor.store_ids()))
    candidates = _candidate_ids(filters, store_ids)
    if candidates is not None:
        # the store is checked here, not in SQL, so the planner reads by primary key
        scope = set(store_ids)
        rows = sorted(
            (
                (at, pk)
                for at, pk, store_id in _filtered(
                    replace(filters, sku="", order_no="", buyer="", phone_last4="")
                )
                .filter(id__in=candidates)
                .order_by()
                .values_list("created_at", "id", "store_id")
                if store_id in scope
            ),
            reverse=True,
        )
        total = len(rows)
        if after is not None:
            rows = [r for r in rows if r < after]
        keys, more = rows[:limit], len(rows) > limit
        count: int | None = total if with_count else None
    else:
        shaped = _filtered(replace(filters, sku=""))
        if filters.sku:  # a common code: an indexed EXISTS per order walked (~2 lines each)
            lines = _sku_lines(filters.sku)
            shaped = shaped.filter(Exists(lines.filter(order_id=OuterRef("pk"))))
        if after is not None:
            shaped = shaped.filter(created_at__lte=after[0]).exclude(
                created_at=after[0], id__gte=after[1]
            )
        shaped = shaped.order_by("-created_at", "-id")
        if not (filters.status or filters.flag) and set(store_ids) >= _all_store_ids():
            # every store, nothing a store-first index would narrow: one walk of the time index
            per_store = [list(shaped.values_list("created_at", "id")[: limit + 1])]
        else:
            per_store = [
                list(shaped.filter(store_id=store_id).values_list("created_at", "id")[: limit + 1])
                for store_id in store_ids
            ]
        merged = list(heapq.merge(*per_store, reverse=True))
        keys, more = merged[:limit], len(merged) > limit
        count = None
        if with_count:
            count = _capped_count(base, filters, store_ids)
    found = Order.objects.select_related("store").in_bulk([k[1] for k in keys])
    orders = [found[k[1]] for k in keys if k[1] in found]
    next_cursor = encode_order_cursor(orders[-1]) if more and orders else None
    capped = count is not None and count > COUNT_CAP
    if count is not None:
        count = min(count, COUNT_CAP)
    return OrderPage(orders=orders, next_cursor=next_cursor, count=count, count_capped=capped)


# --- one order -----------------------------------------------------------------------------------
def order_get(*, actor: Any, order_id: int) -> Order:
    """An order the actor may read: 404 outside their stores, 403 without VIEW_ORDER."""
    if not getattr(actor, "is_authenticated", False):
        raise _missing()
    order = (
        Order.objects.select_related("store", "cs_agent", "merged_into", "split_from")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not actor.works_in(order.store_id):
        raise _missing()
    require(actor, OrderPerm.VIEW_ORDER, store=order.store)
    return order


def order_get_for_change(*, actor: Any, order_id: int, perm: str) -> Order:
    """The order locked for a write (`perm` checked in its store); 404 outside their stores."""
    if not getattr(actor, "is_authenticated", False):
        raise _missing()
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or not actor.works_in(order.store_id):
        raise _missing()
    require(actor, perm, store=order.store_id)
    return Order.objects.select_related("store").get(pk=order.pk)


def orders_for_change(*, actor: Any, order_ids: list[int], perm: str) -> list[Order]:
    """Several orders locked in id order (no deadlock between two batches); any one outside the
    actor's stores is a 404 for the whole batch."""
    ids = sorted(set(order_ids))
    locked = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids) or any(not actor.works_in(o.store_id) for o in locked):
        raise _missing()
    for store_id in {o.store_id for o in locked}:
        require(actor, perm, store=store_id)
    return list(Order.objects.select_related("store").filter(pk__in=ids).order_by("pk"))


def order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("sku").order_by("line_no", "id"))


def order_timeline(order: Order) -> list[OrderEvent]:
    return list(order.events.select_related("actor").order_by("at", "id"))


# --- personal data ---------------------------------------------------------------------------------
ERASED = "[已删除]"


def can_see_personal_data(actor: Any, order: Order) -> bool:
    return has_perm(actor, OrderPerm.VIEW_PERSONAL_DATA, store=order.store_id)


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def mask_phone(phone: str) -> str:
    """138****1234; a number already masked by the platform stays as it is."""
    if not phone:
        return ""
    if "*" in phone:
        return phone
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)


def mask_street(street: str) -> str:
    return "****" if street else ""


def receiver_view(order: Order, *, clear: bool) -> dict[str, str]:
    """The receiver as this reader may see it: in clear for 客服/仓库, masked for others."""
    if order.personal_data_erased_at is not None:
        return {
            "name": ERASED,
            "phone": ERASED,
            "province": order.receiver_province,
            "city": order.receiver_city,
            "district": order.receiver_district,
            "street": ERASED,
            "address": ERASED,
        }
    if clear:
        return {
            "name": order.receiver_name,
            "phone": order.receiver_phone,
            "province": order.receiver_province,
            "city": order.receiver_city,
            "district": order.receiver_district,
            "street": order.receiver_street,
            "address": order.receiver_address,
        }
    region = " ".join(
        p for p in (order.receiver_province, order.receiver_city, order.receiver_district) if p
    )
    return {
        "name": mask_name(order.receiver_name),
        "phone": mask_phone(order.receiver_phone),
        "province": order.receiver_province,
        "city": order.receiver_city,
        "district": order.receiver_district,
        "street": mask_street(order.receiver_street),
        "address": f"{region} ****".strip() if order.receiver_address else "",
    }


# --- export ----------------------------------------------------------------------------------------
EXPORT_HEADERS = (
    "平台订单号",
    "店铺",
    "状态",
    "异常原因",
    "买家ID",
    "买家昵称",
    "收货人",
    "收货电话",
    "省",
    "市",
    "区",
    "详细地址",
    "买家留言",
    "卖家备注",
    "旗帜",
    "商品金额",
    "运费",
    "优惠金额",
    "实付金额",
    "退款金额",
    "下单时间",
    "付款时间",
    "发货时间",
    "快递公司",
    "运单号",
    "商品",
)


def order_export_rows(*, actor: Any, filters: OrderFilters) -> Iterator[list[Any]]:
    """The current filter as rows (at most 100,000), ids as text; personal data in clear only
    for the roles that may see it, per store."""
    require(actor, OrderPerm.EXPORT_ORDER)
    found = (
        order_list(actor=actor, filters=filters)
        .select_related("store")
        .order_by("-created_at", "-id")
    )
    clear_stores = {
        s for s in actor.store_ids() if has_perm(actor, OrderPerm.VIEW_PERSONAL_DATA, store=s)
    }
    batch: list[Order] = []

    def flush(orders: list[Order]) -> Iterator[list[Any]]:
        lines: dict[int, list[str]] = {}
        for line in OrderLine.objects.filter(order_id__in=[o.pk for o in orders]).order_by(
            "order_id", "line_no"
        ):
            lines.setdefault(line.order_id, []).append(
                f"{line.merchant_code or line.title} ×{line.quantity}"
            )
        for order in orders:
            person = receiver_view(order, clear=order.store_id in clear_stores)
            yield [
                str(order.platform_order_no),
                order.store.name,
                str(order.get_status_display()),
                str(order.get_exception_reason_display()) if order.exception_reason else "",
                str(order.buyer_id),
                order.buyer_nick,
                person["name"],
                person["phone"],
                person["province"],
                person["city"],
                person["district"],
                person["street"],
                order.buyer_message,
                order.seller_remark,
                str(order.get_flag_display()) if order.flag else "",
                order.goods_amount,
                order.shipping_amount,
                order.discount_amount,
                order.paid_amount,
                order.refund_amount,
                order.created_at,
                order.paid_at,
                order.shipped_at,
                order.courier,
                str(order.tracking_no),
                "；".join(lines.get(order.pk, [])),
            ]

    for order in found[:EXPORT_MAX].iterator(chunk_size=2000):
        batch.append(order)
        if len(batch) >= 2000:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


# --- review queue settings -------------------------------------------------------------------------
def review_rules_get(store: Any) -> Any:
    """The store's auto-review rules (defaults, disabled, when never saved)."""
    found = ReviewRuleSet.objects.filter(store_id=getattr(store, "pk", store)).first()
    return found or ReviewRuleSet(store_id=getattr(store, "pk", store))


def blacklist_buyers(store: Any) -> set[str]:
    return set(
        BlacklistedBuyer.objects.filter(store_id=getattr(store, "pk", store)).values_list(
            "buyer", flat=True
        )
    )


def blacklist_list(*, actor: Any, store: Any) -> QuerySet[Any]:
    require(actor, OrderPerm.VIEW_ORDER, store=store)
    return BlacklistedBuyer.objects.filter(store=store).select_related("created_by")


# --- reviews (评价) ---------------------------------------------------------------------------------
def review_list(*, actor: Any, store: Any = None, rating: str = "") -> QuerySet[OrderReview]:
    require(actor, OrderPerm.VIEW_ORDER, store=store)
    found = OrderReview.objects.select_related("store", "order", "follow_up")
    found = (
        found.filter(store=store)
        if store is not None
        else found.filter(store_id__in=actor.store_ids())
    )
    if rating:
        found = found.filter(rating=rating)
    return found
