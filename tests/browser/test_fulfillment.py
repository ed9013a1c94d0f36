"""R2.9 in a real browser: 客服 reviews an order; 仓库 allocates it, prints its pick list (a PDF
that opens, Chinese rendered — looked at as a PNG), scans a wrong item (blocked), takes it out,
scans the right ones, packs by the standard and ships it; the order is 已发货 and the stock left
as a shipment movement."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from storeops.fulfillment.models import Allocation
from storeops.inventory.models import Movement
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.fulfillment_helpers import make_order, make_sku, make_warehouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_pick_verify_pack_ship(browse, stores):
    cup = make_sku("双层真空保温杯", barcode="6901234567892", weight=350)
    lid = make_sku("硅胶杯盖", weight=40)
    stranger = make_sku("折叠雨伞")
    house = make_warehouse([(cup, 10), (lid, 10)])
    order = make_order(stores["tb-main"], [(cup, 2), (lid, 1)], status="pending_review")

    # 客服 reviews the order
    kefu = browse.login("kefu")
    kefu.goto(f"/orders/{order.pk}/")
    kefu.get_by_test_id("review").click()
    kefu.wait_for_url(f"**/orders/{order.pk}/")
    order.refresh_from_db()
    assert order.status == "reviewed"

    # 仓库 allocates it to the test warehouse
    wh = browse.login("cangku")
    wh.goto(f"/fulfillment/?store={stores['tb-main'].pk}")
    row = wh.locator(f"[data-order='{order.platform_order_no}']")
    row.locator("input[name=orders]").check()
    wh.locator("select[name=warehouse]").select_option(str(house.pk))
    wh.get_by_role("button", name="配货", exact=True).click()
    wh.wait_for_url("**/fulfillment/allocations/*/")
    allocation = Allocation.objects.get(order=order)
    screenshot(wh, "fulfillment-allocation.png")

    # the pick list PDF opens and renders Chinese
    response = wh.request.get(f"/fulfillment/allocations/{allocation.pk}/pick-list.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf_path = ARTIFACTS / "fulfillment-pick-list.pdf"
    pdf_path.write_bytes(response.body())
    assert "双层真空保温杯" in PdfReader(str(pdf_path)).pages[0].extract_text()
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf_path),
                str(ARTIFACTS / "fulfillment-pick-list"),
            ],
            check=True,
        )

    # scan a wrong item: blocked with a clear message
    wh.get_by_test_id("verify-link").click()
    wh.wait_for_url("**/verify/")
    wh.fill("#id_code", stranger.merchant_code)
    wh.keyboard.press("Enter")
    wh.wait_for_load_state()
    feedback = wh.get_by_test_id("scan-feedback")
    assert feedback.get_attribute("data-result") == "wrong"
    assert "折叠雨伞" in feedback.inner_text()
    assert "打包已拦截" in wh.get_by_test_id("blocked").inner_text()
    screenshot(wh, "fulfillment-scan-wrong.png")

    # take it out, then scan the right ones (barcode and merchant code)
    wh.once("dialog", lambda dialog: dialog.accept())
    wh.get_by_test_id("unblock").click()
    wh.wait_for_url("**/verify/")
    for code in ("6901234567892", "6901234567892", lid.merchant_code):
        wh.fill("#id_code", code)
        wh.keyboard.press("Enter")
        wh.wait_for_load_state()
        assert wh.get_by_test_id("scan-feedback").get_attribute("data-result") == "ok"
    assert "核对完成" in wh.get_by_test_id("verified").inner_text()
    screenshot(wh, "fulfillment-scan-done.png")

    # pack by the standard, then ship with a scanned number (courier from the number's format)
    wh.get_by_role("link", name="去打包").click()
    wh.wait_for_url("**/fulfillment/allocations/*/")
    pack = wh.get_by_test_id("pack-form")
    for box in pack.locator("input[type=checkbox]").all():
        box.check()
    pack.locator("input[name=weight_g]").fill("745")
    pack.get_by_role("button", name="确认打包").click()
    wh.wait_for_url("**/fulfillment/allocations/*/")
    ship = wh.get_by_test_id("ship-form")
    ship.locator("input[name=tracking_no]").fill("SF1234567890123")
    ship.get_by_role("button", name="确认发货").click()
    wh.wait_for_url("**/fulfillment/allocations/*/")
    assert "已发货" in wh.get_by_test_id("allocation-status").inner_text()
    assert "SF1234567890123" in wh.get_by_test_id("shipments").inner_text()
    screenshot(wh, "fulfillment-shipped.png")

    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.courier == "顺丰"
    shipped = Movement.objects.filter(kind="shipment", reference=f"order:{order.pk}")
    assert sorted((m.sku_id, -m.on_hand_delta) for m in shipped) == sorted(
        [(cup.pk, 2), (lid.pk, 1)]
    )
