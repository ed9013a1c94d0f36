"""Background tasks: the periodic seal through a real Huey consumer on Redis, idempotency, and
queueing only after commit.

The Redis test needs a Redis server and runs only when STOREOPS_TEST_REDIS_URL names one (CI sets
redis://127.0.0.1:6379/15); it empties that Redis database before and after.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction

from storeops.accounts.services import token_create
from storeops.audit.models import AuditChainHead, AuditEvent
from storeops.audit.services import audit_record, audit_seal, audit_verify
from storeops.audit.tasks import audit_seal_periodic_task, audit_seal_task

REDIS_URL = os.environ.get("STOREOPS_TEST_REDIS_URL", "")
STOREOPS = str(Path(sys.executable).with_name("storeops"))
CONSUMER_WAIT_SECONDS = 90
PERIODIC = "storeops.audit.tasks.audit_seal_periodic_task"
ON_COMMIT = "storeops.audit.tasks.audit_seal_task"


def _unsealed(db_file: Path) -> int:
    with sqlite3.connect(db_file, timeout=30) as conn:
        return conn.execute("select count(*) from audit_auditevent where hash is null").fetchone()[
            0
        ]


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="STOREOPS_TEST_REDIS_URL is not set")
def test_periodic_seal_runs_in_a_real_consumer_on_redis(tmp_path):
    """The every-minute `audit_seal_periodic_task`, run by `storeops run_huey` on Redis, seals
    events that nothing else will.

    How the periodic path is isolated from the on-commit one:
    1. A fresh SQLite database in a temporary data dir; `storeops seed-demo` writes its events
       while no consumer runs, so they stay unsealed and their on-commit `audit_seal_task`s wait
       in the Redis queue.
    2. The Redis database is emptied, which drops those queued tasks: from here on the only
       thing that can seal is the scheduler's periodic task.
    3. The consumer starts (Huey's scheduler enqueues due periodic tasks on its first tick, and
       the crontab matches every minute); we poll the SQLite file until no event is unsealed,
       at most CONSUMER_WAIT_SECONDS.
    4. The consumer's log must show the periodic task executed and the on-commit task never did,
       and `audit-verify` must find the chain intact.
    """
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STOREOPS_DATA_DIR": str(tmp_path),
        "STOREOPS_REDIS_URL": REDIS_URL,
        "STOREOPS_HTTPS": "0",
        "STOREOPS_LOG_LEVEL": "INFO",
    }
    for name in ("STOREOPS_DATABASE_URL", "STOREOPS_TESTING", "STOREOPS_HUEY_IMMEDIATE"):
        env.pop(name, None)
    db_file = tmp_path / "storeops.sqlite3"
    consumer = None
    log_path = tmp_path / "consumer.log"
    try:
        subprocess.run([STOREOPS, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
        subprocess.run(
            [STOREOPS, "seed-demo", "--password", "demo-pass-123"],
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
        unsealed = _unsealed(db_file)
        assert unsealed > 0, "seed-demo wrote no unsealed events"
        assert server.dbsize() > 0, "the on-commit seal tasks were not queued in Redis"
        server.flushdb()  # drop the queued on-commit seals: only the periodic task is left

        with log_path.open("wb") as log:
            consumer = subprocess.Popen(
                [STOREOPS, "run_huey", "--workers", "1"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + CONSUMER_WAIT_SECONDS
            while _unsealed(db_file) and time.monotonic() < deadline:
                assert consumer.poll() is None, log_path.read_text()
                time.sleep(0.5)
            remaining = _unsealed(db_file)
            time.sleep(0.5)  # let the consumer write its "executed" line
        log_text = log_path.read_text()
        assert remaining == 0, f"{remaining} of {unsealed} events still unsealed\n{log_text}"
        assert f"Executing {PERIODIC}" in log_text, log_text
        assert f"Executing {ON_COMMIT}" not in log_text, log_text

        verify = subprocess.run(
            [STOREOPS, "audit-verify"], env=env, capture_output=True, text=True, timeout=120
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        if consumer is not None and consumer.poll() is None:
            consumer.send_signal(signal.SIGINT)  # Huey: finish the running task, then stop
            try:
                consumer.wait(timeout=15)
            except subprocess.TimeoutExpired:
                consumer.kill()
                consumer.wait()
        server.flushdb()


# --- idempotent tasks (no Redis: the test settings run Huey in-process) --------------------------
def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.get(pk=1)
    return head.last_seq, head.last_hash


def _unsealed_events(count: int = 3) -> None:
    """Events written in this test's transaction: nothing has sealed them yet."""
    for number in range(count):
        audit_record(
            actor=None, action="test.fixture.touch", object_type="test", object_id=str(number)
        )


