"""Concurrency claims of orders handling, with real threads on PostgreSQL: two requests racing
with one Idempotency-Key create one order and both answer it; two 客服 reviewing the same order at
once review it once (the order row is locked; the second sees 已审核 and is refused)."""

from __future__ import annotations

import pytest
from django.db import connection

from storeops.core.errors import Conflict
from storeops.orders.models import Order, OrderEvent
from storeops.orders.services import review as review_svc
from storeops.orders.services import transactions as tx
from tests.concurrency import race
from tests.orders_handling_helpers import demo_sku, make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pg(demo):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")
    return demo


def test_one_idempotency_key_racing_creates_one_order(pg, stores):
    kefu = pg["kefu"]
    body = {"store": "tb-main", "receiver": "并发测试"}
    code = demo_sku().merchant_code

    def create():
        def make():
            order = tx.order_create_manual(
                actor=kefu,
                store=stores["tb-main"],
                lines=[{"merchant_code": code, "quantity": 1}],
                receiver_name="并发测试",
                receiver_phone="13800000000",
            )
            return 201, {"id": order.pk}

        return tx.idempotent_create(
            actor=kefu, scope="orders.create", key="race-key", body=body, create=make
        )

    first, second = race(create, create)
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first == second
    assert Order.objects.filter(receiver_name="并发测试").count() == 1


def test_two_reviews_of_one_order_review_it_once(pg, stores):
    order = make_order(stores["tb-main"])
    kefu = pg["kefu"]
    jingli = pg["jingli"]
    results = race(
        lambda: review_svc.order_review(actor=kefu, order_id=order.pk),
        lambda: review_svc.order_review(actor=jingli, order_id=order.pk),
    )
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1
    assert refused[0].code == "order.not_reviewable"
    assert OrderEvent.objects.filter(order=order, kind="reviewed").count() == 1
