"""Merchant-code (SKU) search in the order list: the code as the platform wrote it or the catalog
SKU of that code, each order once, newest order time first, combined with the store scope, the
status, the flag, the date range and the cursor, after merges and splits — and the same orders
and count whichever way the list reads them (line walks, few orders by key, order-index walks)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import F, Q

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.core import clock
from storeops.core.roles import RoleCode
from storeops.orders import selectors_list as sel
from storeops.orders.models import Order, OrderLine
from storeops.orders.services.review import order_merge, order_split
from tests.inventory_helpers import make_sku
from tests.orders_handling_helpers import demo_sku, make_order
from tests.test_orders_import import run, taobao

CODE = "P2-CODE"


WAYS = {
    # FEW_ORDERS, STORE_SEEKS_MAX, SIDE_CAP
    "few-by-key": (1000, 3, 50_000),  # a test database holds few orders: read by key
    "line-walks": (0, 3, 50_000),  # walk the code's lines, orders checked in a store index
    "walks-by-row": (0, 0, 50_000),  # … orders checked by primary key
    "order-walks": (0, 3, 0),  # walk the orders the other filters allow, lines checked
}


def _set_way(monkeypatch, name):
    few, seeks, side = WAYS[name]
    monkeypatch.setattr(sel, "FEW_ORDERS", few)
    monkeypatch.setattr(sel, "STORE_SEEKS_MAX", seeks)
    monkeypatch.setattr(sel, "SIDE_CAP", side)


@pytest.fixture(params=list(WAYS))
def way(request, monkeypatch):
    """Each test below runs on each way of reading."""
    _set_way(monkeypatch, request.param)
    return request.param


@pytest.fixture
def two_store_kefu(stores):
    """客服 working in tb-main and jd-main only (not every store, more than one)."""
    return user_create(
        actor=None,
        username="kefu_tb_jd",
        password="test-pass-123",
        first_name="两店客服",
        roles=[Role.objects.get(code=RoleCode.CUSTOMER_SERVICE)],
        stores=[stores["tb-main"], stores["jd-main"]],
    )


def _line(order, code, sku, line_no=2):
    return OrderLine.objects.create(
        order=order,
        line_no=line_no,
        sku=sku,
        merchant_code=code,
        title="测试商品",
        quantity=1,
        unit_price="10.00",
        status="normal" if sku else "unmatched",
    )


@pytest.fixture
def world(stores, kefu):
    """Orders of our own code P2-CODE (a catalog SKU made here, so no seeded order has it), 10 and
    11 days ago in business time, in three stores:

    tb1   tb-main, P2-CODE mapped to the SKU                       pending_review
    tb2   tb-main, platform code P2-OLD mapped to the SKU (alias)  reviewed
    jd3   jd-main, platform code P2-CODE, no SKU (unmatched line)  exception, red flag
    jd4   jd-main, another SKU only                                (never found)
    tb5   tb-main, two lines of P2-CODE                            pending_review, red flag
    tie_a, tie_b  jd-main, P2-CODE, the same order time            completed
    mall6 mall, P2-CODE                                            shipped
    merged: an older tb order of another SKU took a newer one's P2-CODE line (合单)
    split: P2-CODE split off a two-line order into a new order of the same time (拆单)
    remapped: tb-main, platform code P2-CODE mapped to another SKU                   pending_review
    """
    sku = make_sku(CODE)
    other = demo_sku()
    day = clock.business_date() - dt.timedelta(days=10)
    start = clock.start_of_business_day(day)
    at = {n: start + dt.timedelta(hours=n) for n in range(24)}
    tb, jd, mall = stores["tb-main"], stores["jd-main"], stores["mall"]
    o = {}
    o["old"] = make_order(tb, lines=[(sku, 1, "10.00")], created_at=start - dt.timedelta(hours=20))
    o["tb1"] = make_order(tb, lines=[(sku, 1, "10.00")], created_at=at[1])
    o["tb2"] = make_order(tb, lines=[(other, 1, "10.00")], created_at=at[2], status="reviewed")
    _line(o["tb2"], "P2-OLD", sku)
    o["jd3"] = make_order(
        jd,
        lines=[(other, 1, "10.00")],
        created_at=at[3],
        status="exception",
        exception_reason="unmatched_sku",
        flag="red",
    )
    _line(o["jd3"], CODE, None)
    o["jd4"] = make_order(jd, lines=[(other, 1, "10.00")], created_at=at[4])
    o["tb5"] = make_order(tb, lines=[(sku, 1, "10.00"), (sku, 2, "10.00")], created_at=at[5])
    o["tb5"].flag = "red"
    o["tb5"].save(update_fields=["flag"])
    o["tie_a"] = make_order(jd, lines=[(sku, 1, "10.00")], created_at=at[6], status="completed")
    o["tie_b"] = make_order(jd, lines=[(sku, 1, "10.00")], created_at=at[6], status="completed")
    o["mall6"] = make_order(mall, lines=[(sku, 1, "10.00")], created_at=at[7], status="shipped")
    # 合单: the older order (another SKU) takes the newer one's P2-CODE line and its own time
    o["merged"] = make_order(tb, buyer="p2-merge", lines=[(other, 1, "10.00")], created_at=at[8])
    newer = make_order(tb, buyer="p2-merge", lines=[(sku, 1, "10.00")], created_at=at[9])
    assert order_merge(actor=kefu, order_ids=[newer.pk, o["merged"].pk]).pk == o["merged"].pk
    o["merged_away"] = Order.objects.get(pk=newer.pk)
    # 拆单: P2-CODE leaves a two-line order for a new order of the same order time
    whole = make_order(tb, lines=[(other, 1, "10.00"), (sku, 1, "10.00")], created_at=at[10])
    moving = whole.lines.get(line_no=2).pk
    o["split"] = order_split(actor=kefu, order_id=whole.pk, line_ids=[moving])
    o["split_rest"] = whole
    # the platform's code P2-CODE mapped by hand to another catalog SKU: found by the code
    o["remapped"] = make_order(tb, lines=[(other, 1, "10.00")], created_at=at[14])
    _line(o["remapped"], CODE, other)
    # a buyer with several orders of another SKU (a filter that is not "few" at FEW_ORDERS = 2)
    for hour in (11, 12, 13):
        make_order(jd, buyer="p2-many", lines=[(other, 1, "10.00")], created_at=at[hour])
    return o


def _nos(orders):
    return [o.platform_order_no for o in orders]


def _expect(world, *names):
    found = sorted((world[n] for n in names), key=lambda o: (o.created_at, o.pk), reverse=True)
    return _nos(found)


def _all_pages(actor, filters, limit):
    """Every page through the cursor: the orders in order, and every page's count label."""
    seen, labels, cursor = [], [], None
    while True:
        page = sel.order_page(actor=actor, filters=filters, cursor=cursor, limit=limit)
        seen += page.orders
        labels.append(page.count_label)
        cursor = page.next_cursor
        if not cursor:
            return seen, labels


