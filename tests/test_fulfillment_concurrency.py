"""Two warehouse staff shipping the same packed order at once (real threads on PostgreSQL): one
parcel, one refusal, the stock leaves once; two allocating the same order: one allocation."""

from __future__ import annotations

import pytest
from django.db import connection

from storeops.core.errors import DomainError
from storeops.fulfillment import services
from storeops.fulfillment.models import Allocation, Shipment
from storeops.inventory.models import Movement, StockLevel
from tests.concurrency import race
from tests.fulfillment_helpers import make_order, make_sku, make_warehouse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pg(demo):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")
    return demo


def test_two_shipping_the_same_order_at_once_ship_it_once(pg, stores):
    cangku = pg["cangku"]
    sku = make_sku("并发发货杯")
    house = make_warehouse([(sku, 5)])
    order = make_order(stores["tb-main"], [(sku, 2)])
    allocation = services.allocation_create(actor=cangku, order_id=order.pk, warehouse=house)
    for _ in range(2):
        services.verify_scan(actor=cangku, allocation_id=allocation.pk, code=sku.merchant_code)
    services.pack_confirm(
        actor=cangku,
        allocation_id=allocation.pk,
        checklist={"package_type": True, "protective_material": True, "inserts": True},
    )

    results = race(
        lambda: services.shipment_create(
            actor=cangku, allocation_id=allocation.pk, tracking_no="SF1000000000001"
        ),
        lambda: services.shipment_create(
            actor=cangku, allocation_id=allocation.pk, tracking_no="SF1000000000002"
        ),
    )

    shipped = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(shipped) == 1, results
    assert len(refused) == 1, results
    assert Shipment.objects.filter(allocation=allocation).count() == 1
    level = StockLevel.objects.get(sku=sku, warehouse=house)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert Movement.objects.filter(sku=sku, warehouse=house, kind="shipment").count() == 1


def test_two_allocating_the_same_order_at_once_give_one_allocation(pg, stores):
    cangku = pg["cangku"]
    sku = make_sku("并发配货杯")
    house = make_warehouse([(sku, 5)])
    order = make_order(stores["tb-main"], [(sku, 1)])

    results = race(
        lambda: services.allocation_create(actor=cangku, order_id=order.pk, warehouse=house),
        lambda: services.allocation_create(actor=cangku, order_id=order.pk, warehouse=house),
    )

    assert sum(isinstance(r, Allocation) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert StockLevel.objects.get(sku=sku, warehouse=house).reserved == 1
