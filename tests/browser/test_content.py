"""R4.1/R4.2/R5.1 in a real browser: 市场组 reports a price change; 企划组 compiles it into an
important draft with an absolute term and submits it; 经理 cannot approve without an override
reason, approves with one; 企划组 publishes; the SLA report shows it as met. R3.1/R3.3: 运营 flags
the live description, 企划 finds the correction on the 工作台 and the overdue listing on the
待更新商品 board."""

from __future__ import annotations

import pytest

from storeops.catalog.models import Listing
from storeops.content.models import Publication, ReleaseDraft
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_price_change_from_intake_to_publication(browse):
    listing = Listing.objects.filter(store__code="tb-main").order_by("id").first()

    # 市场组 submits the price change as intake
    market = browse.login("shichang")
    market.goto("/content/intake/")
    form = market.get_by_test_id("intake-form")
    form.locator("select[name=source]").select_option("marketing_group")
    form.locator("select[name=classification]").select_option("price")
    form.locator("select[name=store]").select_option("tb-main")
    form.locator("input[name=listing]").fill(str(listing.pk))
    form.locator("input[name=title]").fill("保温杯五一调价")
    form.locator("textarea[name=content]").fill("五一期间售价调整为 89 元，客服口径同步更新。")
    form.get_by_role("button", name="提报").click()
    market.wait_for_url("**/content/intake/")
    assert "保温杯五一调价" in market.get_by_test_id("intake").inner_text()

    # 企划组 compiles it into an important draft with an absolute term and submits it
    planner = browse.login("qihua")
    planner.goto("/content/intake/")
    planner.get_by_role("link", name="编写稿件").first.click()
    planner.wait_for_url("**/content/drafts/new/?intake=*")
    draft_form = planner.get_by_test_id("draft-form")
    assert draft_form.locator("input[name=title]").input_value() == "保温杯五一调价"
    draft_form.locator("select[name=priority]").select_option("important")
    draft_form.locator("textarea[name=body]").fill("五一特惠：全网最低价，双层真空保温一整天。")
    draft_form.get_by_role("button", name="保存").click()
    planner.wait_for_url("**/content/drafts/*/")
    draft = ReleaseDraft.objects.get(intake__title="保温杯五一调价")  # the demo has drafts too
    assert draft.priority == "important"
    assert draft.sla_started_at == draft.intake.submitted_at
    planner.get_by_role("button", name="提交审批").click()
    planner.wait_for_url(f"**/content/drafts/{draft.pk}/")
    flagged = planner.get_by_test_id("draft-body").locator("mark[data-severity=block]")
    assert flagged.first.inner_text() == "全网最低价"
    assert "有拦截项" in planner.get_by_test_id("findings").inner_text()
    screenshot(planner, "content-draft-submitted-finding.png")

    # 经理 cannot approve without an override reason, then approves with one
    manager = browse.login("jingli")
    manager.goto(f"/content/drafts/{draft.pk}/")
    approve = manager.get_by_test_id("approve-form")
    approve.locator("textarea[name=comment]").fill("价格已与市场组确认")
    approve.get_by_role("button", name="通过").click()
    manager.wait_for_url(f"**/content/drafts/{draft.pk}/")
    assert "须填写放行理由" in manager.get_by_role("alert").first.inner_text()
    screenshot(manager, "content-approve-needs-override.png")
    draft.refresh_from_db()
    assert draft.status == "submitted"
    approve = manager.get_by_test_id("approve-form")
    approve.locator("textarea[name=comment]").fill("价格已与市场组确认")
    approve.locator("textarea[name=override_reason]").fill("第三方比价报告证明全网最低，法务已确认")
    approve.get_by_role("button", name="通过").click()
    manager.wait_for_url(f"**/content/drafts/{draft.pk}/")
    assert "第三方比价报告" in manager.get_by_test_id("override").inner_text()
    assert "刘经理" in manager.get_by_test_id("history").inner_text()

    # 企划组 publishes
    planner.goto(f"/content/drafts/{draft.pk}/")
    planner.once("dialog", lambda dialog: dialog.accept())
    planner.get_by_role("button", name="发布").click()
    planner.wait_for_url(f"**/content/drafts/{draft.pk}/")
    assert planner.locator("[data-status=published]").first.is_visible()
    screenshot(planner, "content-draft-published.png")
    publication = Publication.objects.get(draft=draft)
    assert publication.is_sla_met is True

    # the SLA report shows it as met
    manager.goto("/content/sla/")
    report = manager.get_by_test_id("sla-report").inner_text()
    assert "保温杯五一调价" in report
    assert "按时" in report
    screenshot(manager, "content-sla-report.png")


def test_flag_a_live_description_and_the_stale_board(browse):
    from storeops.demo.content_seed import STALE_STYLE

    stale = Listing.objects.get(store__code="tb-main", product__style_code=STALE_STYLE)
    live = Publication.objects.get(kind="listing", target=stale.pk, is_live=True)

    # 运营 flags the live description as inaccurate
    ops = browse.login("yunying")
    ops.goto(f"/content/publications/{live.pk}/")
    form = ops.get_by_test_id("flag-form")
    form.locator("textarea[name=reason]").fill("实际保温 8 小时，页面写的是 12 小时")
    ops.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="标记为不准确").click()
    ops.wait_for_url(f"**/content/publications/{live.pk}/")
    assert "实际保温 8 小时" in ops.get_by_test_id("flags").inner_text()
    assert "已标记" in ops.get_by_role("alert").first.inner_text()
    screenshot(ops, "content-publication-flagged.png")
    correction = ReleaseDraft.objects.get(flags__publication=live)
    assert correction.priority == "important"

    # 企划 finds the correction on the 工作台, and the listing on the stale board
    planner = browse.login("qihua")
    planner.goto("/workbench/")
    planner.get_by_role("link", name=f"描述纠错：{correction.title}").click()
    planner.wait_for_url(f"**/content/drafts/{correction.pk}/")
    assert "实际保温 8 小时" in planner.get_by_test_id("correction-of").inner_text()
    planner.goto("/content/freshness/?store=tb-main")
    first_row = planner.get_by_test_id("freshness").locator("tbody tr").first
    assert first_row.get_attribute("data-listing") == str(stale.pk)
    assert first_row.get_attribute("data-overdue") == "1"
    screenshot(planner, "content-freshness-board.png")
