"""Order import stage 1 on two cores (orders.importing.parallel): the later files of an import
read in a forked child give exactly what one process reading every file gives — orders, lines,
digests, duplicates, orphans, row errors and counts — and a child that cannot finish costs
nothing but time: the parent reads those files itself."""

from __future__ import annotations

import os

import pytest

from storeops.orders.importing import parallel, pipeline
from storeops.orders.models import Order, OrderImport
from storeops.orders.services.imports import order_import_files

from .test_orders_import_staging import (
    CASES,
    ITEM_HEADER,
    ORDER_HEADER,
    _csv,
    _item,
    _order,
    _staged_view,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

MULTI_FILE = [name for name in CASES if len(CASES[name]()) > 1]


@pytest.fixture
def forks(monkeypatch):
    """Every multi-file import forks (no size floor); the children started are listed, and
    whether each handed back what it read (`handed`: True) or gave up (False)."""
    started = []
    real_start, real_result = parallel.start, parallel.Stream.result

    def counting_start(work):
        child = real_start(work)
        started.append(child)
        return child

    def noting_result(child):
        handback = real_result(child)
        child.handed = handback is not None
        return handback

    monkeypatch.setattr(parallel, "MIN_ROWS", 0)
    monkeypatch.setattr(parallel, "start", counting_start)
    monkeypatch.setattr(parallel.Stream, "result", noting_result)
    return started


@pytest.mark.parametrize("case", MULTI_FILE)
def test_a_child_reading_the_later_files_gives_what_one_process_gives(case, forks, settings):
    settings.ORDER_IMPORT_PARALLEL = False
    alone = _staged_view(CASES[case](), memory_rows=1_000_000)
    assert not forks
    settings.ORDER_IMPORT_PARALLEL = True
    together = _staged_view(CASES[case](), memory_rows=1_000_000)
    assert len(forks) == 1
    assert forks[0].handed
    assert together == alone
    assert together["orders"]


def test_duplicates_across_the_split_are_named_as_one_process_names_them(forks):
    # 7001 in both order reports (the child's file repeats it twice), 7002 twice in the child's
    files = [
        _csv("a_ExportOrderList.csv", ORDER_HEADER, [_order("7001"), _order("7003")]),
        _csv(
            "b_ExportOrderDetailList.csv", ITEM_HEADER, [_item(n) for n in ["7001", "7002", "7003"]]
        ),
        _csv(
            "c_ExportOrderList.csv",
            ORDER_HEADER,
            [_order("7002"), _order("7001", "12.00"), _order("7002"), _order("7001")],
        ),
    ]
    view = _staged_view(files, memory_rows=1_000_000)
    assert len(forks) == 1
    assert forks[0].handed
    messages = sorted((e["file"], e["line"], e["message"]) for e in view["errors"][0])
    assert messages == [
        ("c_ExportOrderList.csv", 3, "订单编号 7001 已在文件“a_ExportOrderList.csv”第 2 行出现"),
        ("c_ExportOrderList.csv", 4, "订单编号 7002 与第 2 行重复"),
    ]
    assert [o[0] for o in view["orders"]] == ["7003"]


def test_a_child_that_fails_leaves_the_files_to_the_parent(forks, monkeypatch, settings):
    settings.ORDER_IMPORT_PARALLEL = False
    alone = _staged_view(CASES["troubled pair"](), memory_rows=1_000_000)

    def crash(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return real(*args, **kwargs)

    settings.ORDER_IMPORT_PARALLEL = True
    parent = os.getpid()
    real = pipeline._stage_file
    monkeypatch.setattr(pipeline, "_stage_file", crash)
    forks.clear()
    assert _staged_view(CASES["troubled pair"](), memory_rows=1_000_000) == alone
    assert len(forks) == 1
    assert not forks[0].handed


def test_a_child_over_the_memory_bound_gives_up_and_the_parent_reads_and_spills(
    forks, monkeypatch, settings
):
    monkeypatch.setattr(pipeline, "_CHECK_EVERY", 1)
    monkeypatch.setattr(pipeline, "count_lines", lambda files: 1)  # an estimate far too low
    settings.ORDER_IMPORT_PARALLEL = False
    alone = _staged_view(CASES["troubled pair"](), memory_rows=3)
    settings.ORDER_IMPORT_PARALLEL = True
    together = _staged_view(CASES["troubled pair"](), memory_rows=3)
    # the child started, stopped past 3 rows, and the parent read its files
    assert len(forks) == 1
    assert not forks[0].handed
    assert together["spilled"]
    assert alone["spilled"]
    assert together == alone


def test_an_import_read_on_two_cores_writes_the_same_orders(kefu, stores, forks):
    store = stores["tb-main"]
    result = order_import_files(
        actor=kefu, store=store, files=CASES["taobao pair"](), skip_invalid=True
    )
    assert len(forks) == 1
    assert forks[0].handed, "the item report was read by a child"
    assert result.created > 0
    assert result.rejected == 0
    record = OrderImport.objects.get(pk=result.import_id)
    numbers = set(record.orders.values_list("platform_order_no", flat=True))
    assert numbers == set(
        Order.objects.filter(store=store, platform_order_no__in=numbers).values_list(
            "platform_order_no", flat=True
        )
    )
    again = order_import_files(actor=kefu, store=store, files=CASES["taobao pair"]())
    assert (again.created, again.updated, again.unchanged) == (0, 0, result.created)


def test_the_split_balances_the_files_by_size():
    assert parallel.split_point([10, 10]) == 1
    assert parallel.split_point([5, 5, 10]) == 2
    assert parallel.split_point([30, 5, 5, 5]) == 1
    assert parallel.split_point([0, 0]) == 1
