"""Inventory pages (Chinese): warehouses, stock with value for cost viewers only, a SKU's ledger,
manual receipt, adjustment request → approval by someone else, Excel export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from storeops.inventory import services
from storeops.inventory.models import StockAdjustment, Warehouse
from tests.inventory_helpers import level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(demo):
    sku, house = make_sku(code="PAGE-SKU-1", cost="12.50"), make_warehouse(code="PAGE-WH")
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=8)
    services.stock_reserve(actor=demo["kefu"], sku=sku, warehouse=house, quantity=3)
    return sku, house


def test_stock_page_shows_levels_and_value_only_to_cost_viewers(stocked, demo, web_as):
    as_finance = web_as(demo["caiwu"]).get("/inventory/", {"sku": "PAGE-SKU-1"})
    as_warehouse = web_as(demo["cangku"]).get("/inventory/", {"sku": "PAGE-SKU-1"})

    assert as_finance.status_code == 200
    page = as_finance.content.decode()
    assert 'data-sku="PAGE-SKU-1"' in page
    assert "¥100.00" in page  # 8 × 12.50
    warehouse_page = as_warehouse.content.decode()
    assert 'data-sku="PAGE-SKU-1"' in warehouse_page
    assert "¥100.00" not in warehouse_page
    assert "单位成本" not in warehouse_page


def test_stock_export_is_an_excel_of_the_filtered_levels(stocked, demo, web_as):
    response = web_as(demo["caiwu"]).get("/inventory/export/", {"sku": "PAGE-SKU-1"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("商家编码", "商品", "规格", "仓库", "在库", "预占", "可用")
    assert rows[1][0] == "PAGE-SKU-1"
    assert rows[1][3:7] == ("PAGE-WH", 8, 3, 5)
    assert float(rows[1][8]) == 100.0


def test_ledger_page_lists_every_movement(stocked, demo, web_as):
    sku, _house = stocked
    page = web_as(demo["kefu"]).get(f"/inventory/skus/{sku.pk}/").content.decode()
    assert page.count('data-kind="receipt"') == 1
    assert page.count('data-kind="reservation"') == 1


def test_manual_receipt_form(stocked, demo, web_as):
    sku, house = stocked
    client = web_as(demo["cangku"])
    response = client.post(
        "/inventory/receipts/new/",
        {"sku": "PAGE-SKU-1", "warehouse": "PAGE-WH", "quantity": "2", "reference": "手工"},
    )
    assert response.status_code == 302
    assert level(sku, house).on_hand == 10
    bad = client.post(
        "/inventory/receipts/new/", {"sku": "NOPE", "warehouse": "PAGE-WH", "quantity": "2"}
    )
    assert bad.status_code == 200
    assert "商家编码不存在" in bad.content.decode()


def test_adjustment_through_the_pages_needs_someone_else(stocked, demo, web_as):
    sku, house = stocked
    web_as(demo["cangku"]).post(
        "/inventory/adjustments/new/",
        {"sku": "PAGE-SKU-1", "warehouse": "PAGE-WH", "quantity": "-1", "reason": "破损"},
    )
    adjustment = StockAdjustment.objects.get(sku=sku)
    detail = web_as(demo["cangku"]).get(f"/inventory/adjustments/{adjustment.pk}/")
    assert 'data-testid="decide-form"' not in detail.content.decode()

    approver = web_as(demo["jingli"])
    assert (
        'data-testid="decide-form"'
        in approver.get(f"/inventory/adjustments/{adjustment.pk}/").content.decode()
    )
    approver.post(f"/inventory/adjustments/{adjustment.pk}/decide/", {"decision": "approve"})

    assert StockAdjustment.objects.get(pk=adjustment.pk).status == "applied"
    assert level(sku, house).on_hand == 7


def test_warehouse_pages(demo, web_as):
    client = web_as(demo["cangku"])
    assert client.get("/inventory/warehouses/").status_code == 200
    client.post("/inventory/warehouses/new/", {"code": "PAGE-NEW", "name": "新仓"})
    house = Warehouse.objects.get(code="PAGE-NEW")
    client.post(f"/inventory/warehouses/{house.pk}/edit/", {"name": "新仓二"})
    house.refresh_from_db()
    assert (house.name, house.is_active) == ("新仓二", False)
    assert web_as(demo["kefu"]).get("/inventory/warehouses/new/").status_code == 403


def test_reservation_release_page(stocked, demo, web_as):
    sku, house = stocked
    reservation = services.stock_reserve(actor=demo["kefu"], sku=sku, warehouse=house, quantity=1)
    client = web_as(demo["kefu"])
    assert (
        f'data-reservation="{reservation.pk}"'
        in client.get("/inventory/reservations/").content.decode()
    )
    client.post(f"/inventory/reservations/{reservation.pk}/release/")
    assert level(sku, house).reserved == 3


def test_pages_refuse_roles_without_stock(demo, web_as):
    assert web_as(demo["qihua"]).get("/inventory/").status_code == 200  # planning looks stock up
    assert web_as(demo["kefu"]).get("/inventory/receipts/new/").status_code == 403
