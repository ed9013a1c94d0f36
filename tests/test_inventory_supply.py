"""Purchase orders (receiving fully or partly at their cost; what is not received is on order for
the reorder suggestion) and available-to-sell per store (a shared pool, a ratio or fixed share,
a safety buffer, the stock-update file per platform)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from storeops.accounts.models import Store
from storeops.catalog import services as catalog
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden
from storeops.inventory import selectors, services
from storeops.inventory.models import Movement, PurchaseOrder, StoreStockShare
from tests.inventory_helpers import level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


def test_a_purchase_received_in_two_parts_moves_the_average_and_what_is_on_order(demo):
    house, sku = make_warehouse(), make_sku(cost="10.00")
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=10)
    with pytest.raises(Forbidden):  # 仓库 may order, but not name a cost it may not see
        services.purchase_create(
            actor=demo["cangku"], supplier="义乌某厂", warehouse=house, lines=[(sku, 30, "16")]
        )
    order = services.purchase_create(
        actor=demo["yunying"], supplier="义乌某厂", warehouse=house, lines=[(sku, 30, "16.00")]
    )
    line = order.lines.get()
    assert selectors.on_order_quantity(sku) == 30
    services.stock_rule_set(
        actor=demo["yunying"], sku=sku, safety_stock=50, upper_limit=None, lead_time_days=7
    )
    outlook = selectors.sku_outlook(sku, selectors.stock_rule_for(sku), now=clock.now())
    assert outlook.on_order == 30
    assert outlook.reorder_quantity == 50 - 10 - 30  # no sales: safety − available − on order

    done = services.purchase_receive(actor=demo["cangku"], order=order, quantities={line.pk: 10})
    assert done.status == "partial"
    stock = level(sku, house)
    assert stock.on_hand == 20
    assert stock.unit_cost == Decimal("13.0000")  # (10×10 + 10×16) / 20
    receipt = Movement.objects.filter(reference=order.number).get()
    assert (receipt.kind, receipt.on_hand_delta, receipt.unit_cost) == (
        "receipt",
        10,
        Decimal("16"),
    )
    assert selectors.on_order_quantity(sku) == 20
    with pytest.raises(Conflict):
        services.purchase_receive(actor=demo["cangku"], order=order, quantities={line.pk: 21})

    done = services.purchase_receive(actor=demo["cangku"], order=order, quantities={line.pk: 20})
    assert done.status == "received"
    assert level(sku, house).on_hand == 40
    assert selectors.on_order_quantity(sku) == 0


def test_a_cancelled_purchase_is_no_longer_on_order(demo):
    house, sku = make_warehouse(), make_sku()
    order = services.purchase_create(
        actor=demo["cangku"], supplier="供应商乙", warehouse=house, lines=[(sku, 5, None)]
    )
    assert order.lines.get().unit_cost == Decimal("10.00")  # the standard cost
    services.purchase_cancel(actor=demo["cangku"], order=order)
    assert selectors.on_order_quantity(sku) == 0
    with pytest.raises(Conflict):
        services.purchase_receive(
            actor=demo["cangku"], order=order, quantities={order.lines.get().pk: 1}
        )


@pytest.fixture
def listed(demo):
    """A store listing one product with one SKU; 40 in one warehouse, 10 of them reserved, and
    5 in another."""
    store = next(
        s
        for s in Store.objects.filter(is_active=True, platform="taobao").order_by("id")
        if demo["yunying"].works_in(s)
    )
    StoreStockShare.objects.filter(store=store).delete()  # the demo gives one store a share
    sku = make_sku()
    catalog.listing_create(
        actor=demo["yunying"], store=store, product=sku.product, title="可售测试", price="29.00"
    )
    a, b = make_warehouse(), make_warehouse()
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=a, quantity=40)
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=b, quantity=5)
    services.stock_reserve(actor=demo["kefu"], sku=sku, warehouse=a, quantity=10)
    return store, sku


def _row(actor, store, sku):
    return next(r for r in selectors.store_sellable(actor=actor, store=store) if r.sku.pk == sku.pk)


def test_each_store_sells_its_share_of_the_pool_less_a_buffer(listed, demo):
    store, sku = listed
    actor = demo["yunying"]
    row = _row(actor, store, sku)
    assert (row.pool, row.quantity) == (35, 35)  # no share set: the whole pool
    services.store_share_set(
        actor=actor, store=store, mode="ratio", ratio_percent="50", safety_buffer=2
    )
    assert _row(actor, store, sku).quantity == 15  # ⌊35 × 50%⌋ − 2
    services.store_share_set(
        actor=actor, store=store, mode="fixed", fixed_quantity=20, safety_buffer=3
    )
    assert _row(actor, store, sku).quantity == 17
    services.store_share_set(
        actor=actor, store=store, mode="fixed", fixed_quantity=100, safety_buffer=50
    )
    assert _row(actor, store, sku).quantity == 0  # never below zero
    assert StoreStockShare.objects.filter(store=store).count() == 1


def test_the_stock_update_file_for_the_platform(listed, demo, client):
    store, sku = listed
    client.force_login(demo["yunying"])
    response = client.get(f"/inventory/available/export/?store={store.code}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("宝贝ID", "SKU ID", "商家编码", "可售数量")
    assert [sku.merchant_code, 35] in [[r[2], r[3]] for r in rows[1:]]
    page = client.get(f"/inventory/available/?store={store.code}&q={sku.merchant_code}")
    assert f'data-sku="{sku.merchant_code}"' in page.content.decode()


def test_purchase_pages_create_then_receive_part(demo, client):
    house, sku = make_warehouse(code="PO-PAGE-WH"), make_sku(code="PO-PAGE-1")
    client.force_login(demo["yunying"])
    response = client.post(
        "/inventory/purchases/new/",
        {
            "supplier": "页面供应商",
            "warehouse": house.code,
            "expected_date": "2026-12-15",
            "sku_0": sku.merchant_code,
            "quantity_0": "12",
            "cost_0": "9.00",
        },
    )
    assert response.status_code == 302
    order = PurchaseOrder.objects.get(supplier="页面供应商")
    line = order.lines.get()
    client.force_login(demo["cangku"])
    page = client.get(f"/inventory/purchases/{order.pk}/").content.decode()
    assert "¥9.00" not in page  # 仓库 does not see costs
    client.post(f"/inventory/purchases/{order.pk}/receive/", {f"receive_{line.pk}": "5"})
    order.refresh_from_db()
    assert order.status == "partial"
    assert level(sku, house).on_hand == 5
    listing = client.get("/inventory/purchases/?status=partial").content.decode()
    assert order.number in listing
