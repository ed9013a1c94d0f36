"""R3.5 and R2.3 in a real browser: 运营 proposes a redesign of the home page with a mock-up image;
经理 approves it naming the owner and due date; the task shows on the owner's 工作台. Then 企划
swaps the promotion zone to its other approved variant: one live, the other offline."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from storeops.content.models import Publication
from storeops.storefront.models import RedesignProposal, StorePage
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mockup_file(tmp_path):
    path = tmp_path / "首屏大图.png"
    image = Image.new("RGB", (480, 300), (40, 110, 200))
    for x in range(40, 440):
        for y in range(120, 180):
            image.putpixel((x, y), (250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_redesign_proposal_from_mockup_to_owner_task(browse, tmp_path):
    home = StorePage.objects.get(store__code="tb-main", name="店铺首页")

    # 运营 proposes a redesign of the home page and uploads a mock-up
    ops = browse.login("yunying")
    ops.goto(f"/storefront/pages/{home.pk}/")
    assert "本周主推" in ops.get_by_test_id("live").inner_text()
    ops.get_by_role("link", name="提出改版方案").click()
    form = ops.get_by_test_id("proposal-form")
    form.locator("input[name=title]").fill("首页活动入口上移")
    form.locator("textarea[name=description]").fill("把活动入口放到首屏右侧，减少顾客询问。")
    form.get_by_role("button", name="保存").click()
    ops.wait_for_url("**/storefront/proposals/*/")
    proposal = RedesignProposal.objects.get(title="首页活动入口上移")
    upload = ops.get_by_test_id("mockup-form")
    upload.locator("input[type=file]").set_input_files(str(mockup_file(tmp_path)))
    upload.get_by_role("button", name="上传设计稿").click()
    ops.wait_for_url(f"**/storefront/proposals/{proposal.pk}/")
    mockup = ops.get_by_test_id("image-mockup").first
    mockup.wait_for()
    assert ops.evaluate("el => el.naturalWidth", mockup.element_handle()) == 480
    ops.get_by_role("button", name="提交经理审批").click()
    ops.wait_for_url(f"**/storefront/proposals/{proposal.pk}/")
    assert ops.locator("[data-status=submitted]").first.is_visible()
    assert not ops.get_by_test_id("approve-form").count()
    screenshot(ops, "storefront-proposal-submitted.png")

    # 经理 approves, naming 企划 as the owner
    manager = browse.login("jingli")
    manager.goto(f"/storefront/proposals/{proposal.pk}/")
    approve = manager.get_by_test_id("approve-form")
    approve.locator("select[name=owner]").select_option(label="赵企划（qihua）")
    approve.locator("textarea[name=comment]").fill("同意，先做移动端")
    approve.get_by_role("button", name="批准").click()
    manager.wait_for_url(f"**/storefront/proposals/{proposal.pk}/")
    assert manager.locator("[data-status=approved]").first.is_visible()
    assert "赵企划" in manager.get_by_test_id("owner").inner_text()
    screenshot(manager, "storefront-proposal-approved.png")
    proposal.refresh_from_db()
    assert proposal.obligation.owner.username == "qihua"

    # the owner sees the task on the 工作台
    planner = browse.login("qihua")
    planner.goto("/workbench/")
    duty = planner.get_by_role("link", name="执行改版方案：首页活动入口上移")  # the obligation
    assert duty.count() == 1
    task = planner.get_by_role("link", name="改版方案待执行：首页活动入口上移")
    assert task.count() == 1
    screenshot(planner, "storefront-owner-workbench.png")
    task.first.click()
    planner.wait_for_url(f"**/storefront/proposals/{proposal.pk}/")
    assert planner.get_by_test_id("complete-form").is_visible()
    browse.watch.assert_clean()


def test_promotion_zone_swap(browse):
    zone = StorePage.objects.get(store__code="tb-main", kind="promotion_zone", name="首页促销区")

    planner = browse.login("qihua")
    planner.goto(f"/storefront/pages/{zone.pk}/variants/")
    cards = planner.get_by_test_id("variants")
    assert "在线" in cards.inner_text()
    new_year = cards.locator("[data-state=ready]")
    assert "元旦迎新" in new_year.inner_text()
    planner.once("dialog", lambda dialog: dialog.accept())
    new_year.get_by_role("button", name="换上").click()
    planner.wait_for_url(f"**/storefront/pages/{zone.pk}/variants/")

    live = cards.locator("[data-state=live]")
    assert live.count() == 1
    assert "元旦迎新" in live.inner_text()
    assert "冬季暖心" in cards.locator("[data-state=offline]").inner_text()
    assert (
        Publication.objects.filter(kind="promotion_zone", target=zone.pk, is_live=True).count() == 1
    )
    screenshot(planner, "storefront-zone-swapped.png")
    browse.watch.assert_clean()