EVERY = (
    "old",
    "tb1",
    "tb2",
    "jd3",
    "tb5",
    "tie_a",
    "tie_b",
    "mall6",
    "merged",
    "split",
    "remapped",
)


def test_a_code_finds_its_raw_and_mapped_lines_each_order_once(api_as, kefu, world, way):
    client = api_as(kefu)
    body = client.get("/api/v1/orders", sku=CODE).json()
    assert [row["platform_order_no"] for row in body["items"]] == _expect(world, *EVERY)
    assert (body["count"], body["count_label"]) == (len(EVERY), str(len(EVERY)))
    # the platform's own code finds only its line's order; an unknown code nothing
    assert _nos(sel.order_page(actor=kefu, filters=sel.OrderFilters(sku="P2-OLD")).orders) == [
        world["tb2"].platform_order_no
    ]
    empty = sel.order_page(actor=kefu, filters=sel.OrderFilters(sku="P2-NO-SUCH"))
    assert (empty.orders, empty.count, empty.next_cursor) == ([], 0, None)


def test_merged_and_split_orders_are_found_where_their_lines_went(kefu, world, way):
    found = _nos(sel.order_page(actor=kefu, filters=sel.OrderFilters(sku=CODE)).orders)
    assert world["merged"].platform_order_no in found  # the target took the line
    assert world["merged_away"].platform_order_no not in found  # closed, no lines left
    assert world["split"].platform_order_no in found  # the new order took the line
    assert world["split_rest"].platform_order_no not in found  # only the other SKU left
    # the merged line is listed at the target's (older) order time
    merged_at = found.index(world["merged"].platform_order_no)
    assert found[merged_at - 1] == world["split"].platform_order_no
    assert found[merged_at + 1] == world["mall6"].platform_order_no


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_cursor_pages_walk_every_order_once_with_the_same_count(kefu, world, way, limit):
    seen, labels = _all_pages(kefu, sel.OrderFilters(sku=CODE), limit)
    assert _nos(seen) == _expect(world, *EVERY)  # ties on order time go by id, none repeated
    assert set(labels) == {str(len(EVERY))}


