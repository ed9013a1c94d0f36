"""Housekeeping: old read notices, sent deliveries and long-resolved alerts are purged; nothing a
user still needs (unread, an open alert, a failed delivery) is ever deleted."""

import datetime as dt

import pytest
import time_machine

from storeops.notifications.enums import DeliveryStatus, DeliveryVia
from storeops.notifications.models import Alert, Delivery, Notification
from storeops.notifications.services import alert_raise, alert_resolve, notifications_purge, notify
from storeops.notifications.tasks import notifications_purge_periodic_task

pytestmark = pytest.mark.django_db
LONG_AGO = dt.datetime(2025, 1, 5, 2, 0, tzinfo=dt.UTC)


def _mine(user):
    return Notification.objects.filter(recipient=user, title__startswith="清理测试")


def test_old_read_notices_and_resolved_alerts_go_unread_and_open_ones_stay(kefu, cangku):
    with time_machine.travel(LONG_AGO, tick=False):
        notify(kind="x.notice", title="清理测试：已读通知", recipients=[kefu])
        notify(kind="x.notice", title="清理测试：未读通知", recipients=[kefu])
        alert_raise(kind="x.a", title="清理测试：已解决", recipients=[kefu], dedupe_key="purge:a")
        alert_raise(
            kind="x.b", title="清理测试：仍未解决", recipients=[cangku], dedupe_key="purge:b"
        )
        _mine(kefu).exclude(title__endswith="未读通知").update(read_at=LONG_AGO)
        _mine(cangku).update(read_at=LONG_AGO)
        alert_resolve(dedupe_key="purge:a")
        notice = _mine(kefu).get(title__endswith="已读通知")
        sent = Delivery.objects.create(
            via=DeliveryVia.EMAIL,
            notification=notice,
            title="x",
            status=DeliveryStatus.SENT,
            created_at=LONG_AGO,
            sent_at=LONG_AGO,
        )
    with time_machine.travel(LONG_AGO + dt.timedelta(days=100), tick=False):
        counts = notifications_purge()
        assert counts["deliveries"] >= 1
        assert counts["notifications"] == 0
        assert not Delivery.objects.filter(pk=sent.pk).exists()
        assert _mine(kefu).count() == 3  # read 100 days ago: still kept
    with time_machine.travel(LONG_AGO + dt.timedelta(days=400), tick=False):
        notifications_purge_periodic_task.call_local()

    assert sorted(_mine(kefu).values_list("title", flat=True)) == ["清理测试：未读通知"]
    assert list(_mine(cangku).values_list("title", flat=True)) == ["清理测试：仍未解决"]
    assert not Alert.objects.filter(dedupe_key="purge:a").exists()
    assert Alert.objects.filter(dedupe_key="purge:b", resolved_at__isnull=True).exists()


def test_a_failed_delivery_keeps_its_notice_for_the_administrator(kefu):
    with time_machine.travel(LONG_AGO, tick=False):
        notify(kind="x.notice", title="清理测试：发送失败", recipients=[kefu])
        notice = _mine(kefu).get()
        notice.read_at = LONG_AGO
        notice.save()
        Delivery.objects.create(
            via=DeliveryVia.EMAIL,
            notification=notice,
            title="x",
            status=DeliveryStatus.FAILED,
            created_at=LONG_AGO,
        )
    with time_machine.travel(LONG_AGO + dt.timedelta(days=400), tick=False):
        notifications_purge()

    assert _mine(kefu).count() == 1
    assert Delivery.objects.filter(notification=notice, status=DeliveryStatus.FAILED).count() == 1
