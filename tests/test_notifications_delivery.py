"""Delivery outside the inbox (R4.3): WeCom/DingTalk robots on a local test server, e-mail.

The robot server is a real HTTP server on 127.0.0.1 (a free port) in a thread. Huey runs tasks
immediately in the tests, and a delayed retry lands in its in-memory schedule; the tests move
the clock (time-machine) and then run what is due: the scheduled retry itself, or the periodic
safety net.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from huey.contrib.djhuey import HUEY

from storeops.audit.models import AuditEvent
from storeops.core import clock
from storeops.notifications import services
from storeops.notifications.enums import ChannelKind, DeliveryStatus, DeliveryVia, Severity
from storeops.notifications.models import Alert, Delivery
from storeops.notifications.services import (
    BACKOFF_SECONDS,
    MAX_ATTEMPTS,
    alert_raise,
    channel_create,
    delivery_attempt,
    delivery_retry,
    notify,
    retry_delay,
)
from storeops.notifications.tasks import delivery_requeue_periodic_task

WEBHOOK_KEY = "wecom-key-6f1d2c"
DING_TOKEN = "ding-token-93ab"
DING_SECRET = "SEC0123456789abcdef-secret"


class RobotServer:
    """Answers each POST with the next of `answers` (the last one repeats) and keeps what came."""

    def __init__(self, answers: list[tuple[int, object]]) -> None:
        self.answers = list(answers)
        self.received: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                server.received.append(
                    {
                        "path": parts.path,
                        "query": urllib.parse.parse_qs(parts.query),
                        "json": json.loads(raw.decode("utf-8")),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                index = min(len(server.received) - 1, len(server.answers) - 1)
                status, body = server.answers[index]
                payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


OK = (200, {"errcode": 0, "errmsg": "ok"})
BOOM = (500, {"errcode": -1, "errmsg": "server error"})


@pytest.fixture
def robot():
    servers = []

    def start(*answers):
        server = RobotServer(list(answers) or [OK])
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _empty_schedule():
    """Huey's in-memory schedule outlives a test: start each one with nothing scheduled."""
    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


def run_scheduled() -> int:
    """Run the delayed tasks whose time has come (as the consumer's scheduler would)."""
    due = HUEY.read_schedule(HUEY._get_timestamp())
    for task in due:
        HUEY.execute(task)
    return len(due)