def test_code_with_store_status_flag_and_date_range(api_as, kefu, kefu_jd, world, way):
    client = api_as(kefu)

    def items(**params):
        response = client.get("/api/v1/orders", sku=CODE, **params)
        assert response.status_code == 200, response.content
        return [row["platform_order_no"] for row in response.json()["items"]]

    assert items(store="jd-main") == _expect(world, "jd3", "tie_a", "tie_b")
    assert items(store="mall") == _expect(world, "mall6")
    assert items(status="pending_review") == _expect(
        world, "old", "tb1", "tb5", "merged", "split", "remapped"
    )
    assert items(status="pending_review", store="tb-main", flag="red") == _expect(world, "tb5")
    assert items(flag="red") == _expect(world, "jd3", "tb5")
    assert items(status="exception", exception_reason="unmatched_sku") == _expect(world, "jd3")
    day = clock.business_date(world["tb1"].created_at)
    same_day = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert items(**same_day) == _expect(world, *(n for n in EVERY if n != "old"))
    before = (day - dt.timedelta(days=1)).isoformat()
    assert items(date_to=before) == _expect(world, "old")
    assert items(date_from=before, date_to=before, store="tb-main") == _expect(world, "old")
    assert items(store="jd-main", status="completed", **same_day) == _expect(
        world, "tie_a", "tie_b"
    )
    # the user's own stores: 京东客服 sees jd-main's orders only, and no other store's
    jd_only = api_as(kefu_jd).get("/api/v1/orders", sku=CODE).json()
    assert [r["platform_order_no"] for r in jd_only["items"]] == _expect(
        world, "jd3", "tie_a", "tie_b"
    )
    assert jd_only["count"] == 3
    assert api_as(kefu_jd).get("/api/v1/orders", sku=CODE, store="tb-main").status_code == 404


def test_two_store_scope_pages_through_the_cursor(two_store_kefu, world, way):
    seen, labels = _all_pages(two_store_kefu, sel.OrderFilters(sku=CODE), limit=2)
    expected = _expect(
        world, "old", "tb1", "tb2", "jd3", "tb5", "tie_a", "tie_b", "merged", "split", "remapped"
    )
    assert _nos(seen) == expected  # mall6 is in a store this user does not work in
    assert set(labels) == {str(len(expected))}


def test_the_page_on_the_orders_own_page(web_as, kefu_jd, world, way):
    page = web_as(kefu_jd).get("/orders/", {"sku": CODE}).content.decode()
    assert world["tie_a"].platform_order_no in page
    assert world["tb1"].platform_order_no not in page
    assert "共 3 单" in page


# --- every way of reading gives the same orders and count ---------------------------------------
FILTERS = [
    {},
    {"status": "pending_review"},
    {"status": "completed"},
    {"flag": "red"},
    {"status": "exception", "exception_reason": "unmatched_sku"},
    {"date": (0, 0)},
    {"date": (1, 1)},
    {"date": (1, 0), "status": "pending_review"},
    {"store": "jd-main"},
    {"store": "tb-main", "flag": "red"},
    {"store": "jd-main", "date": (0, 0)},
    {"buyer": "p2-merge"},
    {"buyer": "buyer-a", "store": "tb-main"},
    {"phone_last4": "5678", "status": "pending_review"},
    {"order_no_of": "tb1"},
    {"order_no_of": "tb1", "buyer": "p2-many"},  # one filter few, the other not: none match
    {"order_no_of": "jd3", "flag": "red", "store": "jd-main"},
]


def _filters(spec, world, stores, code):
    spec = dict(spec)
    day = clock.business_date(world["tb1"].created_at)
    kwargs = {"sku": code}
    if "order_no_of" in spec:
        kwargs["order_no"] = world[spec.pop("order_no_of")].platform_order_no
    if "date" in spec:
        back_from, back_to = spec.pop("date")
        kwargs["date_from"] = day - dt.timedelta(days=back_from)
        kwargs["date_to"] = day - dt.timedelta(days=back_to)
    if "store" in spec:
        kwargs["store_ids"] = (stores[spec.pop("store")].pk,)
    return sel.OrderFilters(**kwargs, **spec)


EVERY_WAY = {**WAYS, "store-seeks": (0, 100, 50_000), "mixed": (2, 1, 50_000)}


