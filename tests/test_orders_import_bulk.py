"""Order import writes: many rows per INSERT, and on SQLite an import larger than the orders table
drops the list's indexes and builds them again in the same transaction (a failed import keeps
them, and the rows, as they were)."""

from __future__ import annotations

import pytest
from django.db import connection

from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import Order, OrderImportOrder, OrderLine
from storeops.orders.services import import_writer, imports

ORDER_HEADER = "订单编号,买家会员名,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间"
ITEM_HEADER = "订单编号,标题,价格,购买数量,商品属性,订单状态,商家编码"
CODES = ("GLT-CUP-500-BK", "GLT-CUP-500-PK", "UNKNOWN-7")
COUNT = 250  # two whole INSERTs of 100 rows and a shorter one, for orders and for lines


def _number(n: int) -> str:
    return f"77{n:06d}"


def _pair(count: int = COUNT) -> list[ImportFile]:
    orders, items = [ORDER_HEADER], [ITEM_HEADER]
    for n in range(count):
        lines = 1 + n % 3
        goods = sum(10 * (1 + (n + k) % 2) for k in range(lines))
        orders.append(
            f'="{_number(n)}",buyer{n},{goods}.00,0.00,{goods}.00,{goods}.00,'
            f"买家已付款，等待卖家发货,王某,浙江省 杭州市 西湖区 路 {n} 号,'138{n:08d},"
            f"2026-10-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00"
        )
        for k in range(lines):
            items.append(
                f'="{_number(n)}",商品,10.00,{1 + (n + k) % 2},颜色分类:黑,买家已付款，等待卖家发货,'
                f"{CODES[(n + k) % 3] if n % 50 else CODES[2]}"
            )
    return [
        ImportFile.from_bytes("x_ExportOrderList.csv", ("\n".join(orders) + "\n").encode()),
        ImportFile.from_bytes("x_ExportOrderDetailList.csv", ("\n".join(items) + "\n").encode()),
    ]


def _expected_lines(count: int = COUNT) -> list[tuple[str, int, str, int]]:
    return [
        (_number(n), k + 1, CODES[(n + k) % 3] if n % 50 else CODES[2], 1 + (n + k) % 2)
        for n in range(count)
        for k in range(1 + n % 3)
    ]


def _imported_lines() -> list[tuple[str, int, str, int]]:
    return list(
        OrderLine.objects.filter(order__platform_order_no__startswith="77")
        .order_by("order__platform_order_no", "line_no")
        .values_list("order__platform_order_no", "line_no", "merchant_code", "quantity")
    )


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('orders_order', 'orders_orderline', 'orders_orderimportorder')"
        )
        return dict(cursor.fetchall())


def _more_than_the_table() -> int:
    """An import larger than the orders table (the demo company has some orders)."""
    return max(COUNT, Order.objects.count() + 50)


class _Statements:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


def test_many_rows_per_insert_keep_every_line_with_its_order(kefu, stores):
    store = stores["tb-main"]

    result = imports.order_import_files(actor=kefu, store=store, files=_pair())

    assert (result.created, result.rejected, result.lines) == (COUNT, 0, len(_expected_lines()))
    assert _imported_lines() == _expected_lines()
    orders = Order.objects.filter(store=store, platform_order_no__startswith="77")
    assert OrderImportOrder.objects.filter(order_import_id=result.import_id).count() == COUNT
    # the goods amount and the order time of every order came with it
    assert orders.get(platform_order_no=_number(4)).goods_amount == 30  # 2 lines: 10×1 + 10×2
    order = orders.get(platform_order_no=_number(201))
    assert {line.order_created_at for line in order.lines.all()} == {order.created_at}
    assert result.exceptions == orders.filter(status="exception").count() > 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bulk load")
def test_a_bulk_import_builds_the_same_indexes_again(kefu, stores, monkeypatch):
    monkeypatch.setattr(imports, "BULK_MIN_ORDERS", 10)
    count = _more_than_the_table()
    before = _indexes()
    statements = _Statements()

    with connection.execute_wrapper(statements):
        result = imports.order_import_files(actor=kefu, store=stores["tb-main"], files=_pair(count))

    assert result.created == count
    assert any(sql.startswith("DROP INDEX") for sql in statements.sql)  # the bulk path ran
    assert _indexes() == before
    assert _imported_lines() == _expected_lines(count)
    plan = " ".join(
        str(row)
        for row in connection.cursor()
        .execute(
            "EXPLAIN QUERY PLAN SELECT id FROM orders_order WHERE store_id = %s "
            "ORDER BY created_at DESC LIMIT 5",
            [stores["tb-main"].pk],
        )
        .fetchall()
    )
    assert "order_store_created" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bulk load")
def test_a_failed_bulk_import_leaves_rows_and_indexes_as_they_were(kefu, stores, monkeypatch):
    monkeypatch.setattr(imports, "BULK_MIN_ORDERS", 10)
    monkeypatch.setattr(imports, "CHUNK", 100)
    before = _indexes()
    orders_before = Order.objects.count()
    real_write = import_writer.Writer.write
    calls = []

    def write_then_fail(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("the machine went away")
        return real_write(self, batch)

    monkeypatch.setattr(import_writer.Writer, "write", write_then_fail)

    with pytest.raises(RuntimeError):
        imports.order_import_files(
            actor=kefu, store=stores["tb-main"], files=_pair(_more_than_the_table())
        )

    assert calls == [100, 100]
    assert Order.objects.count() == orders_before
    assert _indexes() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bulk load")
def test_an_import_smaller_than_the_table_keeps_the_indexes_in_place(kefu, stores, monkeypatch):
    store = stores["tb-main"]
    imports.order_import_files(actor=kefu, store=store, files=_pair())  # 250 orders now
    monkeypatch.setattr(imports, "BULK_MIN_ORDERS", 10)
    statements = _Statements()

    with connection.execute_wrapper(statements):
        result = imports.order_import_files(actor=kefu, store=store, files=_pair(count=20))

    assert result.unchanged == 20
    assert not any(sql.startswith("DROP INDEX") for sql in statements.sql)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bulk load")
def test_a_bulk_import_keeps_the_query_planners_figures(kefu, stores, monkeypatch):
    monkeypatch.setattr(imports, "BULK_MIN_ORDERS", 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'orders_order'")
        before = dict(cursor.fetchall())
    assert "order_store_created" in before

    imports.order_import_files(
        actor=kefu, store=stores["tb-main"], files=_pair(_more_than_the_table())
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'orders_order'")
        assert dict(cursor.fetchall()) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's bound-parameter limit")
def test_an_older_sqlite_with_999_parameters_per_statement_still_imports(kefu, stores):
    import sqlite3

    connection.ensure_connection()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # SQLite before 3.32
    try:
        result = imports.order_import_files(actor=kefu, store=stores["tb-main"], files=_pair())
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert result.created == COUNT
    assert _imported_lines() == _expected_lines()
