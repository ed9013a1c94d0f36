"""Fulfillment API: allocate, scan (a wrong item blocks packing), pack, ship; permissions."""

import pytest

from tests.fulfillment_helpers import make_order, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


def test_allocate_scan_pack_ship_over_the_api(api_as, demo, stores):
    sku = make_sku("电动牙刷")
    stranger = make_sku("牙膏")
    house = make_warehouse([(sku, 5)])
    order = make_order(stores["tb-main"], [(sku, 1)])
    client = api_as(demo["cangku"])
    created = client.post(
        "/api/v1/fulfillment/allocations", {"order": order.pk, "warehouse": house.code}
    )
    assert created.status_code == 201, created.content
    allocation = created.json()["id"]
    base = f"/api/v1/fulfillment/allocations/{allocation}"
    wrong = client.post(f"{base}/scans", {"code": stranger.merchant_code}).json()
    assert wrong["result"] == "wrong"
    assert "牙膏" in wrong["blocked"]
    assert client.post(f"{base}/scans", {"code": sku.merchant_code}).json()["result"] == "ok"
    refused = client.post(f"{base}/pack", {"package_type": True})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "pack.blocked"
    assert client.post(f"{base}/unblock").status_code == 200
    packed = client.post(
        f"{base}/pack", {"package_type": True, "protective_material": True, "inserts": True}
    )
    assert packed.json()["status"] == "packed"
    shipped = client.post(f"{base}/shipments", {"tracking_no": "JT1234567890123"})
    assert shipped.status_code == 201
    assert shipped.json()["courier"] == "JT"
    assert shipped.json()["order_status"] == "shipped"
    hint = client.get("/api/v1/fulfillment/couriers/suggest", tracking_no="DPK123456789012")
    assert hint.json()["courier"] == "DBL"


def test_permissions(api_as, demo, stores):
    sku = make_sku()
    house = make_warehouse([(sku, 5)])
    order = make_order(stores["tb-main"], [(sku, 1)])
    refused = api_as(demo["yunying"]).post(
        "/api/v1/fulfillment/allocations", {"order": order.pk, "warehouse": house.code}
    )
    assert refused.status_code == 403
    assert api_as(demo["jingli"]).get("/api/v1/fulfillment/allocations").status_code == 200
    assert api_as(demo["kefu"]).get("/api/v1/fulfillment/allocations").status_code == 403
