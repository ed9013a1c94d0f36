"""Order import on SQLite, new orders' rows built by a forked child (orders.services.imports
`_write_with_builder`): the orders, lines, statuses, 异常 reasons, combo expansions and import
links are exactly what the one-process writer produces; a child that fails — at once or half-way
— leaves the rest to the parent with nothing lost or doubled; a re-import mixing new, unchanged
and changed orders counts each right."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from storeops.orders.importing import parallel
from storeops.orders.models import Order, OrderImport, OrderLine
from storeops.orders.services import import_writer, imports
from storeops.orders.services.imports import order_import_files

from .test_orders_import_staging import ITEM_HEADER, ORDER_HEADER, _csv, _item, _order

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the row builder is SQLite's"),
]

PAID, UNPAID, CLOSED = "买家已付款，等待卖家发货", "等待买家付款", "交易关闭"
CODES = ("GLT-CUP-500-BK", "GLT-CUP-500-PK", "GLT-SET-COUPLE", "UNKNOWN-77")
ORDER_FIELDS = [
    f.attname
    for f in Order._meta.concrete_fields
    if f.attname not in ("id", "store_id", "recorded_at", "updated_at")
]
LINE_FIELDS = [
    f.attname
    for f in OrderLine._meta.concrete_fields
    if f.attname not in ("id", "order_id", "store_id")
]


def _files(prefix: str, count: int, *, amount: str = "10.00") -> list:
    """`count` orders numbered prefix0…: paid, unpaid and closed ones, 1–3 lines each, known,
    combo and unknown codes (a paid order with an unknown code goes to 异常)."""
    orders, items = [], []
    for n in range(count):
        no = f"{prefix}{n:04d}"
        status = (PAID, PAID, UNPAID, CLOSED)[n % 4]
        orders.append(_order(no, amount).replace(PAID, status))
        for k in range(1 + n % 3):
            code = CODES[(n + k) % len(CODES)] if n % 5 else CODES[k % 2]
            items.append(_item(no, code, str(1 + k)).replace(PAID, status))
    return [
        _csv(f"{prefix}_ExportOrderList.csv", ORDER_HEADER, orders),
        _csv(f"{prefix}_ExportOrderDetailList.csv", ITEM_HEADER, items),
    ]


def _view(store, numbers) -> dict:
    orders = {
        o["platform_order_no"]: o
        for o in Order.objects.filter(store=store, platform_order_no__in=numbers).values(
            "id", *ORDER_FIELDS
        )
    }
    lines: dict[str, list] = {}
    by_id = {o["id"]: no for no, o in orders.items()}
    for line in OrderLine.objects.filter(order_id__in=by_id).order_by("order_id", "line_no"):
        lines.setdefault(by_id[line.order_id], []).append(
            [getattr(line, name) for name in LINE_FIELDS]
        )
    for order in orders.values():
        order.pop("id")
    return {"orders": orders, "lines": lines}


@pytest.fixture
def builder(monkeypatch):
    """Every import uses the child (no size floor), in chunks of 7 orders; the streams opened
    are listed with how far each got."""
    monkeypatch.setattr(imports, "BUILDER_MIN_ORDERS", 0)
    monkeypatch.setattr(imports, "CHUNK", 7)
    streams = []
    real = parallel.stream

    def noting(produce):
        stream = real(produce)
        streams.append(stream)
        return stream

    monkeypatch.setattr(parallel, "stream", noting)
    return streams


def _numbers(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n:04d}" for n in range(count)]


def test_a_child_building_the_rows_writes_what_one_process_writes(
    admin, stores, builder, monkeypatch
):
    with_child = order_import_files(actor=admin, store=stores["tb-main"], files=_files("71", 40))
    assert len(builder) == 1
    assert builder[0].complete
    monkeypatch.setattr(imports, "BUILDER_MIN_ORDERS", 10**9)
    alone = order_import_files(actor=admin, store=stores["tm-flagship"], files=_files("71", 40))
    assert len(builder) == 1  # no child this time
    assert with_child.as_dict() == alone.as_dict()
    assert with_child.exceptions == alone.exceptions > 0

    a = _view(stores["tb-main"], _numbers("71", 40))
    b = _view(stores["tm-flagship"], _numbers("71", 40))
    assert len(a["orders"]) == 40
    assert a == b
    statuses = {o["status"] for o in a["orders"].values()}
    assert {"exception", "pending_review", "pending_payment", "closed"} <= statuses
    expansion = LINE_FIELDS.index("expansion")
    assert any(line[expansion] for lines in a["lines"].values() for line in lines)
    record = OrderImport.objects.get(pk=with_child.import_id)
    assert record.orders.count() == 40


@pytest.mark.parametrize("fail_at", [0, 2])
def test_a_child_that_stops_leaves_the_rest_to_the_parent(
    kefu, stores, builder, monkeypatch, fail_at
):
    store = stores["tb-main"]
    parent = os.getpid()
    real_build = import_writer.Writer.build_new
    calls = []

    def build_new(self, orders, first_id):
        calls.append(first_id)
        if os.getpid() != parent and len(calls) > fail_at:
            raise RuntimeError("the child breaks")
        return real_build(self, orders, first_id)

    monkeypatch.setattr(import_writer.Writer, "build_new", build_new)
    result = order_import_files(actor=kefu, store=store, files=_files("73", 40))
    assert len(builder) == 1
    assert not builder[0].complete
    assert (result.created, result.rejected) == (40, 0)
    ids = sorted(
        Order.objects.filter(store=store, platform_order_no__in=_numbers("73", 40)).values_list(
            "id", flat=True
        )
    )
    assert ids == list(range(ids[0], ids[0] + 40))  # no gap, none twice
    assert OrderLine.objects.filter(order_id__in=ids).count() == sum(1 + n % 3 for n in range(40))


def test_a_re_import_of_new_unchanged_and_changed_orders_counts_each(kefu, stores, builder):
    store = stores["tb-main"]
    order_import_files(actor=kefu, store=store, files=_files("74", 20))
    # the same 20 (10 with a new amount) and 15 new ones, in one pair of files
    first = _files("74", 20)
    changed = _files("74", 10, amount="12.00")
    more = _files("75", 15)

    def joined(index: int, header: str) -> object:
        rows = []
        for files in (changed, first, more):
            text = files[index].source.decode("utf-8-sig").splitlines()[1:]
            rows += text
        seen, unique = set(), []
        for row in rows:  # one row per order number in the order report: the first stands
            key = row.split(",")[0] if index == 0 else row
            if key not in seen:
                seen.add(key)
                unique.append(row)
        return _csv(
            ("a", "b")[index] + "_Export" + ("OrderList", "OrderDetailList")[index] + ".csv",
            header,
            unique,
        )

    again = order_import_files(
        actor=kefu, store=store, files=[joined(0, ORDER_HEADER), joined(1, ITEM_HEADER)]
    )
    assert (again.created, again.updated, again.unchanged, again.rejected) == (15, 10, 10, 0)
    amounts = dict(
        Order.objects.filter(store=store, platform_order_no__in=_numbers("74", 20)).values_list(
            "platform_order_no", "paid_amount"
        )
    )
    assert {no: str(a) for no, a in amounts.items()} == {
        no: ("12.00" if no < "740010" else "10.00") for no in _numbers("74", 20)
    }
