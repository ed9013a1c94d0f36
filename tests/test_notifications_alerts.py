"""Raising and resolving alerts, plain notices (R4.3): who is told, once, and what is recorded."""

from __future__ import annotations

from storeops.audit.models import AuditEvent
from storeops.core.roles import RoleCode
from storeops.notifications.enums import Severity
from storeops.notifications.models import Alert, Notification
from storeops.notifications.selectors import alert_open_for, users_with_roles
from storeops.notifications.services import alert_raise, alert_resolve, notify


def test_raising_twice_while_open_gives_one_alert_and_one_notice_each(kefu, cangku):
    first = alert_raise(
        kind="inventory.low_stock",
        title="库存不足：SKU-001",
        recipients=[kefu, cangku, kefu],  # a person listed twice is told once
        dedupe_key="low_stock:SKU-001",
    )
    again = alert_raise(
        kind="inventory.low_stock",
        title="库存不足：SKU-001",
        recipients=[kefu, cangku],
        dedupe_key="low_stock:SKU-001",
    )
    assert again.pk == first.pk
    assert Alert.objects.filter(kind="inventory.low_stock").count() == 1
    assert sorted(
        Notification.objects.filter(alert=first).values_list("recipient__username", flat=True)
    ) == [
        "cangku",
        "kefu",
    ]
    event = AuditEvent.objects.get(action="notifications.alert.raise", object_id=str(first.pk))
    assert event.after["recipients"] == ["kefu", "cangku"]
    assert event.after["dedupe_key"] == "low_stock:SKU-001"


def test_resolving_then_raising_again_opens_a_new_alert(kefu):
    first = alert_raise(kind="k.a", title="一", recipients=[kefu], dedupe_key="key-1")
    assert alert_resolve(dedupe_key="key-1") == 1
    assert alert_resolve(dedupe_key="key-1") == 0  # nothing open any more
    first.refresh_from_db()
    assert first.resolved_at is not None
    assert list(alert_open_for(actor=kefu)) == []

    second = alert_raise(kind="k.a", title="二", recipients=[kefu], dedupe_key="key-1")
    assert second.pk != first.pk
    assert Notification.objects.filter(recipient=kefu, kind="k.a").count() == 2
    assert list(alert_open_for(actor=kefu)) == [second]
    assert AuditEvent.objects.filter(action="notifications.alert.resolve").count() == 1


def test_alerts_without_key_are_never_merged(kefu):
    alert_raise(kind="k.a", title="一", recipients=[kefu])
    alert_raise(kind="k.a", title="一", recipients=[kefu])
    assert Alert.objects.filter(kind="k.a").count() == 2


def test_inactive_people_are_not_told(kefu, cangku):
    cangku.is_active = False
    cangku.save()
    notices = notify(kind="governance.approval", title="待审批", recipients=[kefu, cangku, None])
    assert [n.recipient for n in notices] == [kefu]
    assert notices[0].severity == Severity.INFO


def test_users_with_roles_in_a_store(stores, kefu, kefu_jd, cangku):
    everyone = users_with_roles([RoleCode.CUSTOMER_SERVICE])
    assert list(everyone.values_list("username", flat=True)) == sorted(
        ["kefu", "kefu_jd"], key=lambda n: {"kefu": kefu.pk, "kefu_jd": kefu_jd.pk}[n]
    )
    in_tmall = users_with_roles([RoleCode.CUSTOMER_SERVICE], store=stores["tm-flagship"])
    assert list(in_tmall) == [kefu]
