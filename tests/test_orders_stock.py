"""Orders reserve stock at review (issue 6's seam in issue 5): a reviewed order holds its goods
under `order:<id>`; an order that cannot be reserved goes to 异常 (库存不足) — by hand or by the
import's auto-review — and 反审核 / closing gives the goods back."""

from __future__ import annotations

import pytest

from storeops.inventory import services as inventory
from storeops.inventory.models import Reservation
from storeops.orders.enums import ExceptionReason, OrderStatus
from storeops.orders.models import Order
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
