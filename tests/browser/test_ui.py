"""The back office in a real browser: login, the 工作台, permission walls, the role matrix, language."""

from __future__ import annotations

import pytest

from storeops.accounts.models import RolePermission
from storeops.core.roles import RoleCode
from storeops.web.permissions import ModulePerm
from tests.browser.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kefu_workbench_in_chinese_and_walls(browse):
    page = browse.login("kefu")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    main = page.locator("main")
    for text in ("工作台", "我的任务", "待我审批", "预警"):
        assert main.get_by_text(text, exact=False).first.is_visible(), text
    nav = page.locator("aside.so-sidebar")
    nav_text = nav.inner_text()
    for label in ("订单", "售后", "库存"):
        assert label in nav_text, label
    for label in ("组织与权限", "审计"):
        assert label not in nav_text, label
    assert nav.locator("[data-module=org], [data-module=audit]").count() == 0
    screenshot(page, "kefu-workbench.png")

    for path in ("/org/roles/", "/org/users/", "/audit/events/"):
        response = page.goto(path)
        assert response.status == 403, path
        assert page.locator("[data-error-code]").first.is_visible(), path
        assert "没有权限" in page.locator("main").inner_text(), path
    screenshot(page, "kefu-403.png")


def test_admin_edits_role_matrix_and_sees_audit_row(browse):
    page = browse.login("admin")
    nav = page.locator("aside.so-sidebar")
    nav.get_by_role("link", name="角色与权限").click()
    page.wait_for_url("**/org/roles/")
    assert page.get_by_role("heading", name="角色与权限矩阵").is_visible()

    label = f"{RoleCode.CUSTOMER_SERVICE.label} {ModulePerm.ORDERS.label}"  # 客服 进入：订单
    box = page.get_by_role("checkbox", name=label, exact=True)
    assert box.is_checked()
    box.uncheck()
    page.get_by_test_id("save-matrix").click()
    page.wait_for_url("**/org/roles/")
    assert page.get_by_role("alert").filter(has_text="权限矩阵已保存").is_visible()
    assert not page.get_by_role("checkbox", name=label, exact=True).is_checked()
    assert not RolePermission.objects.filter(
        role__code=RoleCode.CUSTOMER_SERVICE, codename=ModulePerm.ORDERS
    ).exists()
    screenshot(page, "admin-role-matrix.png")

    nav.get_by_role("link", name="操作日志").click()
    page.wait_for_url("**/audit/events/")
    row = page.locator('tr[data-action="accounts.role.update"]')
    assert row.count() >= 1
    assert row.first.is_visible()
    screenshot(page, "admin-audit-events.png")


def test_english_is_the_users_choice_not_the_browsers(browse):
    page = browse.login("yunying")
    page.goto("/account/")
    page.select_option("#id_language", "en")
    page.locator('form[action="/account/language/"]').get_by_role(
        "button", name="保存", exact=True
    ).click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("alert").filter(has_text="Interface language saved").is_visible()
    screenshot(page, "english-settings.png")
    page.goto("/workbench/")
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.get_by_role("heading", level=1)
    assert "Workbench" in heading.inner_text()
    main_text = page.locator("main").inner_text()
    for text in ("My tasks", "Awaiting my approval", "Alerts"):
        assert text in main_text, text
    assert "工作台" not in page.locator("body").inner_text()
    screenshot(page, "english-workbench.png")

    # A Chinese-language user on an English browser still gets Chinese.
    headers = {"Accept-Language": "en-US,en;q=0.9"}
    page = browse.login("kefu", locale="en-US", extra_http_headers=headers)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "工作台" in page.get_by_role("heading", level=1).inner_text()
    assert "Workbench" not in page.locator("body").inner_text()
    assert "我的任务" in page.locator("main").inner_text()


def test_login_page_is_chinese_for_english_browser(browse):
    page = browse.new_page(locale="en-US", extra_http_headers={"Accept-Language": "en"})
    page.goto("/")
    page.wait_for_url("**/login/")
    assert "登录" in page.get_by_role("button").inner_text()
    screenshot(page, "login.png")


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [390, 1024, 1366])
def test_navigation_never_covers_the_page(browse, width):
    page = browse.login("admin", viewport={"width": width, "height": 800})
    page.goto("/audit/events/")
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in (
            ("topbar", "nav.so-topbar"),
            ("sidebar", "aside.so-sidebar"),
            ("main", "main"),
        )
    }
    assert not _overlap(boxes["topbar"], boxes["sidebar"])
    assert not _overlap(boxes["topbar"], boxes["main"])
    assert not _overlap(boxes["sidebar"], boxes["main"])
    # Nothing is wider than the window: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"admin-audit-{width}px.png"))  # the first screenful
