"""Re-import: a newer export that lists an order's lines in another order updates each stored
line from the same platform line (子订单编号) or the same item — never one line's values onto
another line, which keeps its SKU (perhaps mapped by hand) and would ship the wrong goods."""

from __future__ import annotations

from storeops.orders.models import Order
from storeops.orders.services.imports import order_import_files

from .test_orders_import_staging import ITEM_HEADER, ORDER_HEADER, _csv, _order

PAID, SHIPPED = "买家已付款，等待卖家发货", "卖家已发货，等待买家确认"
BLACK, PINK = "GLT-CUP-500-BK", "GLT-CUP-500-PK"


def _pair(no: str, status: str, lines: list[tuple[str, str, str]], *, line_ids: bool) -> list:
    """A Taobao pair: one order `no`, its lines as (子订单编号, merchant code, quantity)."""
    order = _order(no).replace(PAID, status)
    header = ITEM_HEADER + (",子订单编号" if line_ids else "")
    items = [
        f'="{no}",商品 {code},10.00,{quantity},颜色分类:默认,{status},{code}'
        + (f',="{line_id}"' if line_ids else "")
        for line_id, code, quantity in lines
    ]
    return [
        _csv(f"{no}_ExportOrderList.csv", ORDER_HEADER, [order]),
        _csv(f"{no}_ExportOrderDetailList.csv", header, items),
    ]


def _stored(no: str, store) -> list[tuple]:
    order = Order.objects.get(store=store, platform_order_no=no)
    return list(
        order.lines.order_by("line_no").values_list(
            "line_no", "merchant_code", "sku__merchant_code", "quantity", "platform_line_id"
        )
    )


def test_lines_listed_the_other_way_round_update_their_own_rows(kefu, stores):
    store = stores["tb-main"]
    first = order_import_files(
        actor=kefu,
        store=store,
        files=_pair("8101", PAID, [("", BLACK, "1"), ("", PINK, "2")], line_ids=False),
    )
    assert first.created == 1
    again = order_import_files(
        actor=kefu,
        store=store,
        files=_pair("8101", SHIPPED, [("", PINK, "2"), ("", BLACK, "1")], line_ids=False),
    )
    assert again.updated == 1
    # each stored line still holds its own goods: code, SKU and quantity agree
    assert _stored("8101", store) == [(1, BLACK, BLACK, 1, ""), (2, PINK, PINK, 2, "")]


def test_the_platform_line_id_pairs_lines_even_when_the_same_item_appears_twice(kefu, stores):
    store = stores["tb-main"]
    order_import_files(
        actor=kefu,
        store=store,
        files=_pair(
            "8102", PAID, [("L1", BLACK, "1"), ("L2", BLACK, "3"), ("L3", PINK, "1")], line_ids=True
        ),
    )
    again = order_import_files(
        actor=kefu,
        store=store,
        files=_pair(
            "8102",
            SHIPPED,
            [("L3", PINK, "1"), ("L2", BLACK, "3"), ("L1", BLACK, "1")],
            line_ids=True,
        ),
    )
    assert again.updated == 1
    assert _stored("8102", store) == [
        (1, BLACK, BLACK, 1, "L1"),
        (2, BLACK, BLACK, 3, "L2"),
        (3, PINK, PINK, 1, "L3"),
    ]


def test_a_line_that_changed_its_code_still_pairs_by_position(kefu, stores):
    store = stores["tb-main"]
    order_import_files(
        actor=kefu,
        store=store,
        files=_pair("8103", PAID, [("", BLACK, "1"), ("", PINK, "1")], line_ids=False),
    )
    # the seller renamed the second item's code on the platform: no identity matches it, so it
    # updates the line left over at its place instead of adding a third line
    again = order_import_files(
        actor=kefu,
        store=store,
        files=_pair("8103", SHIPPED, [("", BLACK, "1"), ("", "GLT-CUP-NEW", "1")], line_ids=False),
    )
    assert again.updated == 1
    lines = _stored("8103", store)
    assert [line[:2] for line in lines] == [(1, BLACK), (2, "GLT-CUP-NEW")]
