"""Order import speed paths: the CSV fast path reads every row exactly as the careful path does
(falling back on any quirk), times are stored in UTC, the lean indexes still serve the list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

from storeops.core.imports import ImportFileInvalid
from storeops.orders.importing.pipeline import RowParser, plan_file
from storeops.orders.importing.reading import ImportFile, is_blank
from storeops.orders.models import Order
from storeops.orders.services.imports import order_import_files

FIXTURES = Path(__file__).parent / "fixtures" / "orders"

ORDER_HEADER = (
    "订单编号,买家会员名,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,买家留言,"
    "收货人姓名,收货地址,联系电话,联系手机,订单创建时间,订单付款时间,订单备注,退款金额"
)
ITEM_HEADER = "订单编号,标题,价格,购买数量,商品属性,订单状态,商家编码"
# Clean rows and every quirk the careful path knows, in cells the fast path checks.
ORDER_ROWS = [
    '="301",buyer1,59.90,0.00,59.90,59.90,买家已付款，等待卖家发货,,王某,'
    "浙江省 杭州市 西湖区 文三路 1 号,,'13800001111,2026-10-01 10:10:07,2026-10-01 10:11:00,,0.00",
    '="302", buyer2 ,1.00,0,1,1,交易成功,留言,李某,北京 北京市 朝阳区 路 2 号,,13900002222,'
    "2026-10-02 10:00:00,,备注,",
    '="303",buyer3,"1,234.50元",0.00,1234.5,1234.50,卖家已发货，等待买家确认,,张某,'
    "上海 上海市 浦东新区 路 3 号,,\t13700003333,2026/10/03 09:08:07,,,0",
    '="304",\u3000buyer4,5,0,5,5,交易关闭,,赵某,广东省 深圳市 南山区 路 4 号,,,'
    '2026-10-04 10:00:00,,"=""x""",0',
    '="305",buyer5,5,0,5,5,等待买家付款,a\u200bb,钱某,江苏省南京市玄武区路5号,021-1234,,'
    "2026-10-05T10:00:00,,,",
    '="306",buyer6,-5,0,5,5,买家已付款，等待卖家发货,,孙某,四川省 成都市 武侯区 路 6 号,,,'
    "2026-10-06 10:00:00,,,",  # a negative amount: an error on both paths
    '="307",buyer7,5,0,5,5,不认识的状态,,周某,四川省 成都市 武侯区 路 7 号,,,2026-10-07 10:00:00,,,',
    "3.14159E+18,buyer8,5,0,5,5,交易成功,,吴某,四川省 成都市 武侯区 路 8 号,,,2026-10-08 10:00:00,,,",
    '="309",buyer9,5,0,5,5,交易成功,,郑某,四川省 成都市 武侯区 路 9 号,,,1999-01-01 00:00:00,,,',
    '="310",buyer10,5,0,5,5,交易成功,,王某,四川省 成都市 武侯区 路 10 号,,,,,,',
    '="311",buyer11,5,0,5,5,交易成功,,王某,四川省 成都市 武侯区 路 11 号,,,2026-10-11 10:10+08,,,',
]
ITEM_ROWS = [
    '="301",商品 A,59.90,1,颜色分类:黑,买家已付款，等待卖家发货,GLT-CUP-500-BK',
    '="302", 商品 B ,1.00,1,,交易成功,GLT-CUP-500-PK ',
    '="303",商品 C,"1,234.50",1,,退款成功,="GLT-CUP-500-BK"',
    '="304",商品 D,5,0,,交易关闭,X',  # quantity 0: an error on both paths
    '="305",商品 E,5,\'2,,,X',
    '="306",商品 F,5.001,1,,,X',
    '="307",商品 G,5,1.5,,,X',
]


def _records(name: str, text: str) -> tuple[RowParser, list[list[str]]]:
    plan = plan_file(
        ImportFile.from_bytes(name, text.encode("utf-8-sig")), 1, platform="auto", aliases={}
    )
    return RowParser(plan), [r for _line, r in plan.rows if not is_blank(r)]


def _both(parser: RowParser, record: list[str]) -> tuple[tuple, tuple]:
    careful: list = []
    fast: list = []
    return (
        (parser.parse(list(record), careful), careful),
        (parser.parse_csv(list(record), fast), fast),
    )


@pytest.mark.parametrize(
    ("name", "header", "rows"),
    [
        ("t_ExportOrderList.csv", ORDER_HEADER, ORDER_ROWS),
        ("t_ExportOrderDetailList.csv", ITEM_HEADER, ITEM_ROWS),
    ],
)
def test_fast_path_gives_what_the_careful_path_gives_quirks_and_errors_included(name, header, rows):
    parser, records = _records(name, "\n".join([header, *rows]) + "\n")
    assert len(records) == len(rows)
    for record in records:
        careful, fast = _both(parser, record)
        assert fast == careful, record
    # the quirky rows really were quirky: some rows have errors, some cleaned values differ
    assert any(errors for (_result, errors) in (_both(parser, r)[0] for r in records))


def test_every_csv_fixture_row_reads_the_same_on_both_paths():
    compared = 0
    for path in sorted(FIXTURES.glob("*.csv")):
        try:
            parser, records = _records(path.name, path.read_bytes().decode("utf-8", "replace"))
        except ImportFileInvalid:
            continue
        for record in records:
            careful, fast = _both(parser, record)
            assert fast == careful, (path.name, record)
            compared += 1
    assert compared > 30


def test_a_clean_row_skips_the_careful_path(monkeypatch):
    parser, records = _records("t_ExportOrderList.csv", f"{ORDER_HEADER}\n{ORDER_ROWS[0]}\n")

    def careful(*_args):
        raise AssertionError("a clean row went through the careful path")

    parser.parse_csv(list(records[0]), [])  # a status seen the first time is read carefully
    monkeypatch.setattr(parser, "parse", careful)
    order_no, order, line = parser.parse_csv(records[0], [])
    assert order_no == "301"
    assert order is not None
    assert order[3:5] == ("13800001111", "1111")  # the apostrophe of Taobao's mobiles gone
    assert line is None


def test_platform_times_are_stored_in_utc(kefu, stores):
    store = stores["tb-main"]
    names = ("taobao_v1_ExportOrderList.csv", "taobao_v1_ExportOrderDetailList.csv")
    order_import_files(
        actor=kefu, store=store, files=[ImportFile.from_path(FIXTURES / n) for n in names]
    )
    order = Order.objects.get(store=store, platform_order_no="3100000000000000011")
    # 订单创建时间 2026-11-20 10:11:12 and 付款 10:12:00, Beijing time
    assert order.created_at == dt.datetime(2026, 11, 20, 2, 11, 12, tzinfo=dt.UTC)
    assert order.paid_at == dt.datetime(2026, 11, 20, 2, 12, tzinfo=dt.UTC)
    assert order.shipped_at is None


@pytest.mark.django_db
def test_the_list_filters_keep_their_indexes():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Order._meta.db_table)
    columns = {tuple(c["columns"]) for c in indexes.values() if c["index"] or c["unique"]}
    for wanted in (
        ("store_id", "status", "created_at"),  # an index led by these columns serves the filter
        ("store_id", "created_at"),
        ("receiver_phone_last4",),
        ("buyer_nick",),
        ("store_id", "buyer_id"),
        ("platform_order_no",),
        ("store_id", "flag"),
        ("store_id", "platform_order_no"),
    ):
        assert any(c[: len(wanted)] == wanted for c in columns), wanted
    assert ("store_id",) not in columns  # led by the unique key and the list indexes