@pytest.mark.parametrize("name", list(EVERY_WAY))
def test_every_way_of_reading_gives_the_reference_list(
    kefu, kefu_jd, two_store_kefu, stores, world, monkeypatch, name
):
    """The plain query (`order_list`, ordered by order time and id) is the reference: each filter
    combination, each scope, paged two at a time through the cursor, gives the same orders and
    the same count, whichever path order_page takes (store-seeks: every scope checked in the
    store indexes; mixed: some filters few, others not)."""
    monkeypatch.setattr(sel, "FEW_ORDERS", EVERY_WAY[name][0])
    monkeypatch.setattr(sel, "STORE_SEEKS_MAX", EVERY_WAY[name][1])
    monkeypatch.setattr(sel, "SIDE_CAP", EVERY_WAY[name][2])
    checked = 0
    for actor, spec, code in itertools.product(
        (kefu, kefu_jd, two_store_kefu), FILTERS, (CODE, "P2-OLD")
    ):
        filters = _filters(spec, world, stores, code)
        if filters.store_ids and not actor.works_in(filters.store_ids[0]):
            continue
        reference = list(
            sel.order_list(actor=actor, filters=filters).order_by("-created_at", "-id")
        )
        seen, labels = _all_pages(actor, filters, limit=2)
        assert _nos(seen) == _nos(reference), (actor.username, spec, code)
        assert set(labels) == {str(len(reference))}, (actor.username, spec, code)
        checked += len(reference)
    assert checked > 40  # the combinations found orders, not only empty pages


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ({}, "line-walks"),
        ({"store": "tb-main"}, "line-walks"),
        ({"status": "pending_review"}, "line-walks"),
        ({"store": "tb-main"}, "walks-by-row"),
        ({"store": "tb-main"}, "order-walks"),
    ],
    ids=["code-only", "store-seeks", "status-by-key", "store-by-key", "order-walk"],
)
def test_count_stops_at_the_cap_on_every_count_path(kefu, stores, world, monkeypatch, spec, name):
    _set_way(monkeypatch, name)
    monkeypatch.setattr(sel, "COUNT_CAP", 2)
    page = sel.order_page(actor=kefu, filters=_filters(spec, world, stores, CODE), limit=1)
    assert (page.count, page.count_capped, page.count_label) == (2, True, "2+")
    assert len(page.orders) == 1
    assert page.next_cursor


def test_lines_hold_the_same_stored_time_as_their_orders(kefu, stores, world):
    """The walks compare the line's copy of the order time with the order's in SQL (the store
    index seek matches them exactly): the stored values must be equal, not only equal in Python,
    for lines written by the ORM (manual, merge, split) and by the import's own INSERTs."""
    run(kefu, stores["tb-main"], taobao("taobao_v1"))
    imported = Order.objects.filter(store=stores["tb-main"], source="import")
    ids = [o.pk for o in world.values()] + list(imported.values_list("id", flat=True))
    lines = OrderLine.objects.filter(order_id__in=ids)
    assert lines.filter(order__source="import").count() > 0
    assert lines.count() > 10
    assert lines.exclude(order_created_at=F("order__created_at")).count() == 0


@pytest.mark.parametrize("spec", [{"store": "tb-main"}, {"status": "pending_review"}])
def test_a_code_with_more_orders_than_are_checked_counts_a_lower_bound(
    kefu, stores, world, monkeypatch, spec
):
    """A merchant code with other filters counts the orders passing them down to the time of the
    code's CHECKED_ORDERS-th newest order: with more orders than that the count is a lower bound,
    labelled "N+"; exact below."""
    _set_way(monkeypatch, "line-walks")
    filters = _filters(spec, world, stores, CODE)
    passing = list(
        sel.order_list(actor=kefu, filters=filters)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    assert len(passing) >= 2  # more than the one-order page: the count is asked for
    exact = sel.order_page(actor=kefu, filters=filters, limit=1)
    assert (exact.count, exact.count_capped) == (len(passing), False)

    monkeypatch.setattr(sel, "CHECKED_ORDERS", 3)
    code_orders = OrderLine.objects.filter(
        Q(merchant_code=CODE) | Q(sku__merchant_code=CODE)
    ).order_by("-order_created_at", "-order_id")
    keys = list(dict.fromkeys(code_orders.values_list("order_created_at", "order_id")))
    assert len(keys) > 3
    since = keys[2][0]  # the code's third newest order: counted down to its time
    expected = Order.objects.filter(id__in=passing, created_at__gte=since).count()
    assert 0 < expected < len(passing)
    page = sel.order_page(actor=kefu, filters=filters, limit=1)
    assert (page.count, page.count_capped, page.count_label) == (expected, True, f"{expected}+")
    assert expected <= len(passing)
    assert len(page.orders) == 1  # the page itself is not bounded
    assert page.orders[0].pk == passing[0]
