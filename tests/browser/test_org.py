"""R2.17 in a real browser: the 系统管理员 assigns a duty's owner; that user sees it on the 工作台."""

from __future__ import annotations

import pytest

from storeops.org.models import Duty
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_assigns_a_duty_and_the_owner_sees_it_on_the_workbench(browse):
    duty = Duty.objects.get(item="企业博客")
    page = browse.login("admin")
    page.locator("aside.so-sidebar").get_by_role("link", name="职责矩阵").click()
    page.wait_for_url("**/org/duties/")
    row = page.locator(f"tr[data-duty='{duty.pk}']")
    assert "未指定" in row.inner_text()
    row.get_by_role("link", name="指定").click()
    page.wait_for_url(f"**/org/duties/{duty.pk}/edit/")
    page.select_option("#id_owner", label="赵企划")
    page.fill("#id_notes", "每周至少一篇")
    page.get_by_test_id("save-duty").click()
    page.wait_for_url("**/org/duties/")
    assert page.get_by_role("alert").filter(has_text="责任人已保存").is_visible()
    assert "赵企划" in page.locator(f"tr[data-duty='{duty.pk}']").inner_text()
    screenshot(page, "org-duty-assigned.png")

    owner = browse.login("qihua")
    tasks = owner.locator("[data-panel=tasks]")
    assert tasks.get_by_role("link", name="我的职责：企业博客").is_visible()
    screenshot(owner, "org-owner-workbench.png")
    tasks.get_by_role("link", name="我的职责：企业博客").click()
    owner.wait_for_url("**/org/duties/**")
    assert owner.locator(f"tr[data-duty='{duty.pk}']").is_visible()
