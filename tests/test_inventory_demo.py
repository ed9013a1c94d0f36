"""`seed-demo` adds two warehouses and stock for every demo SKU, consistent with its ledger."""

from __future__ import annotations

import pytest

from storeops.catalog.models import Sku
from storeops.demo.inventory_seed import seed_inventory
from storeops.inventory.models import Movement, StockAdjustment, StockLevel, Warehouse
from storeops.inventory.selectors import ledger_mismatches

pytestmark = pytest.mark.django_db


def test_demo_has_two_warehouses_and_stock_for_every_sku(demo):
    assert set(Warehouse.objects.values_list("code", flat=True)) >= {"GZ-MAIN", "SH-EAST"}
    skus = Sku.objects.filter(is_combo=False, is_active=True)
    stocked = set(
        StockLevel.objects.filter(warehouse__code="GZ-MAIN", on_hand__gt=0).values_list(
            "sku_id", flat=True
        )
    )
    assert skus.count() > 0
    assert set(skus.values_list("pk", flat=True)) <= stocked
    assert Movement.objects.filter(kind="shipment").exists()  # sales for days of cover
    assert StockAdjustment.objects.filter(status="pending").exists()  # one waits for 经理/财务
    assert list(ledger_mismatches()) == []


def test_seeding_again_changes_nothing(demo):
    before = Movement.objects.count()
    seed_inventory(users=demo)
    assert Movement.objects.count() == before


def test_demo_has_a_finished_stocktake_a_purchase_and_a_store_share(demo):
    from storeops.inventory.models import PurchaseOrder, Stocktake, StoreStockShare

    done = Stocktake.objects.get(warehouse__code="SH-EAST", status="applied")
    assert done.decided_by == demo["jingli"]
    assert Movement.objects.filter(kind="stocktake", reference=f"ST-{done.pk}").count() == 1
    assert PurchaseOrder.objects.filter(status="partial", supplier="义乌市恒达日用品厂").exists()
    assert StoreStockShare.objects.filter(ratio_percent=80).exists()
