"""Orders reserve stock at review (issue 6's seam in issue 5): a reviewed order holds its goods
under `order:<id>`; an order that cannot be reserved goes to 异常 (库存不足) — by hand or by the
import's auto-review — and 反审核 / closing gives the goods back."""

from __future__ import annotations

import pytest

from storeops.fulfillment.services import allocation_create
from storeops.inventory import services as inventory
from storeops.inventory.models import Reservation
from storeops.orders.enums import ExceptionReason, OrderStatus
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import Order
from storeops.orders.services.imports import order_import_files
from storeops.orders.services.review import (
    order_auto_review,
    order_review,
    order_unreview,
    review_rules_update,
)
from tests.inventory_helpers import make_sku, make_warehouse
from tests.orders_handling_helpers import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(demo):
    """A SKU held only in one test warehouse, 3 on hand."""
    sku = make_sku()
    house = make_warehouse()
    inventory.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=3)
    return sku, house


def _active(order):
    return Reservation.objects.filter(reference=f"order:{order.pk}", status="active")


def test_review_reserves_and_unreview_releases(demo, stores, stocked):
    sku, house = stocked
    order = make_order(stores["tb-main"], lines=[(sku, 2, "29.00")])

    reviewed = order_review(actor=demo["yunying"], order_id=order.pk)

    assert reviewed.status == OrderStatus.REVIEWED
    assert [(r.sku_id, r.warehouse_id, r.quantity) for r in _active(order)] == [
        (sku.pk, house.pk, 2)
    ]
    order_unreview(actor=demo["yunying"], order_id=order.pk, reason="买家改地址")
    assert not _active(order).exists()
    assert sku.stock_levels.get(warehouse=house).reserved == 0


def test_not_enough_stock_sends_the_order_to_exception_with_what_is_short(demo, stores, stocked):
    sku, _house = stocked
    first = make_order(stores["tb-main"], lines=[(sku, 2, "29.00")])
    second = make_order(stores["tb-main"], lines=[(sku, 2, "29.00")])
    order_review(actor=demo["yunying"], order_id=first.pk)

    result = order_review(actor=demo["yunying"], order_id=second.pk)

    second = Order.objects.get(pk=second.pk)
    assert result.status == second.status == OrderStatus.EXCEPTION
    assert second.exception_reason == ExceptionReason.STOCK_SHORTAGE
    assert sku.merchant_code in second.exception_detail
    assert not _active(second).exists()  # all or nothing
    assert sku.stock_levels.get().reserved == 2  # the first order's only


def test_auto_review_after_import_holds_a_short_order_in_exception(demo, stores, stocked):
    sku, _house = stocked
    review_rules_update(
        actor=demo["yunying"],
        store=stores["tb-main"],
        is_enabled=True,
        require_address_complete=True,
        require_no_buyer_message=True,
        require_known_skus=True,
        check_blacklist=True,
        amount_limit=None,
    )
    fits = make_order(stores["tb-main"], lines=[(sku, 3, "29.00")])
    short = make_order(stores["tb-main"], lines=[(sku, 1, "29.00")])

    result = order_auto_review(actor=None, store=stores["tb-main"], order_ids=[fits.pk, short.pk])

    assert result.reviewed == [fits.pk]
    assert result.held == {short.pk: ExceptionReason.STOCK_SHORTAGE}
    assert Order.objects.get(pk=short.pk).status == OrderStatus.EXCEPTION
    assert _active(fits).count() == 1


GENERIC_HEADER = (
    "平台订单号,下单时间,付款时间,订单状态,买家ID,买家昵称,收货人,收货人电话,省,市,区,详细地址,"
    "买家留言,卖家备注,旗帜,商品金额,运费,优惠金额,实付金额,商家编码,商品标题,商品属性,数量,单价"
)


def _generic_file(tmp_path, name, rows):
    path = tmp_path / name
    lines = [GENERIC_HEADER]
    for number, status, code in rows:
        lines.append(
            f"{number},2026-11-26 15:00:00,2026-11-26 15:00:00,{status},wx_9,客,陈客,13800009999,"
            f"浙江省,宁波市,鄞州区,天童路 1 号,,,,58.00,0,0,58.00,{code},杯子,,2,29.00"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ImportFile.from_path(path)


@pytest.mark.parametrize("allocated", [False, True], ids=["reviewed", "allocated"])
def test_an_import_that_closes_a_reviewed_order_gives_its_goods_back(
    demo, stores, stocked, tmp_path, allocated
):
    sku, house = stocked
    store = stores["mall"]
    kefu = demo["kefu"]
    number = f"PC-{sku.merchant_code}"
    order_import_files(
        actor=kefu,
        store=store,
        files=[_generic_file(tmp_path, "a.csv", [(number, "待审核", sku.merchant_code)])],
    )
    order = Order.objects.get(store=store, platform_order_no=number)
    order_review(actor=demo["yunying"], order_id=order.pk)
    if allocated:
        allocation = allocation_create(actor=demo["cangku"], order_id=order.pk, warehouse=house)
    assert sku.stock_levels.get(warehouse=house).reserved == 2

    result = order_import_files(
        actor=kefu,
        store=store,
        files=[_generic_file(tmp_path, "b.csv", [(number, "已关闭", sku.merchant_code)])],
    )

    assert result.updated == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CLOSED
    assert not _active(order).exists()
    assert sku.stock_levels.get(warehouse=house).reserved == 0
    if allocated:
        allocation.refresh_from_db()
        assert allocation.status == "cancelled"
        assert allocation.cancel_reason == "平台已关闭订单"


def test_a_rejected_import_releases_nothing(demo, stores, stocked, tmp_path):
    sku, _house = stocked
    store = stores["mall"]
    number = f"PR-{sku.merchant_code}"
    order_import_files(
        actor=demo["kefu"],
        store=store,
        files=[_generic_file(tmp_path, "a.csv", [(number, "待审核", sku.merchant_code)])],
    )
    order = Order.objects.get(store=store, platform_order_no=number)
    order_review(actor=demo["yunying"], order_id=order.pk)
    bad = _generic_file(
        tmp_path, "b.csv", [(number, "已关闭", sku.merchant_code), ("PR-BAD", "不存在的状态", "X")]
    )

    result = order_import_files(actor=demo["kefu"], store=store, files=[bad])

    assert result.errors
    assert not result.applied
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REVIEWED
    assert _active(order).count() == 1
