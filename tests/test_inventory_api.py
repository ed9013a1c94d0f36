"""The stable inventory API: stock list, receipts, reservations (409 with the error shape), release;
bounded input; the persona matrix."""

from __future__ import annotations

import pytest

from storeops.inventory.models import Movement, Reservation
from tests.inventory_helpers import level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return {"sku": make_sku(code="API-SKU-1"), "house": make_warehouse(code="API-WH")}


def body(quantity=3, sku="API-SKU-1", warehouse="API-WH", reference="ref"):
    return {"sku": sku, "warehouse": warehouse, "quantity": quantity, "reference": reference}


def delete(client, path):
    return client.client.delete(path, **client.headers)


def test_receipt_then_stock_list(world, demo, api_as):
    cangku = api_as(demo["cangku"])

    created = cangku.post("/api/v1/inventory/receipts", body(7, reference="PO-9"))

    assert created.status_code == 201, created.json()
    assert created.json() == {
        "id": created.json()["id"],
        "sku": "API-SKU-1",
        "warehouse": "API-WH",
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
        "quantity": 7,
        "reference": "PO-9",
    }
    listed = api_as(demo["kefu"]).get("/api/v1/inventory/stock", sku="API-SKU-1")
    assert listed.status_code == 200
    assert listed.json() == {
        "items": [
            {"sku": "API-SKU-1", "warehouse": "API-WH", "on_hand": 7, "reserved": 0, "available": 7}
        ],
        "next": None,
    }
    other_house = api_as(demo["kefu"]).get(
        "/api/v1/inventory/stock", sku="API-SKU-1", warehouse="NOPE"
    )
    assert other_house.json() == {"items": [], "next": None}


def test_stock_list_pages_with_a_cursor(world, demo, api_as):
    cangku = api_as(demo["cangku"])
    make_warehouse(code="API-WH2")
    cangku.post("/api/v1/inventory/receipts", body(1))
    cangku.post("/api/v1/inventory/receipts", body(2, warehouse="API-WH2"))

    first = cangku.get("/api/v1/inventory/stock", sku="API-SKU-1", limit=1).json()
    second = cangku.get(
        "/api/v1/inventory/stock", sku="API-SKU-1", limit=1, cursor=first["next"]
    ).json()

    assert [i["warehouse"] for i in first["items"] + second["items"]] == ["API-WH", "API-WH2"]
    assert second["next"] is None


def test_reservation_201_then_409_with_the_error_shape(world, demo, api_as):
    api_as(demo["cangku"]).post("/api/v1/inventory/receipts", body(5))
    kefu = api_as(demo["kefu"])

    held = kefu.post("/api/v1/inventory/reservations", body(4, reference="order 1"))
    refused = kefu.post("/api/v1/inventory/reservations", body(2, reference="order 1"))

    assert held.status_code == 201
    assert held.json() == {
        "id": held.json()["id"],
        "sku": "API-SKU-1",
        "warehouse": "API-WH",
        "quantity": 4,
        "reference": "order 1",
        "status": "active",
    }
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "stock.insufficient"
    assert error["details"] == {
        "sku": "API-SKU-1",
        "warehouse": "API-WH",
        "requested": 2,
        "available": 1,
    }
    assert error["message"]


def test_each_request_is_its_own_reservation_and_delete_releases(world, demo, api_as):
    api_as(demo["cangku"]).post("/api/v1/inventory/receipts", body(5))
    kefu = api_as(demo["kefu"])
    first = kefu.post("/api/v1/inventory/reservations", body(1, reference="same")).json()
    second = kefu.post("/api/v1/inventory/reservations", body(1, reference="same")).json()
    assert first["id"] != second["id"]

    released = delete(kefu, f"/api/v1/inventory/reservations/{first['id']}")
    again = delete(kefu, f"/api/v1/inventory/reservations/{first['id']}")
    missing = delete(kefu, "/api/v1/inventory/reservations/999999999")

    assert released.status_code == 200
    assert released.json()["status"] == "released"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "reservation.not_active"
    assert missing.status_code == 404
    assert level(world["sku"], world["house"]).reserved == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(0), "quantity"),
        (body(-2), "quantity"),
        (body(1_000_001), "quantity"),
        (body(2**70), "quantity"),
        (body(1.5), "quantity"),
        (body("3"), "quantity"),
        (body(True), "quantity"),
        (body(sku="NOPE"), "sku"),
        (body(warehouse="NOPE"), "warehouse"),
        (body(reference="x" * 101), "reference"),
        ({"sku": "API-SKU-1", "warehouse": "API-WH"}, "quantity"),
    ],
)
def test_bad_input_is_422_with_the_field_named(world, demo, api_as, payload, field):
    response = api_as(demo["kefu"]).post("/api/v1/inventory/reservations", payload)
    assert response.status_code == 422, response.json()
    details = response.json()["error"]["details"]
    fields = [d["field"] for d in details] if isinstance(details, list) else [details["field"]]
    assert field in fields
    assert not Reservation.objects.filter(sku=world["sku"]).exists()


def test_persona_matrix(world, demo, api_as):
    assert api_as(None).get("/api/v1/inventory/stock").status_code == 401
    assert api_as(demo["kefu"]).post("/api/v1/inventory/receipts", body(1)).status_code == 403
    assert api_as(demo["caiwu"]).post("/api/v1/inventory/reservations", body(1)).status_code == 403
    assert api_as(demo["qihua"]).get("/api/v1/inventory/stock").status_code == 200
    assert api_as(demo["kefu_jd"]).get("/api/v1/inventory/stock").status_code == 200  # company-wide
    assert not Movement.objects.filter(sku=world["sku"]).exists()
