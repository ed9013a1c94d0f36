"""R4.2 on a frozen clock: deadlines 24 h / 12 h from the intake or the draft's creation, the
owner told at 75 %, the store's 经理 on breach (once each), resolved by publishing; the report."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from storeops.content.models import ReleaseDraft
from storeops.content.selectors import publication_list, sla_state
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    intake_create,
    sla_check,
)
from storeops.content.tasks import draft_sla_check_task
from storeops.core.clock import BUSINESS_TZ
from storeops.governance.services import policy_set
from storeops.notifications.models import Alert
from tests.content_helpers import scanner  # noqa: F401

pytestmark = pytest.mark.usefixtures("scanner")


def at(day, hour, minute=0):
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=BUSINESS_TZ)


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


def new_draft(qihua, stores, priority="general", intake=None):
    return draft_create(
        actor=qihua,
        store=stores["tb-main"],
        kind="blog",
        title="新品博客",
        body="正文",
        priority=priority,
        intake=intake,
    )


def test_deadline_from_creation_24h_general_12h_important(qihua, stores):
    with time_machine.travel(at(1, 9), tick=False):
        general = new_draft(qihua, stores)
        important = new_draft(qihua, stores, priority="important")

    assert general.sla_started_at == at(1, 9)
    assert general.sla_deadline == at(2, 9)
    assert important.sla_deadline == at(1, 21)


def test_deadline_from_the_intake_time(qihua, demo, stores):
    with time_machine.travel(at(1, 8), tick=False):
        item = intake_create(
            actor=demo["shichang"],
            source="marketing_group",
            classification="price",
            title="调价",
            content="99 元",
            store=stores["tb-main"],
        )
    with time_machine.travel(at(1, 11), tick=False):
        draft = new_draft(qihua, stores, priority="important", intake=item)

    assert draft.sla_started_at == at(1, 8)
    assert draft.sla_deadline == at(1, 20)


def test_deadline_is_frozen_from_the_policy_at_creation(qihua, demo, stores):
    policy_set(actor=demo["admin"], key="publish_sla_general_hours", value=48)
    with time_machine.travel(at(1, 9), tick=False):
        draft = new_draft(qihua, stores)
    policy_set(actor=demo["admin"], key="publish_sla_general_hours", value=24)

    assert ReleaseDraft.objects.get(pk=draft.pk).sla_deadline == at(3, 9)


def test_warning_at_75_percent_to_owner_and_breach_to_managers_once(qihua, demo, stores):
    with time_machine.travel(at(1, 8), tick=False):
        draft = new_draft(qihua, stores, priority="important")  # deadline 20:00, 75 % at 17:00
    with time_machine.travel(at(1, 16, 59), tick=False):
        assert sla_check() == {"warned": 0, "breached": 0}
        assert sla_state(ReleaseDraft.objects.get(pk=draft.pk))["level"] == "ok"
    with time_machine.travel(at(1, 17), tick=False):
        assert sla_check() == {"warned": 1, "breached": 0}
        assert sla_check() == {"warned": 0, "breached": 0}
        assert sla_state(ReleaseDraft.objects.get(pk=draft.pk))["level"] == "warning"
    warning = Alert.objects.get(dedupe_key=f"content.draft_sla_warning:{draft.pk}")
    assert list(warning.notifications.values_list("recipient__username", flat=True)) == ["qihua"]
    with time_machine.travel(at(1, 20, 1), tick=False):
        assert draft_sla_check_task.call_local() == {"warned": 0, "breached": 1}
        assert sla_check() == {"warned": 0, "breached": 0}
        assert sla_state(ReleaseDraft.objects.get(pk=draft.pk))["level"] == "breached"
    breach = Alert.objects.get(dedupe_key=f"content.draft_sla_breach:{draft.pk}")
    assert breach.severity == "critical"
    assert set(breach.notifications.values_list("recipient__username", flat=True)) == {"jingli"}

    with time_machine.travel(at(1, 21), tick=False):
        draft_submit(actor=qihua, draft=draft)
        draft_approve(actor=demo["jingli"], draft=draft, comment="")
        publication = draft_publish(actor=qihua, draft=draft)

    assert publication.is_sla_met is False
    assert publication.lead_time_seconds == 13 * 3600
    assert (
        Alert.objects.filter(
            resolved_at__isnull=True,
            dedupe_key__startswith="content.draft_sla_",
            object_id=str(draft.pk),
        ).count()
        == 0
    )


def test_publication_in_time_is_met_and_reported_by_month(qihua, demo, stores):
    with time_machine.travel(at(1, 9), tick=False):
        draft = new_draft(qihua, stores)
        draft_submit(actor=qihua, draft=draft)
    with time_machine.travel(at(1, 15), tick=False):
        draft_approve(actor=demo["jingli"], draft=draft, comment="")
        publication = draft_publish(actor=qihua, draft=draft)

    assert publication.is_sla_met is True
    assert publication.lead_time_seconds == 6 * 3600
    assert list(publication_list(actor=demo["jingli"], month=dt.date(2026, 4, 1))) == [publication]
    assert list(publication_list(actor=demo["jingli"], month=dt.date(2026, 5, 1))) == []
