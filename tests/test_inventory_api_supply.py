"""The API of the weekly stocktake (blind while counting; approved by someone other than the
counter), of purchase orders (partly received) and of available-to-sell (store-scoped)."""

from __future__ import annotations

import pytest

from storeops.accounts.models import Store
from storeops.catalog import services as catalog
from storeops.inventory import selectors, services
from tests.inventory_helpers import level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(demo):
    house, sku = make_warehouse(code="API-ST-WH"), make_sku(code="API-ST-1", cost="5.00")
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=9)
    return house, sku


def test_a_stocktake_through_the_api(stocked, demo, api_as):
    house, sku = stocked
    kefu, jingli = api_as(demo["kefu"]), api_as(demo["jingli"])
    started = kefu.post("/api/v1/inventory/stocktakes", {"warehouse": "API-ST-WH"})
    assert started.status_code == 201
    stocktake_id = started.json()["id"]
    counted = kefu.post(
        f"/api/v1/inventory/stocktakes/{stocktake_id}/counts",
        {"sku": "API-ST-1", "quantity": 4, "add": True},
    )
    assert counted.status_code == 200
    assert counted.json()["expected"] is None  # blind
    kefu.post(
        f"/api/v1/inventory/stocktakes/{stocktake_id}/counts",
        {"sku": "API-ST-1", "quantity": 3, "add": True},
    )
    submitted = kefu.post(f"/api/v1/inventory/stocktakes/{stocktake_id}/submit", {})
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["lines"] == [
        {"sku": "API-ST-1", "counted": 7, "expected": 9, "variance": -2, "sold": 0}
    ]
    own = kefu.post(f"/api/v1/inventory/stocktakes/{stocktake_id}/decision", {"approve": True})
    assert own.status_code == 403
    done = jingli.post(f"/api/v1/inventory/stocktakes/{stocktake_id}/decision", {"approve": True})
    assert done.json()["status"] == "applied"
    assert level(sku, house).on_hand == 7
    listed = jingli.get("/api/v1/inventory/stocktakes?limit=5").json()["items"]
    assert stocktake_id in [s["id"] for s in listed]


def test_a_purchase_through_the_api(stocked, demo, api_as):
    house, sku = stocked
    created = api_as(demo["yunying"]).post(
        "/api/v1/inventory/purchases",
        {
            "supplier": "接口供应商",
            "warehouse": "API-ST-WH",
            "expected_date": "2026-12-20",
            "lines": [{"sku": "API-ST-1", "quantity": 10, "unit_cost": "6.00"}],
        },
    )
    assert created.status_code == 201
    order_id = created.json()["id"]
    cangku = api_as(demo["cangku"])
    received = cangku.post(
        f"/api/v1/inventory/purchases/{order_id}/receipts",
        {"lines": [{"sku": "API-ST-1", "quantity": 4}]},
    )
    assert received.json()["status"] == "partial"
    assert received.json()["lines"][0]["outstanding"] == 6
    assert level(sku, house).on_hand == 13
    too_many = cangku.post(
        f"/api/v1/inventory/purchases/{order_id}/receipts",
        {"lines": [{"sku": "API-ST-1", "quantity": 7}]},
    )
    assert too_many.status_code == 409


def test_available_to_sell_is_store_scoped(stocked, demo, api_as):
    _house, sku = stocked
    store = next(
        s
        for s in Store.objects.filter(is_active=True).order_by("id")
        if demo["yunying"].works_in(s)
    )
    catalog.listing_create(actor=demo["yunying"], store=store, product=sku.product, price="19.00")
    found = api_as(demo["yunying"]).get(f"/api/v1/inventory/available?store={store.code}")
    assert found.status_code == 200
    expected = selectors.sellable(9, selectors.store_share(store))
    assert {"sku": "API-ST-1", "pool": 9, "quantity": expected} in found.json()["items"]
    other = next(
        (s for s in Store.objects.filter(is_active=True) if not demo["kefu_jd"].works_in(s)), None
    )
    assert other is not None
    hidden = api_as(demo["kefu_jd"]).get(f"/api/v1/inventory/available?store={other.code}")
    assert hidden.status_code == 404
