"""Recording, sealing and verifying audit events (R5.1, R2.17).

Writers never wait on each other for the audit log: `audit_record` is a plain INSERT inside the
caller's transaction. `audit_seal` later chains the unsealed rows (hash of the previous hash and
the event) under a lock on the one head row, which only the sealer takes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from storeops.audit.models import AuditChainHead, AuditEvent
from storeops.core import clock, context
from storeops.core.jobs import on_commit_enqueue

GENESIS = "0" * 64
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
REDACTED = "[已隐藏]"
# Keys whose values never enter the log in clear: secrets and personal data (PIPL).
SENSITIVE_KEY = re.compile(
    r"password|secret|token|api_key|otp|credential|phone|mobile|tel|address|receiver|"
    r"id_card|idcard|email|real_name|buyer_name",
    re.IGNORECASE,
)


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(k): (REDACTED if SENSITIVE_KEY.search(str(k)) else _redact(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    return value


def _normalise(payload: Any) -> Any:
    """What the database will give back: JSON types only (Decimal → str, datetime → ISO)."""
    if payload is None:
        return None
    return json.loads(json.dumps(_redact(payload), cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    store: Any = None,
    before: Any = None,
    after: Any = None,
    seal: bool = True,
) -> AuditEvent:
    """The one way to write the audit log; must run inside the service's own transaction.

    `seal=False` (hot paths only, e.g. a stock reservation) writes the event without queueing a
    sealing task: the periodic seal (every minute) or the next transaction that queues one seals
    it. The event itself is always written, in the caller's transaction."""
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"audit action {action!r} is not '<app>.<entity>.<verb>'")
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record() must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    store_id = getattr(store, "pk", store)
    ctx = context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        object_repr=str(object_repr)[:200],
        store_id=store_id,
        before=_normalise(before),
        after=_normalise(after),
        ip=ctx.ip if ctx else None,
        request_id=ctx.request_id if ctx else "",
    )
    if seal:
        _enqueue_seal_once()
    return event


def _enqueue_seal_once() -> None:
    """One sealing task per transaction, however many events it writes.

    "Already queued" is read from the transaction's pending on-commit calls, not from the
    outermost Atomic: `@transaction.atomic` reuses one Atomic object for every call of a service,
    so that marker skipped the seal for every later transaction of the same service.
    """
    on_commit_enqueue("storeops.audit.tasks.audit_seal_task", once=True)


def event_digest(event: AuditEvent, prev_hash: str) -> str:
    occurred = event.occurred_at.astimezone(dt.UTC) if event.occurred_at else None
    body = {
        "id": event.pk,
        "seq": event.chain_seq,
        "at": occurred.isoformat(timespec="microseconds") if occurred else None,
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "store": event.store_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "request_id": event.request_id,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def audit_seal(*, batch_size: int = 2000) -> int:
    """Chain every unsealed event, oldest id first; returns how many were sealed."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditChainHead.objects.create(pk=1)
    sealed = 0
    now = clock.now()
    while True:
        events = list(
            AuditEvent.objects.filter(hash__isnull=True, chain_seq__isnull=True).order_by("id")[
                :batch_size
            ]
        )
        if not events:
            break
        for event in events:
            head.last_seq += 1
            event.chain_seq = head.last_seq
            event.prev_hash = head.last_hash
            event.hash = event_digest(event, head.last_hash)
            event.sealed_at = now
            head.last_hash = event.hash
        AuditEvent.objects.bulk_update(events, ["chain_seq", "prev_hash", "hash", "sealed_at"])
        sealed += len(events)
    if sealed:
        head.updated_at = now
        head.save(update_fields=["last_seq", "last_hash", "updated_at"])
    return sealed


@dataclass(frozen=True)
class ChainReport:
    is_intact: bool
    checked: int
    head_hash: str
    broken_event_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> ChainReport:
    """Seal what is unsealed, then walk the chain: altered, deleted or re-ordered rows break it."""
    audit_seal()
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    prev = GENESIS
    expected_seq = 1
    checked = 0
    rows = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    for event in rows.iterator(chunk_size=2000):
        if event.chain_seq != expected_seq:
            return ChainReport(
                False,
                checked,
                prev,
                event.pk,
                expected_seq,
                f"事件序号 {expected_seq} 缺失（被删除）；其后的第一个事件是 #{event.pk}",
            )
        if event.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                prev,
                event.pk,
                event.chain_seq,
                f"事件 #{event.pk} 的前序哈希不符（前一事件被改动或删除）",
            )
        if event.hash != event_digest(event, prev):
            return ChainReport(
                False,
                checked,
                prev,
                event.pk,
                event.chain_seq,
                f"事件 #{event.pk} 的内容与其哈希不符（被改动）",
            )
        prev = event.hash
        expected_seq += 1
        checked += 1
    if head.last_seq != checked or head.last_hash != prev:
        return ChainReport(
            False,
            checked,
            prev,
            None,
            checked + 1,
            f"链尾不符：应有 {head.last_seq} 个已封存事件，实有 {checked}（末尾事件被删除）",
        )
    return ChainReport(True, checked, prev)