def _raise(recipients, django_capture_on_commit_callbacks, **extra):
    fields = {
        "kind": "inventory.low_stock",
        "title": "库存不足：SKU-001",
        "body": "可用库存 3，低于安全库存 10",
        "url": "/inventory/items/1/",
        "severity": Severity.WARNING,
        **extra,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return alert_raise(recipients=recipients, **fields)


def _wecom(admin, server, **extra):
    return channel_create(
        actor=admin,
        name=extra.pop("name", "运营群"),
        kind=ChannelKind.WECOM,
        webhook_url=f"{server.url}/cgi-bin/webhook/send?key={WEBHOOK_KEY}",
        **extra,
    )


# --- the "done when": retried after the robot first answers 500 ---------------------------------
def test_wecom_delivery_is_retried_after_a_500_and_then_sent(
    admin, kefu, robot, django_capture_on_commit_callbacks, settings
):
    settings.STOREOPS_BASE_URL = "https://ops.example.cn"
    server = robot(BOOM, OK)
    channel = _wecom(admin, server)

    alert = _raise([kefu], django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(alert=alert, channel=channel)
    assert delivery.via == DeliveryVia.WECOM
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at == delivery.last_attempt_at + dt.timedelta(seconds=30)
    assert len(server.received) == 1

    # nothing is due before the delay has passed
    assert run_scheduled() == 0
    with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
        assert run_scheduled() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert delivery.sent_at is not None
    assert len(server.received) == 2
    received = server.received[1]
    assert received["path"] == "/cgi-bin/webhook/send"
    assert received["query"] == {"key": [WEBHOOK_KEY]}
    assert received["content_type"].startswith("application/json")
    assert received["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": "### 【预警】库存不足：SKU-001\n\n可用库存 3，低于安全库存 10\n\n"
            "[查看详情](https://ops.example.cn/inventory/items/1/)"
        },
    }


def test_dingtalk_message_is_signed_with_the_secret(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(OK)
    channel = channel_create(
        actor=admin,
        name="钉钉告警群",
        kind=ChannelKind.DINGTALK,
        webhook_url=f"{server.url}/robot/send?access_token={DING_TOKEN}",
        secret=DING_SECRET,
        min_severity=Severity.CRITICAL,
    )

    alert = _raise([kefu], django_capture_on_commit_callbacks, severity=Severity.CRITICAL)

    assert Delivery.objects.get(alert=alert, channel=channel).status == DeliveryStatus.SENT
    (received,) = server.received
    query = received["query"]
    assert query["access_token"] == [DING_TOKEN]
    timestamp = query["timestamp"][0]
    assert abs(int(timestamp) - clock.now().timestamp() * 1000) < 60_000
    expected = base64.b64encode(
        hmac.new(
            DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undid the URL encoding
    assert received["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": "【严重】库存不足：SKU-001",
            "text": "### 【严重】库存不足：SKU-001\n\n可用库存 3，低于安全库存 10",
        },
    }


def test_channel_filters_decide_which_alerts_go_out(
    admin, kefu, stores, robot, django_capture_on_commit_callbacks
):
    server = robot(OK)
    _wecom(admin, server, name="严重", min_severity=Severity.CRITICAL)
    _wecom(admin, server, name="只要库存", alert_kinds=["inventory.low_stock"])
    _wecom(admin, server, name="只要京东", store=stores["jd-main"])
    _wecom(admin, server, name="停用的", is_active=False)

    warning_tb = _raise([kefu], django_capture_on_commit_callbacks, store=stores["tb-main"])
    other_kind = _raise(
        [kefu], django_capture_on_commit_callbacks, kind="orders.stuck", dedupe_key="o1"
    )
    critical_jd = _raise(
        [kefu],
        django_capture_on_commit_callbacks,
        store=stores["jd-main"],
        severity=Severity.CRITICAL,
        dedupe_key="jd1",
    )

    def names(alert):
        return sorted(Delivery.objects.filter(alert=alert).values_list("channel__name", flat=True))

    assert names(warning_tb) == ["只要库存"]
    assert names(other_kind) == []
    assert names(critical_jd) == ["严重", "只要京东", "只要库存"]
    assert len(server.received) == 4


def test_robot_message_masks_phone_numbers(admin, kefu, robot, django_capture_on_commit_callbacks):
    server = robot(OK)
    _wecom(admin, server)
    _raise([kefu], django_capture_on_commit_callbacks, body="买家 13812345678 催发货")
    content = server.received[0]["json"]["markdown"]["content"]
    assert "13812345678" not in content
    assert "138****5678" in content


# --- giving up, and what the administrator sees -------------------------------------------------
def _until_settled(delivery):
    """Move the clock past each retry's delay and run the safety net, until nothing is pending."""
    for _ in range(MAX_ATTEMPTS + 2):
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
            delivery_requeue_periodic_task.call_local()
    delivery.refresh_from_db()
    return delivery


def test_always_failing_robot_ends_failed_after_the_last_attempt(
    admin, kefu, jingli, robot, django_capture_on_commit_callbacks, web_as
):
    server = robot(BOOM)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)

    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
            delivery_requeue_periodic_task.call_local()

    delivery.refresh_from_db()
    assert waits == [30, 120, 480, 1800, 7200]  # the wait grows
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == 6
    assert delivery.next_attempt_at is None
    assert len(server.received) == MAX_ATTEMPTS
    assert WEBHOOK_KEY not in delivery.last_error
    # 系统管理员 is told on the 工作台, once however many deliveries fail
    failure = Alert.objects.get(dedupe_key=services.DELIVERY_FAILED_KEY, resolved_at__isnull=True)
    assert list(failure.notifications.values_list("recipient__username", flat=True)) == ["admin"]
    assert failure.url == "/notifications/deliveries/?status=failed"

    page = web_as(admin).get("/notifications/deliveries/", {"status": "failed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-delivery="{delivery.pk}" data-status="failed"' in html
    assert "HTTP 500" in html
    assert "重试" in html
    assert WEBHOOK_KEY not in html

    for persona in (kefu, jingli):
        assert web_as(persona).get("/notifications/deliveries/").status_code == 403
    nav = web_as(kefu).get("/workbench/").content.decode()
    assert "/notifications/deliveries/" not in nav
    assert "/notifications/deliveries/" in web_as(admin).get("/workbench/").content.decode()


def test_a_failed_delivery_is_retried_by_the_admin_audited(
    admin, kefu, robot, django_capture_on_commit_callbacks, web_as
):
    server = robot(*[BOOM] * MAX_ATTEMPTS, OK)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = _until_settled(Delivery.objects.get(alert=alert, channel=channel))
    assert delivery.status == DeliveryStatus.FAILED

    # someone without the permission cannot retry: nothing changes
    response = web_as(kefu).post(f"/notifications/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert not AuditEvent.objects.filter(action="notifications.delivery.retry").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = web_as(admin).post(f"/notifications/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert len(server.received) == MAX_ATTEMPTS + 1
    event = AuditEvent.objects.get(action="notifications.delivery.retry")
    assert event.actor_username == "admin"
    assert event.object_id == str(delivery.pk)
    assert event.before["status"] == "failed"
    assert event.after == {"status": "pending", "attempts": 0}
    # nothing failed any more: the administrators' alert is resolved
    assert not Alert.objects.filter(
        dedupe_key=services.DELIVERY_FAILED_KEY, resolved_at__isnull=True
    ).exists()
    assert Alert.objects.filter(dedupe_key=services.DELIVERY_FAILED_KEY).count() == 1


def test_only_a_failed_delivery_can_be_retried(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(OK)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)
    from storeops.core.errors import Conflict

    with pytest.raises(Conflict):
        delivery_retry(actor=admin, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_unreachable_robot_is_a_failed_attempt(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(OK)
    url = server.url
    server.close()  # nothing listens any more
    channel = channel_create(
        actor=admin, name="掉线的群", kind=ChannelKind.WECOM, webhook_url=f"{url}/send?key=k-9"
    )
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "连接失败" in delivery.last_error
    assert "k-9" not in delivery.last_error


def test_non_zero_errcode_is_a_failure(admin, kefu, robot, django_capture_on_commit_callbacks):
    server = robot((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "errcode=93000 invalid webhook url"


# --- idempotence --------------------------------------------------------------------------------
def test_a_sent_delivery_is_never_sent_again(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(OK)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)
    assert delivery.status == DeliveryStatus.SENT

    assert delivery_attempt(delivery_id=delivery.pk) is None
    with time_machine.travel(clock.now() + dt.timedelta(days=1)):
        delivery_requeue_periodic_task.call_local()
    assert len(server.received) == 1

    # the dispatch task run twice creates no second delivery
    from storeops.notifications.tasks import notification_dispatch_task

    notification_ids = tuple(alert.notifications.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        notification_dispatch_task.call_local(notification_ids, alert.pk)
    assert Delivery.objects.filter(alert=alert).count() == 1
    assert len(server.received) == 1


def test_a_delivery_left_sending_by_a_dead_worker_is_picked_up(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(BOOM, OK)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert, channel=channel)
    # a worker claimed the retry and died before it finished
    now = clock.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=2, next_attempt_at=now + services.SENDING_LEASE
    )
    delivery_requeue_periodic_task.call_local()  # still within the lease: left alone
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING

    with time_machine.travel(now + services.SENDING_LEASE + dt.timedelta(seconds=1)):
        delivery_requeue_periodic_task.call_local()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3


def test_backoff_grows_and_stops():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays == [*BACKOFF_SECONDS, None]
    assert all(a < b for a, b in itertools.pairwise(BACKOFF_SECONDS))


# --- after commit only --------------------------------------------------------------------------
def test_a_rolled_back_alert_sends_nothing(admin, kefu, robot, django_capture_on_commit_callbacks):
    server = robot(OK)
    _wecom(admin, server)
    kefu.email = "kefu@example.cn"
    kefu.save()

    def raise_then_fail():
        with transaction.atomic():
            alert_raise(kind="x.y", title="回滚的预警", recipients=[kefu])
            raise RuntimeError("roll back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        raise_then_fail()
    assert callbacks == []
    assert Delivery.objects.count() == 0
    assert server.received == []
    assert mail.outbox == []


# --- e-mail -------------------------------------------------------------------------------------
def test_alert_goes_by_email_to_recipients_with_an_address(
    kefu, cangku, django_capture_on_commit_callbacks, settings
):
    settings.STOREOPS_BASE_URL = "https://ops.example.cn/"
    kefu.email = "kefu@example.cn"
    kefu.save()

    alert = _raise([kefu, cangku], django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["kefu@example.cn"]
    assert message.subject == "【预警】库存不足：SKU-001"
    assert "可用库存 3，低于安全库存 10" in message.body
    assert "https://ops.example.cn/inventory/items/1/" in message.body
    (delivery,) = Delivery.objects.filter(alert=alert)
    assert delivery.via == DeliveryVia.EMAIL
    assert delivery.notification.recipient == kefu
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1


def test_plain_notices_stay_in_the_inbox(kefu, django_capture_on_commit_callbacks):
    kefu.email = "kefu@example.cn"
    kefu.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="governance.approval", title="有一项审批等你处理", recipients=[kefu])
    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_email_failure_is_retried(kefu, django_capture_on_commit_callbacks, monkeypatch):
    kefu.email = "kefu@example.cn"
    kefu.save()
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OSError("SMTP down for kefu@example.cn")
        return 1

    monkeypatch.setattr("storeops.notifications.channels.send_mail", flaky)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(alert=alert)
    assert delivery.status == DeliveryStatus.PENDING
    assert "kefu@example.cn" not in delivery.last_error  # no personal data in the error
    with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
        run_scheduled()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2


def test_disabled_channel_fails_its_pending_deliveries_without_retrying(
    admin, kefu, robot, django_capture_on_commit_callbacks
):
    server = robot(BOOM, OK)
    channel = _wecom(admin, server)
    alert = _raise([kefu], django_capture_on_commit_callbacks)
    services.channel_set_active(actor=admin, channel=channel, is_active=False)
    delivery = _until_settled(Delivery.objects.get(alert=alert, channel=channel))
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "通知渠道已停用"
    assert len(server.received) == 1


def test_secret_is_encrypted_at_rest(admin, robot):
    server = robot(OK)
    channel = channel_create(
        actor=admin,
        name="钉钉",
        kind=ChannelKind.DINGTALK,
        webhook_url=f"{server.url}/robot/send?access_token={DING_TOKEN}",
        secret=DING_SECRET,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_channel WHERE id = %s", [channel.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert DING_SECRET not in row
    assert DING_TOKEN not in row
    assert channel.webhook_display == f"{server.url}/robot/send?…"