def test_audit_seal_is_idempotent(demo):
    """Sealing twice seals nothing the second time; the chain stays intact and unchanged."""
    _unsealed_events()
    assert AuditEvent.objects.filter(hash__isnull=True).exists()
    first = audit_seal()
    assert first > 0
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    head = _head()
    hashes = dict(AuditEvent.objects.values_list("id", "hash"))

    assert audit_seal() == 0
    assert _head() == head
    assert dict(AuditEvent.objects.values_list("id", "hash")) == hashes
    report = audit_verify()
    assert report.is_intact, report.reason
    assert report.checked == AuditEvent.objects.count()


@pytest.mark.parametrize(
    "task", [audit_seal_task, audit_seal_periodic_task], ids=["on_commit", "periodic"]
)
def test_seal_tasks_are_idempotent(demo, task):
    """Each task, run again over the same data, does nothing and breaks nothing."""
    _unsealed_events()
    assert task.call_local() > 0
    head = _head()
    assert task.call_local() == 0
    assert _head() == head
    assert audit_verify().is_intact


# --- queued only after commit --------------------------------------------------------------------
@pytest.fixture
def seal_task():
    """The seal task as `on_commit_enqueue` resolves it (by dotted path, at commit time)."""
    with mock.patch("storeops.audit.tasks.audit_seal_task") as task:
        yield task


def _record_then_fail(action: str) -> None:
    with transaction.atomic():
        audit_record(actor=None, action=action)
        raise RuntimeError("roll back")


def test_seal_is_queued_after_commit_once_per_transaction(
    db, seal_task, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            audit_record(actor=None, action="tests.task.first")
            audit_record(actor=None, action="tests.task.second")
            seal_task.assert_not_called()  # nothing queued while the transaction is open
        seal_task.assert_not_called()
    assert len(callbacks) == 1  # one seal for the transaction, however many events
    seal_task.assert_called_once_with()


def test_rolled_back_transaction_queues_nothing(db, seal_task, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _record_then_fail("tests.task.doomed")
    assert callbacks == []
    seal_task.assert_not_called()
    assert not AuditEvent.objects.filter(action="tests.task.doomed").exists()


def test_write_after_rolled_back_savepoint_still_queues_a_seal(
    db, seal_task, django_capture_on_commit_callbacks
):
    """The seal queued for a savepoint that rolls back is gone; a later write queues it again."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError):
            _record_then_fail("tests.task.doomed")
        audit_record(actor=None, action="tests.task.kept")
    assert len(callbacks) == 1
    seal_task.assert_called_once_with()


@pytest.mark.django_db(transaction=True)
def test_every_committed_transaction_queues_its_seal(seal_task, demo_free_user):
    """Three calls of one service, three commits, three seals.

    `@transaction.atomic` reuses one Atomic object for every call of a service; the seal once
    keyed on it, so only the first transaction of each service was sealed on commit.
    """
    for name in ("a", "b", "c"):
        token_create(user=demo_free_user, name=name)
    assert seal_task.call_count == 3


@pytest.fixture
def demo_free_user(transactional_db):
    from storeops.accounts.models import User

    return User.objects.create(username="tasks-probe")
