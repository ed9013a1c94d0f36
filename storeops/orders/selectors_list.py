"""Reading orders within the actor's stores: list and search over a million orders, one order with
its lines and timeline, masking of the receiver's personal data, the export rows (R2.8, R2.11).

The list is ordered by order time (newest first) and paged by a keyset on (created_at, id). Each
store in scope is read on its own with the indexes that start with the store (store+status+time,
store+time, store+flag, store+buyer), then merged: one indexed range scan per store instead of a
sort of every order the user may see. A merchant-code search walks the lines instead, through the
indexes (merchant code, order time, order) and (SKU, order time, order): lines carry their order's
time, so both walks come newest first and are merged. Counts stop at 10,000 ("10,000+").
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

from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
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
    found_from = found_to = None
    if filters.date_from:
        found_from = clock.start_of_business_day(filters.date_from)
        found = found.filter(created_at__gte=found_from)
    if filters.date_to:
        found_to = clock.start_of_business_day(filters.date_to + dt.timedelta(days=1))
        found = found.filter(created_at__lt=found_to)
    if filters.order_no:
        found = found.filter(platform_order_no=filters.order_no)
    if filters.buyer:
        found = found.filter(Q(buyer_nick=filters.buyer) | Q(buyer_id=filters.buyer))
    if filters.phone_last4:
        found = found.filter(receiver_phone_last4=filters.phone_last4)
    if filters.sku:
        lines = _sku_lines(filters.sku)
        if filters.date_from:  # lines carry their order's time: only the range's lines are read
            lines = lines.filter(order_created_at__gte=found_from)
        if filters.date_to:
            lines = lines.filter(order_created_at__lt=found_to)
        found = found.filter(id__in=lines.values("order_id"))
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
        return f"{self.count:,}+" if self.count_capped else f"{self.count:,}"


def _candidate_ids(filters: OrderFilters, store_ids: tuple[int, ...]) -> set[int] | None:
    """The ids a selective filter allows (order number, buyer, phone's last 4), each read through
    its own single-column index, when at most FEW_ORDERS; None when no such filter is given or
    every one matches more (then an index walk decides)."""
    found: list[set[int]] = []

    def few(query: QuerySet[Any]) -> None:
        rows = list(query.order_by().values_list("id", flat=True)[: FEW_ORDERS + 1])
        if len(rows) <= FEW_ORDERS:
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
    if not found:
        return None
    return set.intersection(*found)


# A merchant code with other filters: the orders those filters allow are counted up to SIDE_CAP
# in their store-first index. At least that many: walk the code's lines (one page then costs at
# most ~2 × page size × orders / SIDE_CAP looks at an order). Fewer: walk whichever side needs
# fewer looks for a page — the code's lines (two walks, each until a page of orders passes the
# filters), or the allowed orders of each store (each until a page has a line of the code).
SIDE_CAP = 20_000


def _order_side(
    filters: OrderFilters, store_ids: tuple[int, ...], every_store: bool
) -> QuerySet[Order] | None:
    """With a merchant code: the orders a store-first index allows (store, then the status or the
    flag, then the date range): a superset of the answer, read from the index alone. None when
    no such filter narrows the orders (every store, no status, flag or date range)."""
    dated = filters.date_from or filters.date_to
    if every_store and not (filters.status or filters.flag or dated):
        return None
    query = Order.objects.filter(store_id__in=store_ids)
    if filters.status:
        query = query.filter(status=filters.status)
    elif filters.flag:
        query = query.filter(flag=filters.flag)
    if filters.date_from:
        query = query.filter(created_at__gte=clock.start_of_business_day(filters.date_from))
    if filters.date_to:
        end = clock.start_of_business_day(filters.date_to + dt.timedelta(days=1))
        query = query.filter(created_at__lt=end)
    return query.order_by()


def _code_side_size(filters: OrderFilters, cap: int) -> int:
    """The code's lines (as written, and of its catalog SKU) in the date range, each counted up to
    `cap`: two index-only counts."""
    walks = [OrderLine.objects.filter(merchant_code=filters.sku)]
    sku_id = _code_sku_id(filters.sku)
    if sku_id is not None:
        walks.append(OrderLine.objects.filter(sku_id=sku_id))
    total = 0
    for lines in walks:
        if filters.date_from:
            lines = lines.filter(
                order_created_at__gte=clock.start_of_business_day(filters.date_from)
            )
        if filters.date_to:
            end = clock.start_of_business_day(filters.date_to + dt.timedelta(days=1))
            lines = lines.filter(order_created_at__lt=end)
        total += lines.order_by().values("id")[:cap].count()
    return total


def _candidate_rows(
    filters: OrderFilters, store_ids: tuple[int, ...], candidates: set[int]
) -> list[tuple[dt.datetime, int]]:
    """(order time, id) of the candidates that pass every filter, newest first. Read by primary
    key; the store, the selective filters and the merchant code are checked here, not in SQL, so
    the planner cannot pick another index (a filter that matched more than FEW_ORDERS orders is
    checked here too)."""
    if not candidates:
        return []
    scope = set(store_ids)
    rows = (
        _filtered(replace(filters, sku="", order_no="", buyer="", phone_last4=""))
        .filter(id__in=candidates)
        .order_by()
        .values_list(
            "created_at",
            "id",
            "store_id",
            "platform_order_no",
            "buyer_nick",
            "buyer_id",
            "receiver_phone_last4",
        )
    )
    kept = [
        (at, pk)
        for at, pk, store_id, number, nick, buyer_id, last4 in rows
        if store_id in scope
        and (not filters.order_no or number == filters.order_no)
        and (not filters.buyer or filters.buyer in (nick, buyer_id))
        and (not filters.phone_last4 or last4 == filters.phone_last4)
    ]
    if filters.sku and kept:
        with_code = _orders_with_code(filters.sku, {pk for _at, pk in kept})
        kept = [row for row in kept if row[1] in with_code]
    return sorted(kept, reverse=True)


def _orders_with_code(code: str, order_ids: set[int]) -> set[int]:
    """Which of these orders have a line of the merchant code (as written, or its catalog SKU):
    their lines read by order, compared here."""
    sku_id = _code_sku_id(code)
    return {
        order_id
        for order_id, merchant_code, line_sku_id in OrderLine.objects.filter(order_id__in=order_ids)
        .order_by()
        .values_list("order_id", "merchant_code", "sku_id")
        if merchant_code == code or (sku_id is not None and line_sku_id == sku_id)
    }


def _all_store_ids() -> set[int]:
    return set(Store.objects.values_list("id", flat=True))


# --- merchant code: walks of the line indexes ----------------------------------------------------
def _code_sku_id(code: str) -> int | None:
    return Sku.objects.filter(merchant_code=code).values_list("id", flat=True).first()


# A line's order is checked through the indexes that start with the store (store, status / flag,
# order time, id) when the actor's scope has at most this many stores: one seek per store into a
# narrow index costs a quarter of reading the order's row by primary key (measured on SQLite).
STORE_SEEKS_MAX = 3


def _code_walks(
    filters: OrderFilters,
    store_ids: tuple[int, ...],
    every_store: bool,
    after: tuple[dt.datetime, int] | None,
) -> tuple[list[QuerySet[OrderLine]], bool]:
    """The lines of the merchant code as the platform wrote it, and those mapped to the catalog
    SKU of that code: one index walk each, newest first, read only as far as needed, narrowed by
    the date range and the cursor on the line's copy of the order time, and by every other filter
    on the line's order. Also tells whether the orders are looked at (False: index only)."""
    on_order: dict[str, Any] = {}
    for name in ("status", "flag", "exception_reason"):
        if getattr(filters, name):
            on_order[name] = getattr(filters, name)
    if filters.order_no:
        on_order["platform_order_no"] = filters.order_no
    if filters.phone_last4:
        on_order["receiver_phone_last4"] = filters.phone_last4
    buyer = Q(buyer_nick=filters.buyer) | Q(buyer_id=filters.buyer) if filters.buyer else Q()
    joined = bool(on_order or filters.buyer or not every_store)
    orders = None
    if joined and len(store_ids) <= STORE_SEEKS_MAX:
        # the order at the line's time in one of the stores, found in a store-first index; the
        # id is compared as `id + 0` so that the planner cannot read the row by primary key
        orders = Exists(
            Order.objects.filter(
                buyer, store_id__in=store_ids, created_at=OuterRef("order_created_at"), **on_order
            )
            .alias(same_id=F("id") + 0)
            .filter(same_id=OuterRef("order_id"))
        )
    elif joined:  # the order's row by primary key
        on_order = {f"order__{name}": value for name, value in on_order.items()}
        if not every_store:
            on_order["order__store_id__in"] = store_ids
        buyer = Q(order__buyer_nick=filters.buyer) | Q(order__buyer_id=filters.buyer)
    on_line: dict[str, Any] = {}
    if filters.date_from:
        on_line["order_created_at__gte"] = clock.start_of_business_day(filters.date_from)
    if filters.date_to:
        end = clock.start_of_business_day(filters.date_to + dt.timedelta(days=1))
        on_line["order_created_at__lt"] = end
    walks = [OrderLine.objects.filter(merchant_code=filters.sku)]
    sku_id = _code_sku_id(filters.sku)
    if sku_id is not None:
        if joined:  # lines of the SKU are the second walk's: skipped in the index, no order read
            walks[0] = walks[0].exclude(sku_id=sku_id)
        walks.append(OrderLine.objects.filter(sku_id=sku_id))
    narrowed = []
    for lines in walks:
        lines = lines.filter(**on_line)
        if orders is not None:
            lines = lines.filter(orders)
        elif joined:
            lines = lines.filter(buyer if filters.buyer else Q(), **on_order)
        narrowed.append(_after(lines, after))
    return narrowed, joined


def _after(lines: QuerySet[OrderLine], key: tuple[dt.datetime, int] | None) -> QuerySet[OrderLine]:
    """Lines of orders strictly after `key` in the list's order (older, or as old with a lower id)."""
    if key is None:
        return lines
    return lines.filter(order_created_at__lte=key[0]).exclude(
        order_created_at=key[0], order_id__gte=key[1]
    )


LINE_BATCH_MAX = 2000


def _walk_keys(lines: QuerySet[OrderLine], first: int) -> Iterator[tuple[dt.datetime, int]]:
    """(order time, order id) of the lines' orders, newest first. Read in growing batches; the
    next batch starts after the last order seen (an order's lines share its key)."""
    size = first
    after = None
    while True:
        rows = list(
            _after(lines, after)
            .order_by("-order_created_at", "-order_id")
            .values_list("order_created_at", "order_id")[:size]
        )
        yield from rows  # an order's second line repeats its key: the merge drops it
        if len(rows) < size:
            return
        after = rows[-1]
        size = min(size * 4, LINE_BATCH_MAX)


def _code_page(
    walks: list[QuerySet[OrderLine]], limit: int
) -> tuple[list[tuple[dt.datetime, int]], bool]:
    """The page's keys from the merged walks (an order found by both, or by two lines, once)."""
    keys: list[tuple[dt.datetime, int]] = []
    previous = None
    # limit + 2 rows at first: the merge reads one row ahead in each walk
    for key in heapq.merge(*(_walk_keys(w, limit + 2) for w in walks), reverse=True):
        if key == previous:
            continue
        previous = key
        keys.append(key)
        if len(keys) > limit:
            break
    return keys[:limit], len(keys) > limit


def _code_count(walks: list[QuerySet[OrderLine]], *, first_alone: bool) -> int:
    """Orders found by the walks, up to COUNT_CAP + 1: both as one UNION in the indexes' order
    (SQLite merges the two walks and stops at the cap). With `first_alone` (walks of the index
    only) the first walk is counted alone first: a common code reaches the cap with it."""
    ordered = [w.order_by().values_list("order_created_at", "order_id") for w in walks]
    newest_first = ("-order_created_at", "-order_id")
    if first_alone or len(ordered) == 1:
        first = ordered[0].distinct().order_by(*newest_first)[: COUNT_CAP + 1].count()
        if first > COUNT_CAP or len(ordered) == 1:  # the code as written reaches the cap alone
            return first
    return ordered[0].union(*ordered[1:]).order_by(*newest_first)[: COUNT_CAP + 1].count()


def _capped_count(base: QuerySet[Order]) -> int:
    """How many orders match, up to COUNT_CAP + 1."""
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

    A selective filter (order number, buyer, phone; with a merchant code also a store, status,
    flag or date range that allows few orders) reads its few orders by key and sorts them here.
    A merchant code otherwise walks its lines newest first (`_code_walks`), unless the other
    filters allow fewer orders than the code has lines. Otherwise each store's orders are walked
    newest first through the indexes that start with the store, one page each, and merged.
    """
    limit = max(1, min(limit, PAGE_MAX))
    base = order_list(actor=actor, filters=filters)
    after = decode_order_cursor(cursor) if cursor else None
    store_ids = filters.store_ids or tuple(sorted(actor.store_ids()))
    every_store = set(store_ids) >= _all_store_ids()
    candidates = _candidate_ids(filters, store_ids)
    walk_lines = bool(filters.sku)
    if candidates is None and filters.sku:
        side = _order_side(filters, store_ids, every_store)
        if side is not None:
            ids = list(side.values_list("id", flat=True)[: FEW_ORDERS + 1])
            if len(ids) <= FEW_ORDERS:  # few orders: read by key, their lines checked
                candidates = set(ids)
            else:
                orders = side.values("id")[:SIDE_CAP].count()
                one_walk = every_store and not (filters.status or filters.flag)
                order_walks = 1 if one_walk else len(store_ids)
                enough = orders * order_walks // 2  # lines beyond which orders are walked
                walk_lines = orders >= SIDE_CAP or _code_side_size(filters, enough + 1) <= enough
    count: int | None = None
    lower_bound = False  # the count is at least `count` (see `_code_count_checked`)
    if candidates is not None:
        rows = _candidate_rows(filters, store_ids, candidates)
        total = len(rows)
        if after is not None:
            rows = [r for r in rows if r < after]
        keys, more = rows[:limit], len(rows) > limit
        count = total if with_count else None
    elif walk_lines:
        walks, joined = _code_walks(filters, store_ids, every_store, after)
        keys, more = _code_page(walks, limit)
        if not with_count:
            pass
        elif after is None and not more:  # the walks reached their end: the page is all
            count = len(keys)
        elif not joined:  # the two walks merged up to the cap, in the indexes alone
            walks = _code_walks(filters, store_ids, every_store, None)[0]
            count = _code_count(walks, first_alone=True)
        else:  # other filters too: the code's newest orders checked against them
            count, lower_bound = _code_count_checked(filters, store_ids, every_store)
    else:
        shaped = _filtered(replace(filters, sku=""))
        if filters.sku:  # fewer such orders than lines of the code: an indexed EXISTS per order
            lines = _sku_lines(filters.sku)
            shaped = shaped.filter(Exists(lines.filter(order_id=OuterRef("pk"))))
        if after is not None:
            shaped = shaped.filter(created_at__lte=after[0]).exclude(
                created_at=after[0], id__gte=after[1]
            )
        shaped = shaped.order_by("-created_at", "-id")
        if not (filters.status or filters.flag) and every_store:
            # every store, nothing a store-first index would narrow: one walk of the time index
            per_store = [list(shaped.values_list("created_at", "id")[: limit + 1])]
        else:
            per_store = [
                list(shaped.filter(store_id=store_id).values_list("created_at", "id")[: limit + 1])
                for store_id in store_ids
            ]
        merged = list(heapq.merge(*per_store, reverse=True))
        keys, more = merged[:limit], len(merged) > limit
        if not with_count:
            pass
        elif after is None and not more:
            count = len(keys)
        else:  # exact: the orders the filters allow are fewer than the code's lines
            count = _capped_count(base)
    if lower_bound and after is None and count is not None:
        # at least what this first page shows (the checked orders may all be newer than its own)
        count = max(count, len(keys) + (1 if more else 0))
    found = Order.objects.select_related("store").in_bulk([k[1] for k in keys])
    orders = [found[k[1]] for k in keys if k[1] in found]
    next_cursor = encode_order_cursor(orders[-1]) if more and orders else None
    capped = lower_bound or (count is not None and count > COUNT_CAP)
    if count is not None:
        count = min(count, COUNT_CAP)
    return OrderPage(orders=orders, next_cursor=next_cursor, count=count, count_capped=capped)


CHECKED_ORDERS = 2000


def _code_count_checked(
    filters: OrderFilters, store_ids: tuple[int, ...], every_store: bool
) -> tuple[int, bool]:
    """A merchant code with other filters: how many orders pass them, counted down to the order
    time of the code's `CHECKED_ORDERS`-th newest order (in the date range), and whether the code
    has more orders than that — then the count is a lower bound, shown as "N+". Exact counting
    would look at every order of a common code (~35,000 lines, 60–100 ms on a million orders).
    The code's index walks (index only) find that time; the list's own walks, which check the
    other filters (`_code_walks`), are then counted down to it."""
    code_only = OrderFilters(sku=filters.sku, date_from=filters.date_from, date_to=filters.date_to)
    since, more = _code_floor(_code_walks(code_only, store_ids, True, None)[0], CHECKED_ORDERS)
    walks = _code_walks(filters, store_ids, every_store, None)[0]
    if since is not None:
        walks = [w.filter(order_created_at__gte=since) for w in walks]
    return _code_count(walks, first_alone=False), more


def _code_floor(walks: list[QuerySet[OrderLine]], n: int) -> tuple[dt.datetime | None, bool]:
    """The order time of the `n`-th newest order the walks find (each order once) and True, or
    (None, False) when they find at most `n`. Each walk reads `2n + 1` lines (an order may have
    two lines of a code), merged down to the newest last row of a walk that had more."""
    sqlite = connection.vendor == "sqlite"
    rows: list[tuple[Any, int]] = []
    floor = None
    with connection.cursor() as cursor:
        for walk in walks:
            query = walk.order_by("-order_created_at", "-order_id")
            if sqlite:  # the time as stored text: no conversion per row
                query = query.annotate(at=Cast("order_created_at", CharField()))
            query = query.values_list("at" if sqlite else "order_created_at", "order_id")
            sql, params = query[: 2 * n + 1].query.sql_with_params()
            cursor.execute(sql, params)
            got = [tuple(row) for row in cursor.fetchall()]
            if len(got) > 2 * n:  # the walk goes on: below its last row it is incomplete
                floor = got[-1] if floor is None else max(floor, got[-1])
            rows.extend(got)
    rows.sort(reverse=True)
    if floor is not None:
        rows = [row for row in rows if row >= floor]
    keys = list(dict.fromkeys(rows))  # an order's lines share its key
    if len(keys) <= n and floor is None:
        return None, False
    at = keys[min(n, len(keys)) - 1][0]
    if sqlite:
        at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    return at, True


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
