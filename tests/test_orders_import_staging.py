"""Order import staging: an import that fits stays in memory, a larger one spills into the SQLite
file at the row that crosses the limit; both give the same orders, lines, digests and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from storeops.orders.importing import staging as staging_module
from storeops.orders.importing.pipeline import Errors, Staging, count_rejected, grouped, stage
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import Order, OrderLine
from storeops.orders.services.imports import order_import_files

FIXTURES = Path(__file__).parent / "fixtures" / "orders"

ORDER_HEADER = "订单编号,买家会员名,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间"
ITEM_HEADER = "订单编号,标题,价格,购买数量,商品属性,订单状态,商家编码"


def _order(no: str, amount: str = "10.00", created: str = "2026-10-01 10:00:00") -> str:
    return (
        f'="{no}",buyer{no},{amount},0.00,{amount},{amount},买家已付款，等待卖家发货,王某,'
        f"浙江省 杭州市 西湖区 路 {no} 号,'13800001111,{created}"
    )


def _item(no: str, code: str = "GLT-CUP-500-BK", quantity: str = "1") -> str:
    return f'="{no}",商品,10.00,{quantity},颜色分类:黑,买家已付款，等待卖家发货,{code}'


def _csv(name: str, header: str, rows: list[str]) -> ImportFile:
    return ImportFile.from_bytes(name, ("\n".join([header, *rows]) + "\n").encode("utf-8-sig"))


# A Taobao pair with every kind of trouble the staging decides: a duplicate order number (in the
# same file and in a second order report), an item whose order is missing, an order without
# items, a bad cell (its order rejected with all its lines), and good orders out of number order.
def _troubled_pair() -> list[ImportFile]:
    orders = [
        _order("9005"),
        _order("9001"),
        _order("9003"),
        _order("9001", "11.00"),  # duplicate in the same file
        _order("9004"),  # no items
        _order("9006", "abc"),  # a bad amount
        _order("9002"),
    ]
    more_orders = [_order("9007"), _order("9003", "12.00")]  # 9003 again, another file
    items = [
        _item("9002"),
        _item("9005", "GLT-CUP-500-PK"),
        _item("9008"),  # its order is in no order report
        _item("9005", quantity="2"),
        _item("9006"),
        _item("9001"),
        _item("9003"),
        _item("9007", "UNKNOWN-9"),
        _item("9002", "GLT-CUP-500-PK"),
    ]
    return [
        _csv("a_ExportOrderList.csv", ORDER_HEADER, orders),
        _csv("b_ExportOrderDetailList.csv", ITEM_HEADER, items),
        _csv("c_ExportOrderList.csv", ORDER_HEADER, more_orders),
    ]


def _fixture(*names: str) -> list[ImportFile]:
    return [ImportFile.from_path(FIXTURES / n) for n in names]


def _staged_view(files: list[ImportFile], memory_rows: int) -> dict:
    errors = Errors(with_file=len(files) > 1)
    with Staging(memory_rows=memory_rows) as staging:
        staged = stage(staging, files, platform="auto", aliases={}, errors=errors)
        spilled = not staging.in_memory
        orders = [
            (o.order_no, o.line, o.digest, o.values, o.lines)
            for batch in grouped(staging, chunk=2)
            for o in batch
        ]
        rejected = count_rejected(staging, staged)
    return {
        "spilled": spilled,
        "orders": orders,
        "staged": (staged.orders, staged.rows, staged.bad_unkeyed, rejected),
        "errors": (errors.items, errors.count),
    }


CASES = {
    "troubled pair": _troubled_pair,
    "taobao pair": lambda: _fixture(
        "taobao_v1_ExportOrderList.csv", "taobao_v1_ExportOrderDetailList.csv"
    ),
    "taobao invalid": lambda: _fixture(
        "taobao_invalid_ExportOrderList.csv", "taobao_invalid_ExportOrderDetailList.csv"
    ),
    "taobao damaged": lambda: _fixture(
        "taobao_damaged_ExportOrderList.csv", "taobao_damaged_ExportOrderDetailList.csv"
    ),
    "single file, rows per line": lambda: _fixture("jd_orders_gbk.csv"),
    "generic template": lambda: _fixture("generic_orders.csv"),
    "excel single file": lambda: _fixture("taobao_single.xlsx"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_spilled_staging_gives_what_memory_gives(case):
    in_memory = _staged_view(CASES[case](), memory_rows=1_000_000)
    assert not in_memory["spilled"]
    assert in_memory["orders"], "the case stages some orders"
    for limit in (0, 1, 3):  # from the first row, after one row, half-way
        spilled = _staged_view(CASES[case](), memory_rows=limit)
        assert spilled.pop("spilled") or limit > 0  # (a bad row is not staged)
        assert spilled == {k: v for k, v in in_memory.items() if k != "spilled"}, (case, limit)


def test_troubled_pair_names_every_trouble_and_keeps_the_good_orders():
    view = _staged_view(_troubled_pair(), memory_rows=1_000_000)
    assert [o[0] for o in view["orders"]] == ["9002", "9005", "9007"]
    assert [len(o[4]) for o in view["orders"]] == [2, 2, 1]
    messages = [(e["file"], e["line"], e["message"]) for e in view["errors"][0]]
    assert ("a_ExportOrderList.csv", 7, "不是有效的金额：abc") in messages
    assert ("b_ExportOrderDetailList.csv", 4, "订单 9008 不在订单报表中") in messages
    assert ("a_ExportOrderList.csv", 6, "订单 9004 在宝贝报表中没有商品") in messages
    assert ("a_ExportOrderList.csv", 5, "订单编号 9001 与第 3 行重复") in messages
    assert (
        "c_ExportOrderList.csv",
        3,
        "订单编号 9003 已在文件“a_ExportOrderList.csv”第 4 行出现",
    ) in messages
    # rejected: 9001, 9003 (duplicates), 9004 (no items), 9006 (bad cell), 9008 (no order)
    assert view["staged"][3] == 5


def test_an_import_staged_in_the_file_is_unchanged_when_staged_in_memory(kefu, stores, monkeypatch):
    store = stores["tb-main"]
    monkeypatch.setattr(staging_module, "MEMORY_ROWS", 0)  # every row into the SQLite file
    first = order_import_files(actor=kefu, store=store, files=_troubled_pair(), skip_invalid=True)
    assert (first.created, first.rejected) == (3, 5)
    lines = list(
        OrderLine.objects.filter(order__store=store, order__platform_order_no__startswith="900")
        .order_by("order__platform_order_no", "line_no")
        .values_list("order__platform_order_no", "merchant_code", "quantity")
    )
    assert lines == [
        ("9002", "GLT-CUP-500-BK", 1),
        ("9002", "GLT-CUP-500-PK", 1),
        ("9005", "GLT-CUP-500-PK", 1),
        ("9005", "GLT-CUP-500-BK", 2),
        ("9007", "UNKNOWN-9", 1),
    ]
    digests = dict(
        Order.objects.filter(store=store, platform_order_no__startswith="900").values_list(
            "platform_order_no", "import_digest"
        )
    )

    monkeypatch.setattr(staging_module, "MEMORY_ROWS", 1_000_000)
    again = order_import_files(actor=kefu, store=store, files=_troubled_pair(), skip_invalid=True)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 5)
    assert again.errors == first.errors
    assert (
        dict(
            Order.objects.filter(store=store, platform_order_no__startswith="900").values_list(
                "platform_order_no", "import_digest"
            )
        )
        == digests
    )


def test_the_garbage_collector_is_back_after_an_import_even_a_refused_one(kefu, stores):
    import gc

    store = stores["tb-main"]
    assert gc.isenabled()
    order_import_files(actor=kefu, store=store, files=_troubled_pair())  # rejected: row errors
    assert gc.isenabled()
    with pytest.raises(Exception):  # noqa: B017, PT011 — a file that cannot be read at all
        order_import_files(
            actor=kefu, store=store, files=[ImportFile.from_bytes("x.csv", b"a,b\n1,2\n")]
        )
    assert gc.isenabled()
    gc.disable()
    try:
        order_import_files(actor=kefu, store=store, files=_troubled_pair())
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
