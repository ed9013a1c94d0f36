"""Deliveries and alerts under concurrent workers, on PostgreSQL (real threads, real connections).

Claims shown here:
- a delivery is sent once even when two workers (a scheduled retry and the safety net) pick it
  up at the same moment: the claim is a conditional UPDATE, and only one wins;
- two workers raising the same alert at once give one open alert and one notice per person.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from storeops.accounts.models import User
from storeops.core import clock
from storeops.notifications.enums import ChannelKind, DeliveryStatus
from storeops.notifications.models import Alert, Channel, Delivery, Notification
from storeops.notifications.services import alert_raise, delivery_attempt
from tests.test_notifications_delivery import OK, RobotServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only")


def _together(target, count):
    """Run `target` in `count` threads released at the same instant; their results or errors."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index):
        try:
            barrier.wait(5)
            results[index] = target()
        except Exception as exc:  # reported by the test, not lost in the thread
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


class SlowRobot(RobotServer):
    """Answers after a pause, so a second worker arrives while the first is still sending."""

    def __init__(self) -> None:
        super().__init__([OK])
        handler = self.httpd.RequestHandlerClass
        original = handler.do_POST

        def slow(request_handler):
            time.sleep(0.5)
            original(request_handler)

        handler.do_POST = slow


def test_a_delivery_is_sent_once_by_racing_workers():
    server = SlowRobot()
    try:
        from storeops.core import crypto

        now = clock.now()
        channel = Channel.objects.create(
            name="企微",
            kind=ChannelKind.WECOM,
            webhook_url_encrypted=crypto.encrypt(f"{server.url}/send?key=k"),
            webhook_display=f"{server.url}/send?…",
            created_at=now,
            updated_at=now,
        )
        delivery = Delivery.objects.create(
            via=ChannelKind.WECOM,
            channel=channel,
            title="测试",
            created_at=now,
            next_attempt_at=now,
        )

        results = _together(lambda: delivery_attempt(delivery_id=delivery.pk), 4)

        assert results == [None, None, None, None]
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.attempts == 1
        assert len(server.received) == 1
    finally:
        server.close()


def test_the_same_alert_raised_at_once_opens_one_alert():
    people = [User.objects.create(username=f"p{i}") for i in range(3)]

    def raise_it():
        alert = alert_raise(
            kind="inventory.low_stock",
            title="库存不足",
            recipients=people,
            dedupe_key="low_stock:race",
        )
        return alert.pk

    results = _together(raise_it, 6)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Alert.objects.filter(dedupe_key="low_stock:race").count() == 1
    assert Notification.objects.filter(alert_id=results[0]).count() == 3
