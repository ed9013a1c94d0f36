"""Issue 5's "done when" in a real browser: 客服 uploads a Taobao export pair (order report + item
report), watches the progress bar while a worker imports it, sees the result, finds the order
with an unknown merchant code in the exception queue (异常: 未匹配商品), reviews a clean order from
its page, and 经理 sees the same order with the receiver masked."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from storeops.core import importjobs
from storeops.orders.models import Order
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "orders"


@pytest.fixture
def worker(monkeypatch):
    """A worker thread, as the Huey consumer would be: the upload returns at once and the page
    polls while the job is queued, then running."""
    from django.db import connections, transaction

    threads = []

    def enqueue(task_path, /, **kwargs):
        def start():
            def run():
                try:
                    time.sleep(1.5)
                    importjobs.import_job_run(job_id=kwargs["job_id"])
                finally:
                    connections.close_all()

            thread = threading.Thread(target=run)
            threads.append(thread)
            thread.start()

        transaction.on_commit(start)

    monkeypatch.setattr(importjobs, "on_commit_enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(120)


def test_taobao_pair_import_progress_result_and_exception_queue(browse, worker):
    page = browse.login("kefu")
    page.goto("/orders/import/")
    page.get_by_test_id("import-store").select_option("tb-main")
    page.get_by_test_id("import-files").set_input_files(
        [
            str(FIXTURES / "taobao_v1_ExportOrderList.csv"),
            str(FIXTURES / "taobao_v1_ExportOrderDetailList.csv"),
        ]
    )
    page.get_by_test_id("import-submit").click()
    page.wait_for_url("**/imports/*/")
    assert page.get_by_test_id("import-progress").is_visible()
    assert page.get_by_test_id("import-job").get_attribute("data-status") in ("queued", "running")
    screenshot(page, "orders-import-progress.png")
    page.get_by_test_id("import-result").wait_for(timeout=120_000)
    assert "已导入" in page.get_by_test_id("import-result").inner_text()
    assert "新建 5" in page.get_by_test_id("import-counts").inner_text()
    screenshot(page, "orders-import-result.png")

    # the exception queue: the order whose merchant code is unknown
    page.goto("/orders/")
    page.get_by_test_id("queue-exception").click()
    page.wait_for_url("**/orders/?status=exception")
    row = page.locator("tr[data-order='3100000000000000033']")
    assert row.is_visible()
    assert "未匹配商品" in row.inner_text()
    assert "3100000000000000011" not in page.get_by_test_id("orders").inner_text()
    screenshot(page, "orders-exception-queue.png")

    # its page shows the unmatched line and the import on the timeline
    row.get_by_role("link").click()
    page.wait_for_url("**/orders/*/")
    assert "未匹配" in page.get_by_test_id("lines").inner_text()
    assert "NOPE-404" in page.get_by_test_id("lines").inner_text()
    screenshot(page, "orders-exception-detail.png")

    # a clean order is reviewed from its page; 客服 sees the receiver in clear
    clean = Order.objects.get(store__code="tb-main", platform_order_no="3100000000000000011")
    page.goto(f"/orders/{clean.pk}/")
    receiver_in_clear = page.get_by_test_id("receiver").inner_text()
    assert "****" not in receiver_in_clear
    page.get_by_test_id("review").click()
    page.wait_for_url(f"**/orders/{clean.pk}/")
    assert page.locator("[data-status=reviewed]").first.is_visible()
    assert "人工审单通过" in page.get_by_test_id("timeline").inner_text()
    screenshot(page, "orders-reviewed-detail.png")
    clean.refresh_from_db()
    assert clean.status == "reviewed"

    # 经理 sees the same order with the receiver masked
    manager = browse.login("jingli")
    manager.goto(f"/orders/{clean.pk}/")
    assert "****" in manager.get_by_test_id("receiver").inner_text()


def test_price_adjustment_over_the_limit_waits_for_the_manager(browse, stores):
    from storeops.governance.selectors import approval_for
    from storeops.orders.models import PriceAdjustment
    from tests.orders_handling_helpers import demo_sku, make_order

    order = make_order(
        stores["tb-main"],
        status="pending_payment",
        lines=[(demo_sku(), 1, "90.00")],
        goods="90.00",
        shipping="10.00",
        paid="0.00",
    )
    line = order.lines.get()
    kefu = browse.login("kefu")
    kefu.goto(f"/orders/{order.pk}/")
    form = kefu.get_by_test_id("price-form")
    form.locator("select[name=target]").select_option(f"line:{line.pk}")
    form.locator("input[name=new_amount]").fill("60.00")
    form.locator("input[name=reason]").fill("大客户首单")
    form.get_by_role("button", name="改价").click()
    kefu.wait_for_url(f"**/orders/{order.pk}/")
    assert "已提交经理审批" in kefu.get_by_role("alert").first.inner_text()
    assert "待经理审批" in kefu.get_by_test_id("adjustments").inner_text()
    screenshot(kefu, "orders-price-adjust-pending.png")

    approval = approval_for(PriceAdjustment.objects.get(order=order))
    manager = browse.login("jingli")
    manager.goto(f"/governance/approvals/{approval.pk}/")
    assert "60.00" in manager.get_by_test_id("snapshot").inner_text()
    decide = manager.get_by_test_id("decide-form")
    decide.locator("textarea[name=comment]").fill("同意")
    decide.get_by_role("button", name="通过").click()
    manager.wait_for_url(f"**/governance/approvals/{approval.pk}/")

    kefu.goto(f"/orders/{order.pk}/")
    kefu.get_by_role("button", name="执行改价").click()
    kefu.wait_for_url(f"**/orders/{order.pk}/")
    assert "¥90.00 → ¥60.00" in kefu.get_by_test_id("timeline").inner_text()
    assert "¥60.00" in kefu.get_by_test_id("amounts").inner_text()
    screenshot(kefu, "orders-price-adjust-applied.png")


def test_operations_adds_an_import_alias_and_deletes_it_after_confirming(browse):
    """运营 answers a renamed export column: 导入订单 → 导入表头别名 → adds 件数 → 数量 for the
    generic template; deleting it asks first."""
    page = browse.login("yunying")
    page.goto("/orders/import/")
    page.get_by_test_id("alias-link").click()
    page.get_by_role("link", name="通用模板").click()
    page.get_by_test_id("alias-text").fill("件数")
    page.get_by_test_id("alias-field").select_option("quantity")
    page.get_by_test_id("alias-submit").click()
    page.wait_for_selector("text=已添加别名")
    row = page.get_by_test_id("alias-row").filter(has_text="件数")
    assert row.count() == 1
    screenshot(page, "orders-import-aliases.png")

    page.once("dialog", lambda dialog: dialog.dismiss())  # "确定删除…？" — no
    row.get_by_test_id("alias-delete").click()
    assert page.get_by_test_id("alias-row").filter(has_text="件数").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("alias-row").filter(has_text="件数").get_by_test_id("alias-delete").click()
    page.wait_for_selector("text=已删除别名")
    assert page.get_by_test_id("alias-row").filter(has_text="件数").count() == 0
