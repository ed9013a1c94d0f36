"""Stock in a real browser: 仓库 receives goods by hand; the stock page shows the level and its
value; 仓库 asks for a shortage adjustment (破损), cannot approve it; 经理 approves it and on hand
moves, with the adjustment in the SKU's ledger."""

from __future__ import annotations

import pytest

from storeops.inventory.models import StockAdjustment, StockLevel
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receipt_then_adjustment_through_approval(browse):
    level = (
        StockLevel.objects.filter(warehouse__code="GZ-MAIN")
        .select_related("sku")
        .order_by("sku__merchant_code")
        .last()
    )
    code, before = level.sku.merchant_code, level.on_hand

    # 仓库 receives 12 by hand
    store_keeper = browse.login("cangku")
    store_keeper.goto("/inventory/")
    store_keeper.get_by_test_id("receipt-new").click()
    form = store_keeper.get_by_test_id("receipt-form")
    form.locator("input[name=sku]").fill(code)
    form.locator("select[name=warehouse]").select_option("GZ-MAIN")
    form.locator("input[name=quantity]").fill("12")
    form.locator("input[name=reference]").fill("采购单 PO-8801")
    form.get_by_role("button", name="提交").click()
    store_keeper.wait_for_url(f"**/inventory/skus/{level.sku_id}/")
    assert "采购单 PO-8801" in store_keeper.get_by_test_id("movements").inner_text()
    level.refresh_from_db()
    assert level.on_hand == before + 12

    # 财务 sees the stock with its value
    finance = browse.login("caiwu")
    finance.goto(f"/inventory/?sku={code}")
    row = finance.locator(f"tr[data-sku='{code}'][data-warehouse='GZ-MAIN']")
    assert row.locator("[data-col=available]").inner_text() == str(level.available)
    assert "¥" in row.inner_text()
    screenshot(finance, "inventory-stock-list.png")

    # 仓库 asks for a shortage of 2 (破损); the requester cannot decide it
    store_keeper.goto("/inventory/adjustments/new/")
    form = store_keeper.get_by_test_id("adjustment-form")
    form.locator("input[name=sku]").fill(code)
    form.locator("select[name=warehouse]").select_option("GZ-MAIN")
    form.locator("input[name=quantity]").fill("-2")
    form.locator("input[name=reason]").fill("搬运破损")
    form.get_by_role("button", name="提交").click()
    store_keeper.wait_for_url("**/inventory/adjustments/*/")
    adjustment = StockAdjustment.objects.get(reason="搬运破损")
    assert store_keeper.get_by_test_id("decide-form").count() == 0
    assert store_keeper.get_by_test_id("adjustment-status").inner_text() == "待审批"

    # 经理 approves: on hand moves, the ledger shows the adjustment
    manager = browse.login("jingli")
    manager.goto(f"/inventory/adjustments/{adjustment.pk}/")
    screenshot(manager, "inventory-adjustment-to-approve.png")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name="通过并执行").click()
    manager.wait_for_url(f"**/inventory/adjustments/{adjustment.pk}/")
    assert manager.get_by_test_id("adjustment-status").inner_text() == "已执行"
    level.refresh_from_db()
    assert level.on_hand == before + 10
    manager.goto(f"/inventory/skus/{level.sku_id}/")
    assert manager.locator("tr[data-kind=adjustment]").count() >= 1
    screenshot(manager, "inventory-sku-ledger.png")
