"""Concurrency claims of the governance app, with real workers:

- two consumers opening obligation periods at the same moment open each period exactly once
  (the unique (obligation, period) constraint decides, not luck): real processes against a SQLite
  file database, and real threads against PostgreSQL;
- two approvers deciding the same step at once give one decision and one refusal (row lock).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from tests.concurrency import race

SH = ZoneInfo("Asia/Shanghai")
CREATED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # Monday: the first period opens on create
NEXT_WEEK = dt.datetime(2026, 3, 9, 9, 30, tzinfo=SH)
WEEK_AFTER = dt.datetime(2026, 3, 16, 9, 30, tzinfo=SH)
OBLIGATIONS = 5


# --- SQLite file database, two worker processes --------------------------------------------------
def _django_in(data_dir: str) -> None:
    """Set up Django in a fresh process on the SQLite file database in `data_dir`."""
    os.environ["STOREOPS_DATA_DIR"] = data_dir
    for name in ("STOREOPS_DATABASE_URL", "STOREOPS_TEST_ON_POSTGRES", "STOREOPS_REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()


def _prepare(data_dir: str) -> None:
    _django_in(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from storeops.accounts.services import user_create
    from storeops.governance.services import obligation_create

    owner = user_create(actor=None, username="kefu", password=None, first_name="李客服")
    with time_machine.travel(CREATED, tick=False):
        for n in range(OBLIGATIONS):
            obligation_create(
                actor=None, title=f"每周盘点 {n}", owner=owner, schedule="0 9 * * 1", due_hours=48
            )


def _consumer(data_dir: str, barrier, at: dt.datetime, results) -> None:
    _django_in(data_dir)
    from storeops.governance.tasks import obligation_tick

    barrier.wait(120)
    with time_machine.travel(at, tick=False):
        results.put(obligation_tick()["opened"])


def _run_processes(context, target, *args) -> None:
    process = context.Process(target=target, args=args)
    process.start()
    process.join(300)
    assert process.exitcode == 0


def _two_consumers(context, data_dir: str, at: dt.datetime) -> list[int]:
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_consumer, args=(data_dir, barrier, at, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0, 0]
    return sorted(results.get(timeout=5) for _ in workers)


def _periods(data_dir: str) -> list[tuple[int, str, int]]:
    db = sqlite3.connect(os.path.join(data_dir, "storeops.sqlite3"))
    try:
        return db.execute(
            "SELECT obligation_id, period_key, COUNT(*) FROM governance_obligationoccurrence "
            "GROUP BY obligation_id, period_key ORDER BY obligation_id, period_key"
        ).fetchall()
    finally:
        db.close()


def test_two_consumer_processes_on_sqlite_open_each_period_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    data_dir = str(tmp_path)
    _run_processes(context, _prepare, data_dir)
    assert len(_periods(data_dir)) == OBLIGATIONS  # the first week, opened on create

    opened = _two_consumers(context, data_dir, NEXT_WEEK)

    assert sum(opened) == OBLIGATIONS  # between them, each new period opened once
    periods = _periods(data_dir)
    assert len(periods) == 2 * OBLIGATIONS
    assert all(count == 1 for _id, _key, count in periods)
    assert {key for _id, key, _count in periods} == {"2026-03-02 09:00", "2026-03-09 09:00"}

    assert _two_consumers(context, data_dir, NEXT_WEEK) == [0, 0]  # a re-run opens nothing
    assert sum(_two_consumers(context, data_dir, WEEK_AFTER)) == OBLIGATIONS
    assert len(_periods(data_dir)) == 3 * OBLIGATIONS


# --- PostgreSQL, real threads --------------------------------------------------------------------


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")


@pytest.fixture
def people(on_postgres):
    from storeops.accounts.models import Role
    from storeops.accounts.services import role_sync_defaults, store_create, user_create
    from storeops.core.roles import RoleCode
    from storeops.governance.models import Obligation, ObligationOccurrence

    # The seeded demo company is committed too: its obligations would open periods in the race.
    ObligationOccurrence.objects.all().delete()
    Obligation.objects.all().delete()
    role_sync_defaults()
    shop = store_create(actor=None, code="race-shop", platform="taobao", name="淘宝店")

    def person(username, role):
        return user_create(
            actor=None,
            username=username,
            password=None,
            roles=[Role.objects.get(code=role)],
            stores=[shop],
        )

    return {
        "shop": shop,
        "kefu": person("race_kefu", RoleCode.CUSTOMER_SERVICE),
        "yunying": person("race_yunying", RoleCode.OPERATIONS),
        "jingli": person("race_jingli", RoleCode.MANAGER),
        "jingli2": person("race_jingli2", RoleCode.MANAGER),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_consumer_threads_on_postgres_open_each_period_once(people):
    from storeops.governance.models import ObligationOccurrence
    from storeops.governance.services import obligation_create
    from storeops.governance.tasks import obligation_tick

    with time_machine.travel(CREATED, tick=False):
        for n in range(OBLIGATIONS):
            obligation_create(
                actor=None,
                title=f"每周盘点 {n}",
                owner=people["kefu"],
                schedule="0 9 * * 1",
                due_hours=48,
            )
    with time_machine.travel(NEXT_WEEK, tick=False):
        results = race(obligation_tick, obligation_tick)
        assert not any(isinstance(r, Exception) for r in results), results
        assert sum(r["opened"] for r in results) == OBLIGATIONS
        assert race(obligation_tick, obligation_tick) == [
            {"opened": 0, "overdue": 0},
            {"opened": 0, "overdue": 0},
        ]
    assert ObligationOccurrence.objects.count() == 2 * OBLIGATIONS
    assert (
        ObligationOccurrence.objects.values("obligation", "period_key").distinct().count()
        == 2 * OBLIGATIONS
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overdue_marked_once_by_two_consumers_on_postgres(people):
    from storeops.governance.enums import OccurrenceStatus
    from storeops.governance.models import ObligationOccurrence
    from storeops.governance.services import obligation_create, occurrence_mark_overdue
    from storeops.notifications.models import Alert

    with time_machine.travel(CREATED, tick=False):
        obligation_create(
            actor=None, title="每周盘点", owner=people["kefu"], schedule="0 9 * * 1", due_hours=48
        )
    with time_machine.travel(CREATED + dt.timedelta(days=3), tick=False):
        results = race(occurrence_mark_overdue, occurrence_mark_overdue)
    assert sorted(results) == [0, 1]
    assert ObligationOccurrence.objects.get().status == OccurrenceStatus.OVERDUE
    assert Alert.objects.filter(kind="governance.obligation_overdue").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_the_same_step_at_once_give_one_decision(people):
    from storeops.audit.models import AuditEvent
    from storeops.core.errors import Conflict
    from storeops.core.roles import RoleCode
    from storeops.governance.enums import ApprovalStatus
    from storeops.governance.services import approval_decide, approval_request

    approval = approval_request(
        actor=people["yunying"],
        obj=people["shop"],
        snapshot={"标题": "首页改版"},
        title="首页改版",
        approver_roles=[RoleCode.MANAGER],
        store=people["shop"],
    )

    results = race(
        lambda: approval_decide(
            actor=people["jingli"], approval=approval, approve=True, comment="同意"
        ),
        lambda: approval_decide(
            actor=people["jingli2"], approval=approval, approve=False, comment="不同意"
        ),
    )

    decided = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(decided) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], Conflict)
    assert refused[0].code == "approval.not_pending"
    approval.refresh_from_db()
    assert approval.status in {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED}
    step = approval.steps.get()
    assert step.decided_by_id in {people["jingli"].pk, people["jingli2"].pk}
    decisions = AuditEvent.objects.filter(
        action__in=["governance.approval.approve", "governance.approval.reject"],
        object_id=str(approval.pk),  # the seeded demo decided approvals of its own
    )
    assert decisions.count() == 1
