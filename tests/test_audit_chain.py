"""The audit log: recorded only inside a transaction, redacted, sealed into a hash chain, verified."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from storeops.audit.models import AuditChainHead, AuditEvent
from storeops.audit.services import (
    GENESIS,
    REDACTED,
    audit_record,
    audit_seal,
    audit_verify,
    event_digest,
)


def _record(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(
                actor=None,
                action="audit.test.write",
                object_type="audit.test",
                object_id=i,
                object_repr=f"第 {i} 条",
                after={"n": i},
            )
            for i in range(1, n + 1)
        ]


def _sealed(n: int) -> list[AuditEvent]:
    events = _record(n)
    assert audit_seal() == n
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


@pytest.fixture
def start(db):
    """Where the chain stands before the test: `migrate` already logged the role sync, sealed here."""
    audit_seal()
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_seq == AuditEvent.objects.count()
    return head.last_seq, head.last_hash


def _verify() -> str:
    out = io.StringIO()
    call_command("audit-verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def tamperable(db):
    """On PostgreSQL the append-only trigger is switched off, as an attacker with DDL rights could."""
    if connection.vendor != "postgresql":
        yield
        return
    _alter_trigger("DISABLE")
    yield
    _alter_trigger("ENABLE")


def _alter_trigger(verb: str) -> None:
    # deferred foreign-key checks still queued in the test's transaction would block ALTER TABLE
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER audit_event_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")


# --- recording -----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_record_refuses_outside_a_transaction():
    # given no transaction (autocommit); when a caller records an event
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="must run inside the service's transaction"):
        audit_record(actor=None, action="audit.test.write", after={"n": 1})
    # then nothing was written
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="audit.test.write").exists()


@pytest.mark.parametrize(
    "action",
    [
        "",
        "accounts.token",
        "accounts.token.create.extra",
        "Accounts.token.create",
        "accounts..create",
        "accounts.token.create ",
        "1accounts.token.create",
        "accounts.token-x.create",
    ],
)
def test_record_refuses_a_bad_action_name(action, db):
    before = AuditEvent.objects.count()
    with transaction.atomic(), pytest.raises(ValueError, match=r"is not '<app>\.<entity>\.<verb>'"):
        audit_record(actor=None, action=action)
    assert AuditEvent.objects.count() == before


def test_record_writes_the_event_unsealed(db):
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action="org.credential.reveal",
            object_type="org.credential",
            object_id=7,
            object_repr="x" * 300,
            store=42,
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_type, stored.object_id, stored.store_id) == (
        "org.credential.reveal",
        "org.credential",
        "7",
        42,
    )
    assert stored.object_repr == "x" * 200
    assert stored.actor_id is None
    assert stored.actor_username == ""
    assert (stored.hash, stored.chain_seq, stored.prev_hash, stored.sealed_at) == (
        None,
        None,
        "",
        None,
    )


def test_sensitive_keys_are_redacted(db):
    # given before/after holding secrets and personal data, nested in dicts and lists
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action="customers.customer.update",
            before={
                "password": "hunter2",
                "phone": "13812345678",
                "status": "active",
                "receiver": {"name": "张三", "city": "上海"},
            },
            after={
                "shipping_address": "上海市浦东新区某路 1 号",
                "Mobile": "13900000000",
                "api_token": "abc",
                "Email": "zhang@example.com",
                "lines": [{"buyer_name": "张三", "qty": 2}, {"id_card": "110101", "qty": 1}],
                "amount": Decimal("12.30"),
                "at": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                "note": "ok",
            },
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    # then those values never reach the log; the rest is kept as JSON
    assert stored.before == {
        "password": REDACTED,
        "phone": REDACTED,
        "status": "active",
        "receiver": REDACTED,
    }
    assert stored.after == {
        "shipping_address": REDACTED,
        "Mobile": REDACTED,
        "api_token": REDACTED,
        "Email": REDACTED,
        "lines": [{"buyer_name": REDACTED, "qty": 2}, {"id_card": REDACTED, "qty": 1}],
        "amount": "12.30",
        "at": "2025-01-02T03:04:05Z",
        "note": "ok",
    }
    dumped = json.dumps([stored.before, stored.after], ensure_ascii=False)
    for secret in ("hunter2", "13812345678", "13900000000", "张三", "zhang@example.com", "浦东"):
        assert secret not in dumped
    assert REDACTED == "[已隐藏]"


# --- sealing -------------------------------------------------------------------------------------
def test_seal_chains_events_in_id_order(start):
    # given the chain at seq s (the role sync logged by migrate) and three unsealed events
    seq, head_hash = start
    events = _record(3)
    # when the sealer runs
    assert audit_seal() == 3
    # then they carry seq s+1..s+3, each linked to the previous hash
    rows = list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("id"))
    assert [r.pk for r in rows] == [e.pk for e in events]
    assert [r.chain_seq for r in rows] == [seq + 1, seq + 2, seq + 3]
    assert [r.prev_hash for r in rows] == [head_hash, rows[0].hash, rows[1].hash]
    assert [r.hash for r in rows] == [
        event_digest(rows[0], head_hash),
        event_digest(rows[1], rows[0].hash),
        event_digest(rows[2], rows[1].hash),
    ]
    assert len({r.hash for r in rows}) == 3
    assert all(r.sealed_at is not None for r in rows)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (seq + 3, rows[2].hash)


def test_the_chain_starts_from_the_genesis_hash(start):
    first = AuditEvent.objects.get(chain_seq=1)
    assert first.prev_hash == GENESIS == "0" * 64
    assert first.hash == event_digest(first, GENESIS)


def test_seal_is_idempotent_and_continues_the_chain(start):
    seq, _head_hash = start
    first = _sealed(2)
    assert audit_seal() == 0
    (later,) = _record(1)
    assert audit_seal() == 1
    later.refresh_from_db()
    assert (later.chain_seq, later.prev_hash) == (seq + 3, first[1].hash)
    assert AuditChainHead.objects.get(pk=1).last_hash == later.hash


# --- verifying -----------------------------------------------------------------------------------
def test_verify_passes_on_an_intact_chain(start):
    seq, _head_hash = start
    events = _sealed(3)
    assert _verify() == f"audit chain intact: {seq + 3} events, head {events[2].hash}\n"


def test_verify_seals_what_is_unsealed_first(start):
    seq, _head_hash = start
    _record(2)
    out = io.StringIO()
    call_command("audit-verify", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body == {
        "intact": True,
        "checked": seq + 2,
        "head_hash": AuditEvent.objects.get(chain_seq=seq + 2).hash,
        "broken_event_id": None,
        "broken_seq": None,
        "reason": "",
    }


def test_verify_fails_naming_an_edited_event(start, tamperable):
    # given a sealed chain of three more events
    seq, _head_hash = start
    e1, e2, _e3 = _sealed(3)
    # when someone rewrites the second event's payload in place
    AuditEvent.objects.filter(pk=e2.pk).update(after={"n": 999})
    # then verification fails and names that event
    report = audit_verify()
    assert (report.is_intact, report.checked, report.broken_event_id, report.broken_seq) == (
        False,
        seq + 1,
        e2.pk,
        seq + 2,
    )
    assert report.head_hash == e1.hash
    assert report.reason == f"事件 #{e2.pk} 的内容与其哈希不符（被改动）"
    with pytest.raises(CommandError) as failed:
        _verify()
    assert str(failed.value) == (
        f"audit chain broken at event {e2.pk} (seq {seq + 2}): "
        f"事件 #{e2.pk} 的内容与其哈希不符（被改动）"
    )


def test_verify_fails_when_an_event_and_its_hash_are_both_rewritten(start, tamperable):
    # re-hashing the edited row does not help: the next event's prev_hash no longer matches
    seq, _head_hash = start
    e1, e2, e3 = _sealed(3)
    e2.object_repr = "伪造"
    AuditEvent.objects.filter(pk=e2.pk).update(object_repr="伪造", hash=event_digest(e2, e1.hash))
    report = audit_verify()
    assert (report.is_intact, report.broken_event_id, report.broken_seq) == (False, e3.pk, seq + 3)
    assert report.reason == f"事件 #{e3.pk} 的前序哈希不符（前一事件被改动或删除）"


def test_verify_fails_naming_the_event_after_a_deleted_one(start, tamperable):
    seq, _head_hash = start
    _e1, e2, e3 = _sealed(3)
    AuditEvent.objects.filter(pk=e2.pk).delete()
    report = audit_verify()
    assert (report.is_intact, report.checked, report.broken_event_id, report.broken_seq) == (
        False,
        seq + 1,
        e3.pk,
        seq + 2,
    )
    assert report.reason == f"事件序号 {seq + 2} 缺失（被删除）；其后的第一个事件是 #{e3.pk}"
    with pytest.raises(CommandError, match=f"audit chain broken at event {e3.pk} "):
        _verify()


def test_verify_fails_when_the_last_event_is_deleted(start, tamperable):
    seq, _head_hash = start
    _e1, e2, e3 = _sealed(3)
    AuditEvent.objects.filter(pk=e3.pk).delete()
    report = audit_verify()
    assert (report.is_intact, report.checked, report.broken_event_id, report.broken_seq) == (
        False,
        seq + 2,
        None,
        seq + 3,
    )
    assert report.head_hash == e2.hash
    assert report.reason == (
        f"链尾不符：应有 {seq + 3} 个已封存事件，实有 {seq + 2}（末尾事件被删除）"
    )
    with pytest.raises(CommandError, match="链尾不符"):
        _verify()


def test_verify_fails_when_an_event_is_unsealed_to_be_resealed(start, tamperable):
    # clearing the seal so the sealer re-chains a rewritten event moves it to the end: seq gap
    seq, _head_hash = start
    _e1, e2, e3 = _sealed(3)
    AuditEvent.objects.filter(pk=e2.pk).update(
        after={"n": 999}, hash=None, chain_seq=None, prev_hash=""
    )
    report = audit_verify()
    assert (report.is_intact, report.broken_event_id, report.broken_seq) == (False, e3.pk, seq + 2)


# --- PostgreSQL: the database itself refuses changes -------------------------------------------
@pytest.mark.postgres
def test_postgres_refuses_update_of_a_sealed_event(postgres_only, start):
    seq, _head_hash = start
    (event,) = _sealed(1)
    with (
        pytest.raises(DatabaseError, match="is sealed and cannot be changed"),
        transaction.atomic(),
    ):
        AuditEvent.objects.filter(pk=event.pk).update(after={"n": 999})
    event.refresh_from_db()
    assert event.after == {"n": 1}
    assert _verify() == f"audit chain intact: {seq + 1} events, head {event.hash}\n"


@pytest.mark.postgres
def test_postgres_refuses_delete_of_any_event(postgres_only):
    sealed, unsealed = _sealed(1)[0], _record(1)[0]
    for event in (sealed, unsealed):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk__in=[sealed.pk, unsealed.pk]).count() == 2


@pytest.mark.postgres
def test_postgres_lets_the_sealer_update_unsealed_events(postgres_only, start):
    seq, _head_hash = start
    events = _record(2)
    assert audit_seal() == 2
    sealed = AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("id")
    assert list(sealed.values_list("chain_seq", flat=True)) == [seq + 1, seq + 2]
