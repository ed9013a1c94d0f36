"""Every line carries its order's time (the merchant-code search walks lines newest first):
written by the import (new and updated orders), manual orders, merge and split."""

import datetime as dt

from storeops.core import clock
from storeops.orders.models import Order, OrderLine
from storeops.orders.services.review import order_merge, order_split
from storeops.orders.services.transactions import order_create_manual
from tests.orders_handling_helpers import demo_sku, make_order
from tests.test_orders_import import files, run, taobao


def _assert_lines_carry_order_time(orders):
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        times = set(order.lines.values_list("order_created_at", flat=True))
        assert times == {order.created_at}, (order.platform_order_no, times)


def test_imported_lines_carry_their_orders_time_also_after_a_newer_export(kefu, stores):
    store = stores["tb-main"]
    run(kefu, store, taobao("taobao_v1"))
    _assert_lines_carry_order_time(list(Order.objects.filter(store=store)))
    run(kefu, store, taobao("taobao_v2"))
    _assert_lines_carry_order_time(list(Order.objects.filter(store=store)))


def test_generic_template_lines_carry_the_time(kefu, stores):
    store = stores["mall"]
    run(kefu, store, files("generic_orders.csv"))
    _assert_lines_carry_order_time(list(Order.objects.filter(store=store)))


def test_manual_order_lines_carry_the_time(kefu, stores):
    sku = demo_sku()
    order = order_create_manual(
        actor=kefu,
        store=stores["tb-main"],
        lines=[{"merchant_code": sku.merchant_code, "quantity": 2}],
        receiver_name="李四",
        receiver_phone="13800000000",
        is_paid=True,
    )
    _assert_lines_carry_order_time([order])


def test_a_merged_line_takes_the_target_orders_time_and_a_split_one_its_new_orders(stores, kefu):
    store = stores["tb-main"]
    older = make_order(store, buyer="lt-buyer", created_at=clock.now() - dt.timedelta(days=3))
    newer = make_order(store, buyer="lt-buyer")
    target = order_merge(actor=kefu, order_ids=[newer.pk, older.pk])
    assert target.pk == older.pk
    _assert_lines_carry_order_time([target])

    sku = demo_sku()
    order = make_order(store, lines=[(sku, 1, "60.00"), (sku, 2, "20.00")], goods="100.00")
    new = order_split(actor=kefu, order_id=order.pk, line_ids=[order.lines.get(line_no=2).pk])
    _assert_lines_carry_order_time([order, new])
    assert OrderLine.objects.filter(order=new).count() == 1
