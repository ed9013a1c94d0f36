"""The audit log under concurrent writers, on PostgreSQL (real threads, real connections).

Claims from docs/architecture.md ("Audit chain without a bottleneck") shown here:
- a writer does not wait for the sealer: `audit_record` takes no lock the sealer holds;
- events committed in any order while sealing runs end up sealed exactly once, in one gapless
  chain that `audit_verify` accepts.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from storeops.audit.models import AuditChainHead, AuditEvent
from storeops.audit.services import audit_record, audit_seal, audit_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # reported by the test, not lost in the thread
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_writer_does_not_wait_for_the_sealer():
    # given a sealer holding the chain head's row lock
    head_locked = threading.Event()
    release = threading.Event()
    results = {}

    def sealer():
        with transaction.atomic():
            AuditChainHead.objects.select_for_update().get(pk=1)
            head_locked.set()
            release.wait(10)
        return "sealer done"

    def writer():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # fail instead of waiting
            started = time.monotonic()
            audit_record(actor=None, action="audit.test.write", after={"n": 1})
            return time.monotonic() - started

    seal_thread = _in_thread(sealer, results, "sealer")
    assert head_locked.wait(10)
    # when another transaction records an event meanwhile
    write_thread = _in_thread(writer, results, "writer")
    write_thread.join(15)
    release.set()
    seal_thread.join(15)
    # then it committed without waiting for the lock (no lock_timeout error)
    assert not isinstance(results["writer"], Exception), results["writer"]
    assert results["writer"] < 1.0
    assert results["sealer"] == "sealer done"
    assert AuditEvent.objects.filter(action="audit.test.write").count() == 1


def test_concurrent_writers_and_sealers_make_one_intact_chain():
    writers, per_writer = 4, 25
    results = {}
    stop = threading.Event()

    def writer(n):
        def run():
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=None, action="audit.test.write", after={"w": n, "i": i})
                    if i % 5 == 0:
                        time.sleep(0.01)  # hold the transaction open: commits interleave
            return per_writer

        return run

    def sealer():
        sealed = 0
        while not stop.is_set():
            sealed += audit_seal()
        return sealed

    threads = [_in_thread(writer(n), results, f"writer{n}") for n in range(writers)]
    threads += [_in_thread(sealer, results, f"sealer{n}") for n in range(2)]
    for thread in threads[:writers]:
        thread.join(60)
    stop.set()
    for thread in threads[writers:]:
        thread.join(60)

    errors = [value for value in results.values() if isinstance(value, Exception)]
    assert errors == []
    written = AuditEvent.objects.filter(action="audit.test.write").count()
    assert written == writers * per_writer
    report = audit_verify()
    assert report.is_intact, report.reason
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # every event sealed once, no gap
