"""通知中心 in a real browser: the unread badge, opening a notice, and the robot channel pages."""

from __future__ import annotations

import pytest

from storeops.notifications.enums import ChannelKind, DeliveryStatus, Severity
from storeops.notifications.models import Channel, Delivery, Notification
from storeops.notifications.services import alert_raise
from tests.browser.conftest import screenshot
from tests.test_notifications_delivery import BOOM, RobotServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "SECbrowser-secret-0042"


def test_kefu_sees_the_badge_opens_the_alert_and_it_is_read(browse, kefu):
    alert_raise(
        kind="inventory.low_stock",
        title="库存不足：SKU-777",
        body="可用库存 2，低于安全库存 10",
        url="/workbench/",
        recipients=[kefu],
        severity=Severity.CRITICAL,
        dedupe_key="low:777",
    )
    unread = Notification.objects.filter(recipient=kefu, read_at__isnull=True).count()

    page = browse.login("kefu")
    badge = page.get_by_test_id("unread-count")
    assert badge.inner_text().split()[0] == str(unread)
    alerts_panel = page.locator("[data-panel=alerts]")
    assert alerts_panel.get_by_role("link", name="库存不足：SKU-777").is_visible()
    screenshot(page, "notifications-workbench-badge.png")

    page.get_by_test_id("inbox-link").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_role("heading", name="通知中心").is_visible()
    item = page.locator("[data-notification]").filter(has_text="库存不足：SKU-777")
    assert item.get_attribute("data-read") == "0"
    screenshot(page, "notifications-inbox.png")

    item.get_by_test_id("open").click()
    page.wait_for_url("**/workbench/")
    assert not Notification.objects.filter(
        recipient=kefu, title="库存不足：SKU-777", read_at__isnull=True
    ).exists()
    if unread > 1:
        assert page.get_by_test_id("unread-count").inner_text().split()[0] == str(unread - 1)
    else:
        assert page.get_by_test_id("unread-count").count() == 0

    page.goto("/notifications/?filter=unread")
    assert page.locator("[data-notification]").filter(has_text="库存不足：SKU-777").count() == 0
    page.get_by_test_id("read-all").click()
    page.wait_for_url("**/notifications/?filter=unread")
    assert page.get_by_test_id("unread-count").count() == 0
    assert page.get_by_text("没有未读通知").is_visible()


def test_admin_sets_up_a_dingtalk_robot_and_sees_a_failed_delivery(browse, kefu):
    server = RobotServer([BOOM])
    try:
        page = browse.login("admin")
        nav = page.locator("aside.so-sidebar")
        nav.get_by_role("link", name="通知渠道").click()
        page.wait_for_url("**/notifications/channels/")
        page.get_by_role("link", name="新建渠道").click()
        page.fill("#id_name", "钉钉运营群")
        page.select_option("#id_kind", ChannelKind.DINGTALK.value)
        page.fill("#id_webhook_url", f"{server.url}/robot/send?access_token=tok-1")
        page.fill("#id_secret", SECRET)
        page.select_option("#id_min_severity", Severity.WARNING.value)
        page.get_by_role("button", name="保存").click()
        page.wait_for_url("**/notifications/channels/")
        row = page.locator("tr[data-channel]").filter(has_text="钉钉运营群")
        assert "钉钉机器人" in row.inner_text()
        assert "已设置" in row.inner_text()
        assert SECRET not in page.content()
        assert "tok-1" not in page.content()
        channel = Channel.objects.get(name="钉钉运营群")
        assert channel.has_secret
        screenshot(page, "notifications-channels.png")

        alert_raise(kind="orders.stuck", title="订单卡单：1001", recipients=[kefu])
        delivery = Delivery.objects.get(channel=channel)
        assert delivery.status == DeliveryStatus.PENDING  # the first attempt met a 500
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, attempts=6, next_attempt_at=None
        )

        nav.get_by_role("link", name="投递记录").click()
        page.wait_for_url("**/notifications/deliveries/")
        page.locator("a[data-status=failed]").click()
        page.wait_for_url("**/notifications/deliveries/?status=failed")
        row = page.locator(f'tr[data-delivery="{delivery.pk}"]')
        assert "失败" in row.inner_text()
        assert "HTTP 500" in row.inner_text()
        screenshot(page, "notifications-deliveries-failed.png")

        page.on("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="重试").click()
        page.wait_for_url("**/notifications/deliveries/?status=failed")
        assert page.get_by_role("alert").filter(has_text="已重新排队发送").is_visible()
        delivery.refresh_from_db()
        assert delivery.attempts == 1  # tried again at once (and met the 500 again)
        assert delivery.status == DeliveryStatus.PENDING
    finally:
        server.close()
