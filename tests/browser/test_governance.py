"""An approval decided in a real browser: 经理 sees it on the 工作台, opens it, approves with a comment."""

from __future__ import annotations

import pytest

from storeops.accounts.models import Store, User
from storeops.core.roles import RoleCode
from storeops.governance.enums import ApprovalStatus
from storeops.governance.services import approval_request
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_approves_from_the_workbench(browse):
    shop = Store.objects.get(code="tb-main")
    approval = approval_request(
        actor=User.objects.get(username="yunying"),
        obj=shop,
        snapshot={"店铺招牌": "春季上新 · 全场包邮", "主色": "#1f6feb", "生效日期": "2026-03-01"},
        title="淘宝店招更新",
        approver_roles=[RoleCode.MANAGER],
        store=shop,
    )

    page = browse.login("jingli")
    panel = page.locator("[data-panel=approvals]")
    panel.get_by_role("link", name="淘宝店招更新").click()
    page.wait_for_url(f"**/governance/approvals/{approval.pk}/")
    snapshot = page.get_by_test_id("snapshot")
    assert "春季上新 · 全场包邮" in snapshot.inner_text()
    assert "待审批" in page.locator("main").inner_text()

    page.fill("textarea[name=comment]", "同意，3 月 1 日上线")
    page.get_by_role("button", name="通过").click()
    page.wait_for_url(f"**/governance/approvals/{approval.pk}/")
    assert page.get_by_role("alert").filter(has_text="已通过").is_visible()
    history = page.get_by_test_id("history").inner_text()
    assert "同意，3 月 1 日上线" in history
    assert "刘经理" in history
    assert page.locator("h1 + [data-status=approved]").inner_text() == "已通过"
    screenshot(page, "governance-approval-approved.png")

    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED

    page.goto("/workbench/")
    assert "淘宝店招更新" not in page.locator("[data-panel=approvals]").inner_text()
