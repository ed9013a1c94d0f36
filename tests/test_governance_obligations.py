"""Obligations (R3.2, R3.3): schedules, one period per period, overdue alerts on a frozen clock,
completion with evidence; the API and pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storeops.accounts.models import Store
from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.models import Obligation, ObligationOccurrence
from storeops.governance.schedules import ScheduleError, parse_schedule
from storeops.governance.selectors import obligation_for, occurrence_current
from storeops.governance.services import (
    obligation_create,
    obligation_update,
    occurrence_complete,
    occurrence_generate,
    occurrence_mark_overdue,
)
from storeops.governance.tasks import obligation_tick
from storeops.inventory.models import Warehouse
from storeops.notifications.models import Alert, Notification
from storeops.org.selectors import contact_persons_for_user
from storeops.org.services import department_create

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=SH)  # a Monday, before 09:00


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def weekly_stocktake(actor, owner, **extra):
    fields = {
        "title": "测试盘点",
        "owner": owner,
        "schedule": "0 9 * * 1",
        "due_hours": 48,
        "policy_id": "R3.2",
        "kind": "test.stocktake",
    }
    fields.update(extra)
    return obligation_create(actor=actor, **fields)


# --- schedules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schedule", "now", "opens"),
    [
        ("0 9 * * 1", at(2026, 3, 4, 10, 0), at(2026, 3, 2, 9, 0)),
        ("0 9 * * 1", at(2026, 3, 2, 9, 0), at(2026, 3, 2, 9, 0)),
        ("0 9 * * 1", at(2026, 3, 2, 8, 59), at(2026, 2, 23, 9, 0)),
        ("0 9 1 * *", at(2026, 3, 4, 10, 0), at(2026, 3, 1, 9, 0)),
        ("30 8 * * 1-5", at(2026, 3, 7, 12, 0), at(2026, 3, 6, 8, 30)),  # Saturday → Friday
        ("0 9 15 * 0", at(2026, 3, 12, 0, 0), at(2026, 3, 8, 9, 0)),  # either day field
        ("every 15 days from 2026-01-01 09:00", at(2026, 3, 4, 10, 0), at(2026, 3, 2, 9, 0)),
        ("every 15 days from 2026-01-01 09:00", at(2026, 3, 17, 8, 0), at(2026, 3, 2, 9, 0)),
        ("once 2026-03-04 09:30", at(2026, 3, 4, 10, 0), at(2026, 3, 4, 9, 30)),
        ("once 2026-03-04 09:30", at(2026, 3, 4, 9, 0), None),
        ("every 7 days from 2026-04-01", at(2026, 3, 4, 10, 0), None),
    ],
)
def test_schedule_period_start_in_shanghai_time(schedule, now, opens):
    assert parse_schedule(schedule).latest_start(now.astimezone(dt.UTC)) == opens


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("", "请填写周期"),
        ("0 9 * *", "5 段定时表达式"),
        ("61 9 * * 1", "61 超出范围（0–59）"),
        ("0 24 * * 1", "24 超出范围（0–23）"),
        ("0 9 31 2 *", "一年内不会触发"),
        ("every 0 days from 2026-01-01", "间隔天数须在 1 到 366 之间"),
        ("once 2026-02-30 09:00", "日期无效"),
        ("0 9 * * mon", "无法识别"),
    ],
)
def test_bad_schedules_say_why(schedule, message):
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(schedule)


# --- create and generate -------------------------------------------------------------------------
def test_create_opens_the_current_period_and_audits(jingli, kefu, db):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu)

    occurrence = obligation.occurrences.get()
    assert occurrence.period_key == "2026-03-02 09:00"
    assert occurrence.opens_at == at(2026, 3, 2, 9, 0)
    assert occurrence.due_at == at(2026, 3, 4, 9, 0)
    assert occurrence.status == OccurrenceStatus.OPEN
    assert occurrence_current(obligation) == occurrence
    assert obligation_for(kind="test.stocktake", owner=kefu) == obligation
    event = AuditEvent.objects.get(action="governance.obligation.create", actor=jingli)
    assert event.actor == jingli
    assert event.after["schedule"] == "0 9 * * 1"
    assert Notification.objects.filter(recipient=kefu, kind="governance.obligation_open").exists()


def test_a_period_already_over_at_creation_is_not_opened(jingli, kefu):
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False):  # Monday's period ended Wed 09:00
        obligation = weekly_stocktake(jingli, kefu)
    assert obligation.occurrences.count() == 0


def test_generation_is_once_per_period_and_the_next_period_adds_one(jingli, kefu):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu)
        assert occurrence_generate() == 0  # created with its period already
        assert occurrence_generate() == 0
    with time_machine.travel(at(2026, 3, 6, 10, 0), tick=False):
        assert occurrence_generate() == 0  # same week
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        assert occurrence_generate() == 1
        assert occurrence_generate() == 0
    keys = list(obligation.occurrences.order_by("opens_at").values_list("period_key", flat=True))
    assert keys == ["2026-03-02 09:00", "2026-03-09 09:00"]


def test_inactive_obligations_open_nothing(jingli, kefu):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu)
        obligation_update(
            actor=jingli,
            obligation=obligation,
            title=obligation.title,
            owner=kefu,
            schedule=obligation.schedule,
            due_hours=48,
            is_active=False,
            policy_id="R3.2",
        )
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        assert occurrence_generate() == 0
    assert AuditEvent.objects.get(action="governance.obligation.update").after["is_active"] is False


def test_create_refusals_and_bad_input(kefu, jingli, kefu_jd, stores):
    existing = Obligation.objects.count()  # the demo's
    with pytest.raises(Forbidden):
        weekly_stocktake(kefu, kefu)
    with pytest.raises(Invalid) as bad:
        weekly_stocktake(jingli, kefu, schedule="每周一")
    assert bad.value.details == {"field": "schedule"}
    with pytest.raises(Invalid) as bad:
        weekly_stocktake(jingli, kefu, due_hours=0)
    assert bad.value.details == {"field": "due_hours"}
    with pytest.raises(Invalid) as bad:
        weekly_stocktake(jingli, kefu, title=" ")
    assert bad.value.details == {"field": "title"}
    with pytest.raises(Invalid) as bad:
        weekly_stocktake(jingli, kefu_jd, store=stores["tb-main"])
    assert bad.value.code == "obligation.owner_not_in_store"
    assert Obligation.objects.count() == existing
    assert not AuditEvent.objects.filter(
        action="governance.obligation.create", actor__isnull=False
    ).exists()


# --- overdue and completion ----------------------------------------------------------------------
def test_overdue_alerts_the_owner_and_the_contact_person_once(jingli, kefu, shenji):
    department_create(
        actor=None, code="stocktake-team", name="盘点小组", contact_person=shenji, members=[kefu]
    )
    contacts = {u.username for u in contact_persons_for_user(kefu)}
    assert "shenji" in contacts
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu)
        assert occurrence_mark_overdue() == 0
    occurrence = obligation.occurrences.get()
    with time_machine.travel(at(2026, 3, 4, 8, 59), tick=False):
        assert occurrence_mark_overdue() == 0  # due 09:00
    with time_machine.travel(at(2026, 3, 4, 9, 1), tick=False):
        assert occurrence_mark_overdue() == 1
        assert occurrence_mark_overdue() == 0

    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.OVERDUE
    alert = Alert.objects.get(kind="governance.obligation_overdue")
    assert alert.title == "定期任务逾期：测试盘点（李客服）"
    assert alert.resolved_at is None
    told = set(alert.notifications.values_list("recipient__username", flat=True))
    assert told == {"kefu", *contacts}
    assert AuditEvent.objects.filter(action="governance.occurrence.overdue").count() == 1


def test_completing_an_overdue_period_resolves_its_alert(jingli, kefu):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu)
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False):
        obligation_tick()
        occurrence = occurrence_current(obligation)
        done = occurrence_complete(
            actor=kefu, occurrence=occurrence, evidence="https://example.test/stocktake/12"
        )

    assert done.status == OccurrenceStatus.DONE
    assert done.done_by == kefu
    assert done.done_at == at(2026, 3, 5, 10, 0)
    assert (
        Alert.objects.get(
            kind="governance.obligation_overdue", object_id=str(occurrence.pk)
        ).resolved_at
        is not None
    )
    event = AuditEvent.objects.get(
        action="governance.occurrence.complete", object_id=str(occurrence.pk)
    )
    assert event.before == {"status": "overdue"}
    assert event.after["evidence"] == "https://example.test/stocktake/12"
    assert occurrence_current(obligation) is None
    with pytest.raises(Conflict):
        occurrence_complete(actor=kefu, occurrence=done, evidence="again")


def test_who_may_complete(jingli, kefu, cangku, kefu_jd, stores):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        obligation = weekly_stocktake(jingli, kefu, store=stores["tb-main"])
    occurrence = obligation.occurrences.get()
    with pytest.raises(Forbidden):
        occurrence_complete(actor=cangku, occurrence=occurrence, evidence="x")
    with pytest.raises(Invalid) as bad:
        occurrence_complete(actor=kefu, occurrence=occurrence, evidence="  ")
    assert bad.value.details == {"field": "evidence"}
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.OPEN
    jingli.stores.set([stores["jd-main"]])
    jingli.forget_access_cache()
    with pytest.raises(NotFound):
        occurrence_complete(actor=jingli, occurrence=occurrence, evidence="x")
    assert occurrence_complete(actor=kefu, occurrence=occurrence, evidence="盘点完毕").status == (
        OccurrenceStatus.DONE
    )


# --- API -----------------------------------------------------------------------------------------
def test_api_occurrences_and_complete(api_as, jingli, kefu, cangku, shenji):
    obligation = weekly_stocktake(jingli, kefu, schedule="every 7 days from 2026-01-01 09:00")
    occurrence = obligation.occurrences.get()

    mine = api_as(kefu).get("/api/v1/obligations/occurrences").json()
    assert mine["items"][0]["id"] == occurrence.pk  # newest first
    assert mine["items"][0]["title"] == "测试盘点"
    assert mine["items"][0]["status"] == "open"
    assert {o["owner"] for o in mine["items"]} == {"kefu"}
    assert api_as(cangku).get("/api/v1/obligations/occurrences").json()["items"] == []
    assert api_as(cangku).get("/api/v1/obligations/occurrences", mine="false").status_code == 403
    everyone = api_as(shenji).get("/api/v1/obligations/occurrences", mine="false").json()
    assert occurrence.pk in [o["id"] for o in everyone["items"]]
    assert {"kefu", "caiwu"} <= {o["owner"] for o in everyone["items"]}

    url = f"/api/v1/obligations/occurrences/{occurrence.pk}/complete"
    assert api_as(cangku).post(url, {"evidence": "x"}).status_code == 404
    assert api_as(shenji).post(url, {"evidence": "x"}).status_code == 403
    assert api_as(kefu).post(url, {}).status_code == 422
    assert api_as(kefu).post(url, {"evidence": ""}).json()["error"]["details"] == {
        "field": "evidence"
    }
    response = api_as(kefu).post(url, {"evidence": "https://example.test/count/1"})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["done_by"] == "kefu"
    assert api_as(kefu).post(url, {"evidence": "again"}).status_code == 409


def test_api_obligation_definitions(api_as, jingli, kefu, cangku, stores):
    payload = {
        "title": "测试对账",
        "owner_id": kefu.pk,
        "schedule": "0 10 * * 5",
        "due_hours": 24,
        "policy_id": "R2.16",
        "store": "tb-main",
    }
    assert api_as(cangku).post("/api/v1/obligations", payload).status_code == 403
    response = api_as(jingli).post("/api/v1/obligations", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == Obligation.objects.get(title="测试对账").pk
    assert (body["owner"], body["store"], body["schedule"]) == ("kefu", "tb-main", "0 10 * * 5")

    listed = api_as(jingli).get("/api/v1/obligations").json()
    assert listed["items"][0]["title"] == "测试对账"
    assert api_as(cangku).get("/api/v1/obligations").status_code == 403

    bad = api_as(jingli).post("/api/v1/obligations", {**payload, "schedule": "whenever"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"] == {"field": "schedule"}
    assert api_as(jingli).post("/api/v1/obligations", {**payload, "owner_id": 999999}).json()[
        "error"
    ]["details"] == {"field": "owner_id"}
    assert api_as(jingli).post("/api/v1/obligations", {**payload, "due_hours": -1}).status_code == (
        422
    )
    assert api_as(jingli).post("/api/v1/obligations", {**payload, "store": "nope"}).status_code == (
        404
    )
    assert Obligation.objects.filter(title="测试对账").count() == 1


# --- pages ---------------------------------------------------------------------------------------
def test_pages_my_list_complete_and_definitions(web_as, jingli, kefu, cangku):
    obligation = weekly_stocktake(jingli, kefu, schedule="every 7 days from 2026-01-01 09:00")
    occurrence = obligation.occurrences.get()

    html = web_as(kefu).get("/governance/obligations/").content.decode()
    assert "我的定期任务" in html
    assert "测试盘点" in html
    assert "测试盘点" not in web_as(cangku).get("/governance/obligations/").content.decode()
    assert "测试盘点" in web_as(kefu).get("/workbench/").content.decode()

    complete_url = f"/governance/obligations/occurrences/{occurrence.pk}/complete/"
    assert web_as(cangku).get(complete_url).status_code == 404
    empty = web_as(kefu).post(complete_url, {"evidence": ""})
    assert empty.status_code == 200
    response = web_as(kefu).post(complete_url, {"evidence": "盘点单 #7"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.evidence) == (OccurrenceStatus.DONE, "盘点单 #7")

    assert web_as(kefu).get("/governance/obligations/definitions/").status_code == 403
    manager = web_as(jingli)
    assert "测试盘点" in manager.get("/governance/obligations/definitions/").content.decode()
    created = manager.post(
        "/governance/obligations/definitions/new/",
        {
            "title": "软营销复盘",
            "policy_id": "R2.12",
            "owner": kefu.pk,
            "schedule": "0 9 1 * *",
            "due_hours": 72,
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    bad = manager.post(
        "/governance/obligations/definitions/new/",
        {"title": "x", "owner": kefu.pk, "schedule": "1 2 3", "due_hours": 1},
    )
    assert "5 段定时表达式" in bad.content.decode()
    edit = manager.post(
        f"/governance/obligations/definitions/{obligation.pk}/",
        {
            "title": "测试盘点（全部商品）",
            "policy_id": "R3.2",
            "owner": kefu.pk,
            "schedule": "0 9 * * 1",
            "due_hours": 48,
        },
    )
    assert edit.status_code == 302
    obligation.refresh_from_db()
    assert (obligation.title, obligation.is_active) == ("测试盘点（全部商品）", False)
    everyone = manager.get("/governance/obligations/?scope=all&policy_id=R3.2").content.decode()
    assert "测试盘点（全部商品）" in everyone
    assert ObligationOccurrence.objects.count() >= 1


def test_demo_has_the_policy_duties_with_their_current_period(demo):
    from storeops.demo.services import demo_seed
    from tests.conftest import PASSWORD

    demo_seed(password=PASSWORD)  # idempotent
    duties = {
        o.policy_id: (o.owner.username, o.title)
        for o in Obligation.objects.exclude(policy_id__in=["R3.2", "R3.3"]).exclude(
            kind="storefront.blog_weekly"  # one per store: tests/test_storefront_blog.py
        )
    }
    assert duties == {
        "R2.16": ("caiwu", "及时对账"),
        "R2.12": ("yingxiao", "软营销复盘"),
    }
    # R3.3's half-monthly copy refresh: one duty per store, for its 企划 (content)
    refresh = Obligation.objects.filter(policy_id="R3.3").select_related("store", "owner")
    assert sorted(o.store.code for o in refresh) == sorted(
        Store.objects.filter(is_active=True).values_list("code", flat=True)
    )
    assert {o.owner.username for o in refresh} == {"qihua"}
    # R3.2's weekly count: one duty per active warehouse, for 客服, its first week open
    counts = Obligation.objects.filter(policy_id="R3.2").select_related("owner")
    assert counts.count() == Warehouse.objects.filter(is_active=True).count() >= 2
    assert {o.owner.username for o in counts} == {"kefu"}
    assert all(o.occurrences.exists() for o in counts)  # the first week opened at once
