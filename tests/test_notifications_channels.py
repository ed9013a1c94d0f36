"""Robot channel administration (通知渠道): pages, audit, refusals, and the secret kept secret."""

from __future__ import annotations

import json
import logging

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.notifications.enums import ChannelKind, DeliveryStatus, Severity
from storeops.notifications.models import Channel, Delivery
from storeops.notifications.services import channel_create, channel_update
from tests.test_notifications_delivery import OK, RobotServer

SECRET = "SECd4e5f6a7b8c9-very-secret"
TOKEN = "access-token-5150"


@pytest.fixture
def server():
    robot = RobotServer([OK])
    yield robot
    robot.close()


def _form(server, **extra):
    data = {
        "name": "钉钉运营群",
        "kind": ChannelKind.DINGTALK,
        "webhook_url": f"{server.url}/robot/send?access_token={TOKEN}",
        "secret": SECRET,
        "min_severity": Severity.WARNING,
        "alert_kinds": "inventory.low_stock， orders.stuck",
        "store": "",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_admin_creates_a_channel_audited_without_secrets(web_as, admin, server, caplog):
    caplog.set_level(logging.DEBUG)
    client = web_as(admin)
    response = client.post("/notifications/channels/new/", _form(server))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.kind == ChannelKind.DINGTALK
    assert channel.alert_kinds == ["inventory.low_stock", "orders.stuck"]
    assert channel.has_secret
    event = AuditEvent.objects.get(action="notifications.channel.create")
    assert event.actor_username == "admin"
    assert event.after == {
        "name": "钉钉运营群",
        "kind": "dingtalk",
        "webhook": f"{server.url}/robot/send?…",
        "is_signed": True,
        "is_active": True,
        "min_severity": "warning",
        "alert_kinds": ["inventory.low_stock", "orders.stuck"],
        "store": None,
    }

    pages = [
        client.get("/notifications/channels/").content.decode(),
        client.get(f"/notifications/channels/{channel.pk}/").content.decode(),
    ]
    assert "已设置" in pages[0]
    assert "已设置" in pages[1]
    audit_json = json.dumps(list(AuditEvent.objects.values("before", "after")), ensure_ascii=False)
    for text in [*pages, audit_json, caplog.text]:
        assert SECRET not in text
        assert TOKEN not in text


def test_editing_with_blank_webhook_and_secret_keeps_them(web_as, admin, server):
    channel = channel_create(
        actor=admin,
        name="钉钉",
        kind=ChannelKind.DINGTALK,
        webhook_url=f"{server.url}/robot/send?access_token={TOKEN}",
        secret=SECRET,
    )
    stored = (channel.webhook_url_encrypted, channel.secret_encrypted)
    response = web_as(admin).post(
        f"/notifications/channels/{channel.pk}/",
        _form(server, name="钉钉改名", webhook_url="", secret="", min_severity="critical"),
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.webhook_url_encrypted, channel.secret_encrypted) == stored
    assert channel.name == "钉钉改名"
    assert channel.min_severity == Severity.CRITICAL
    event = AuditEvent.objects.get(action="notifications.channel.update")
    assert event.before["name"] == "钉钉"
    assert event.after["name"] == "钉钉改名"
    assert "webhook_changed" not in event.after


def test_clearing_the_secret(admin, server):
    channel = channel_create(
        actor=admin,
        name="钉钉",
        kind=ChannelKind.DINGTALK,
        webhook_url=f"{server.url}/x?access_token=t",
        secret=SECRET,
    )
    channel_update(
        actor=admin,
        channel=channel,
        name="钉钉",
        kind=ChannelKind.DINGTALK,
        min_severity=Severity.WARNING,
        alert_kinds=[],
        store=None,
        is_active=True,
        clear_secret=True,
    )
    channel.refresh_from_db()
    assert not channel.has_secret
    assert AuditEvent.objects.get(action="notifications.channel.update").after["signing_changed"]


def test_disable_and_enable_are_audited(web_as, admin, server):
    channel = channel_create(
        actor=admin, name="企微", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/s?key=k"
    )
    client = web_as(admin)
    client.post(f"/notifications/channels/{channel.pk}/active/", {"is_active": "0"})
    channel.refresh_from_db()
    assert not channel.is_active
    html = client.get("/notifications/channels/").content.decode()
    assert "已停用" in html
    client.post(f"/notifications/channels/{channel.pk}/active/", {"is_active": "1"})
    channel.refresh_from_db()
    assert channel.is_active
    events = AuditEvent.objects.filter(action="notifications.channel.update").order_by("id")
    assert [(e.before["is_active"], e.after["is_active"]) for e in events] == [
        (True, False),
        (False, True),
    ]


def test_send_test_message_goes_through_a_delivery(
    web_as, admin, server, django_capture_on_commit_callbacks
):
    channel = channel_create(
        actor=admin, name="企微", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/s?key=k"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = web_as(admin).post(f"/notifications/channels/{channel.pk}/test/")
    assert response.status_code == 302
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.title == "测试消息：企微"
    content = server.received[0]["json"]["markdown"]["content"]
    assert content.startswith("### 【提示】测试消息：企微")
    event = AuditEvent.objects.get(action="notifications.channel.test")
    assert event.after == {"delivery": delivery.pk}


@pytest.mark.parametrize("persona", ["kefu", "jingli", "shenji", "yunying"])
def test_only_the_administrator_manages_channels(web_as, demo, admin, server, persona):
    channel = channel_create(
        actor=admin, name="企微", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/s?key=k"
    )
    client = web_as(demo[persona])
    assert client.get("/notifications/channels/").status_code == 403
    assert client.post("/notifications/channels/new/", _form(server)).status_code == 403
    assert client.post(f"/notifications/channels/{channel.pk}/", _form(server)).status_code == 403
    assert (
        client.post(f"/notifications/channels/{channel.pk}/active/", {"is_active": "0"}).status_code
        == 403
    )
    assert client.post(f"/notifications/channels/{channel.pk}/test/").status_code == 403
    channel.refresh_from_db()
    assert channel.name == "企微"
    assert channel.is_active
    assert Channel.objects.count() == 1
    assert Delivery.objects.count() == 0
    with pytest.raises(Forbidden):
        channel_create(
            actor=demo[persona], name="x", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/s"
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"webhook_url": "ftp://example.cn/robot"}, "Webhook 地址须以 http:// 或 https:// 开头"),
        ({"webhook_url": "https://"}, "Webhook 地址须以 http:// 或 https:// 开头"),
        ({"webhook_url": "http://127.0.0.1:99999/x"}, "Webhook 地址须以 http:// 或 https:// 开头"),
        ({"kind": ChannelKind.WECOM}, "只有钉钉机器人使用加签密钥"),
    ],
)
def test_bad_input_is_refused_and_nothing_created(web_as, admin, server, changes, message):
    response = web_as(admin).post("/notifications/channels/new/", _form(server, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Channel.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="notifications.channel").exists()


def test_channel_names_are_unique(admin, server):
    channel_create(actor=admin, name="企微", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/s")
    with pytest.raises(Conflict):
        channel_create(
            actor=admin, name="企微", kind=ChannelKind.WECOM, webhook_url=f"{server.url}/t"
        )
    assert Channel.objects.count() == 1


def test_unknown_kind_and_severity_are_invalid(admin, server):
    with pytest.raises(Invalid):
        channel_create(actor=admin, name="a", kind="slack", webhook_url=f"{server.url}/s")
    with pytest.raises(Invalid):
        channel_create(
            actor=admin,
            name="a",
            kind=ChannelKind.WECOM,
            webhook_url=f"{server.url}/s",
            min_severity="loud",
        )


def test_unknown_channel_is_404(web_as, admin):
    assert web_as(admin).get("/notifications/channels/999999/").status_code == 404


def test_navigation_shows_channel_pages_to_the_admin_only(web_as, admin, kefu):
    admin_html = web_as(admin).get("/workbench/").content.decode()
    assert "通知渠道" in admin_html
    assert "投递记录" in admin_html
    kefu_html = web_as(kefu).get("/workbench/").content.decode()
    assert "/notifications/channels/" not in kefu_html
