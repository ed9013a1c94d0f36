"""Audit log throughput: `audit_record` inside transactions, then `audit_seal` and `audit_verify`.

    .venv/bin/python bench/bench_audit.py            # SQLite in a temporary data dir
    STOREOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_audit.py        # … and PostgreSQL (in a throw-away database)

Prints one JSON object. Writers pay what a service pays: the INSERT and, on commit, queuing one
seal task (SqliteHuey in the data dir, as a laptop install runs). Sealing is measured apart.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common

SINGLE_TXNS = 2000  # one event per transaction, like most service calls
BATCH_TXNS = 300  # ten events per transaction
BATCH_SIZE = 10


def measure(database_url: str) -> dict:
    vendor = _common.setup_django(database_url)

    from django.db import transaction

    from storeops.accounts.models import User
    from storeops.audit.models import AuditEvent
    from storeops.audit.services import audit_record, audit_seal, audit_verify
    from storeops.demo.services import demo_seed

    demo_seed(password="bench-pass-123")  # noqa: S106 (throw-away demo users)
    audit_seal()
    actor = User.objects.get(username="admin")

    def record(i: int) -> None:
        audit_record(
            actor=actor,
            action="bench.event.write",
            object_type="bench.thing",
            object_id=i,
            object_repr=f"物品 {i}",
            before={"qty": i, "note": "盘点前"},
            after={"qty": i + 1, "note": "盘点后"},
        )

    per_txn = []
    started = time.perf_counter()
    for i in range(SINGLE_TXNS):
        t0 = time.perf_counter()
        with transaction.atomic():
            record(i)
        per_txn.append(time.perf_counter() - t0)
    single_elapsed = time.perf_counter() - started

    # The same without queuing the seal task on commit (a stub task): the database's own share.
    from unittest import mock

    bare_txn = []
    with mock.patch("storeops.audit.tasks.audit_seal_task"):
        started = time.perf_counter()
        for i in range(SINGLE_TXNS):
            t0 = time.perf_counter()
            with transaction.atomic():
                record(i)
            bare_txn.append(time.perf_counter() - t0)
        bare_elapsed = time.perf_counter() - started

    batch_txn = []
    started = time.perf_counter()
    for i in range(BATCH_TXNS):
        t0 = time.perf_counter()
        with transaction.atomic():
            for j in range(BATCH_SIZE):
                record(i * BATCH_SIZE + j)
        batch_txn.append(time.perf_counter() - t0)
    batch_elapsed = time.perf_counter() - started

    unsealed = AuditEvent.objects.filter(hash__isnull=True).count()
    t0 = time.perf_counter()
    sealed = audit_seal()
    seal_elapsed = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = audit_verify()
    verify_elapsed = time.perf_counter() - t0
    assert report.is_intact, report.reason
    assert sealed == unsealed

    return {
        "database": vendor,
        "record_1_per_transaction": {
            "transactions": SINGLE_TXNS,
            "events_per_s": round(SINGLE_TXNS / single_elapsed),
            "transaction": _common.summary_ms(per_txn),
        },
        "record_1_per_transaction_without_queuing": {
            "transactions": SINGLE_TXNS,
            "events_per_s": round(SINGLE_TXNS / bare_elapsed),
            "transaction": _common.summary_ms(bare_txn),
        },
        f"record_{BATCH_SIZE}_per_transaction": {
            "transactions": BATCH_TXNS,
            "events_per_s": round(BATCH_TXNS * BATCH_SIZE / batch_elapsed),
            "transaction": _common.summary_ms(batch_txn),
        },
        "seal": {
            "events": sealed,
            "seconds": round(seal_elapsed, 3),
            "events_per_s": round(sealed / seal_elapsed),
        },
        "verify": {
            "events": report.checked,
            "seconds": round(verify_elapsed, 3),
            "events_per_s": round(report.checked / verify_elapsed),
        },
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _common.emit(measure(sys.argv[2] if len(sys.argv) > 2 else ""))
        return
    _common.emit(
        {
            "benchmark": "audit",
            "machine": _common.machine(),
            "results": _common.run_children(
                os.path.abspath(__file__), "STOREOPS_BENCH_DATABASE_URL"
            ),
        }
    )


if __name__ == "__main__":
    main()
