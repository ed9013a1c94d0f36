"""The order model's key, the declared transition table and the import status rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from storeops.core import clock
from storeops.core.errors import Conflict
from storeops.orders.enums import (
    ORDER_TRANSITIONS,
    OrderStatus,
    order_status_from_platform,
    order_transition_check,
)
from storeops.orders.models import Order

S = OrderStatus


def test_every_status_has_a_declared_row():
    assert set(ORDER_TRANSITIONS) == set(OrderStatus.values)
    for targets in ORDER_TRANSITIONS.values():
        assert targets <= set(OrderStatus.values)


def test_chinese_labels_users_know():
    assert [str(s.label) for s in OrderStatus] == [
        "待付款",
        "待审核",
        "异常",
        "已审核(待发货)",
        "部分发货",
        "已发货",
        "已完成",
        "已关闭",
    ]


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.SHIPPED, S.PENDING_REVIEW),
        (S.COMPLETED, S.SHIPPED),
        (S.CLOSED, S.PENDING_REVIEW),
        (S.CLOSED, S.COMPLETED),
        (S.PARTIALLY_SHIPPED, S.REVIEWED),
    ],
)
def test_a_refused_transition_is_a_409(current, new):
    with pytest.raises(Conflict) as caught:
        order_transition_check(current, new)
    assert caught.value.code == "order.transition_refused"
    assert caught.value.details["field"] == "status"


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.PENDING_REVIEW, S.REVIEWED),
        (S.REVIEWED, S.PENDING_REVIEW),
        (S.EXCEPTION, S.PENDING_REVIEW),
        (S.REVIEWED, S.SHIPPED),
        (S.SHIPPED, S.CLOSED),
        (S.COMPLETED, S.CLOSED),
    ],
)
def test_declared_transitions_pass(current, new):
    order_transition_check(current, new)


@pytest.mark.parametrize(
    ("current", "reported", "expected"),
    [
        (None, S.SHIPPED, S.SHIPPED),
        (S.PENDING_PAYMENT, S.PENDING_REVIEW, S.PENDING_REVIEW),
        (S.REVIEWED, S.PENDING_REVIEW, S.REVIEWED),  # our review is newer than the export
        (S.EXCEPTION, S.PENDING_REVIEW, S.EXCEPTION),
        (S.SHIPPED, S.PENDING_REVIEW, S.SHIPPED),  # an older export never moves it back
        (S.COMPLETED, S.PENDING_PAYMENT, S.COMPLETED),
        (S.COMPLETED, S.CLOSED, S.CLOSED),  # except to 已关闭 when the platform says so
        (S.CLOSED, S.COMPLETED, S.CLOSED),
        (S.REVIEWED, S.SHIPPED, S.SHIPPED),
    ],
)
def test_import_status_moves_forward_only(current, reported, expected):
    assert order_status_from_platform(current, reported) == expected


def test_platform_order_number_is_unique_per_store(stores):
    store, other = stores["tb-main"], stores["jd-main"]
    number = "3100123456789012345"
    Order.objects.create(store=store, platform_order_no=number, created_at=clock.now())
    Order.objects.create(store=other, platform_order_no=number, created_at=clock.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(store=store, platform_order_no=number, created_at=clock.now())
    saved = Order.objects.get(store=store, platform_order_no=number)
    assert saved.platform_order_no == number  # kept as text, all 19 digits
    assert saved.paid_amount == Decimal("0.00")
