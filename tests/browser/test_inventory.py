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


def test_weekly_stocktake_with_one_variance_through_approval(browse):
    from storeops.accounts.models import User
    from storeops.inventory import services
    from storeops.inventory.models import Movement, Stocktake
    from tests.inventory_helpers import make_sku, make_warehouse

    house = make_warehouse("ST-BROWSER", name="盘点演示仓")
    a, b = make_sku("ST-B-A", cost="12.50"), make_sku("ST-B-B", cost="30.00")
    keeper = User.objects.get(username="cangku")
    services.stock_receive(actor=keeper, sku=a, warehouse=house, quantity=8)
    services.stock_receive(actor=keeper, sku=b, warehouse=house, quantity=3)

    # 客服 starts the count and scans blind: no expected quantity on the page
    counter = browse.login("kefu")
    counter.goto("/inventory/stocktakes/")
    counter.get_by_test_id("stocktake-start-ST-BROWSER").click()
    counter.wait_for_url("**/inventory/stocktakes/*/")
    scan = counter.get_by_test_id("scan-form")
    for _ in range(2):
        scan.locator("input[name=code]").fill("ST-B-A")
        scan.get_by_role("button", name="计数").click()
        counter.wait_for_load_state()
        scan = counter.get_by_test_id("scan-form")
    scan.locator("input[name=code]").fill("ST-B-A")
    scan.locator("input[name=quantity]").fill("5")
    scan.get_by_role("button", name="计数").click()
    counter.wait_for_load_state()
    row = counter.locator("tr[data-sku='ST-B-B']")
    row.locator("input[name=counted]").fill("3")
    row.get_by_role("button", name="保存").click()
    counter.wait_for_load_state()
    assert counter.locator("tr[data-sku='ST-B-A'] [data-testid=counted]").inner_text() == "7"
    assert counter.get_by_test_id("counted-progress").inner_text() == "2 / 2"
    screenshot(counter, "inventory-stocktake-count.png")
    counter.once("dialog", lambda dialog: dialog.accept())
    counter.get_by_test_id("stocktake-submit").click()
    counter.wait_for_load_state()
    assert counter.get_by_test_id("stocktake-status").inner_text() == "待审批"
    assert counter.get_by_test_id("decide-form").count() == 0
    stocktake = Stocktake.objects.get(warehouse=house)

    # 经理 sees the variance report (盘亏 1 at ¥12.50) and approves
    manager = browse.login("jingli")
    manager.goto(f"/inventory/stocktakes/{stocktake.pk}/")
    assert "-1 盘亏" in manager.locator("tr[data-sku='ST-B-A']").inner_text()
    assert "-¥12.50" in manager.get_by_test_id("variance-summary").inner_text()
    screenshot(manager, "inventory-stocktake-variance.png")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name="通过并调整库存").click()
    manager.wait_for_load_state()
    assert manager.get_by_test_id("stocktake-status").inner_text() == "已完成"
    movement = Movement.objects.get(reference=f"ST-{stocktake.pk}")
    assert (movement.kind, movement.on_hand_delta) == ("stocktake", -1)
    manager.goto("/inventory/stocktakes/")
    assert f"ST-{stocktake.pk}" in manager.get_by_test_id("stocktakes").inner_text()
    screenshot(manager, "inventory-stocktake-history.png")
