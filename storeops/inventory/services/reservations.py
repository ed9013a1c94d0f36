"""Reservations. Oversell is impossible by construction: a reservation is one conditional UPDATE
(`reserved = reserved + q WHERE on_hand - reserved >= q`), and the CHECK constraints refuse any
negative on hand, reserved or available. Services that touch several levels in one transaction
(orders) take them in a fixed order — warehouse code, then SKU id — so two multi-SKU orders never
deadlock on PostgreSQL; SQLite runs `BEGIN IMMEDIATE`, which serialises writers.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.catalog.selectors import sku_expand
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.inventory.enums import (
    RESERVATION_TRANSITIONS,
    MovementKind,
    ReservationStatus,
)
from storeops.inventory.models import (
    Movement,
    Reservation,
    StockLevel,
    Warehouse,
)
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.services.levels import (
    _level_locked,
    _movement,
    _movement_after,
    _reference_clean,
    _stockable,
    on_commit_alert_check,
    quantity_clean,
)


# --- reservations --------------------------------------------------------------------------------
def _insufficient(sku: Sku, warehouse: Warehouse, quantity: int) -> Conflict:
    level = StockLevel.objects.filter(sku=sku, warehouse=warehouse).first()
    available = level.available if level else 0
    return Conflict(
        "stock.insufficient",
        _("库存不足：%(sku)s 在 %(warehouse)s 可用 %(available)s，需要 %(quantity)s")
        % {
            "sku": sku.merchant_code,
            "warehouse": warehouse.code,
            "available": available,
            "quantity": quantity,
        },
        {
            "sku": sku.merchant_code,
            "warehouse": warehouse.code,
            "requested": quantity,
            "available": available,
        },
    )


_LEVEL, _RESERVATION, _MOVEMENT = (
    StockLevel._meta.db_table,
    Reservation._meta.db_table,
    Movement._meta.db_table,
)
# table names come from the models' meta, never from input; values are always parameters
_TAKE = (
    f"UPDATE {_LEVEL} SET reserved = reserved + %(q)s, updated_at = %(now)s "  # noqa: S608
    "WHERE sku_id = %(sku)s AND warehouse_id = %(wh)s AND on_hand - reserved >= %(q)s"
)
_INSERT_RESERVATION = (
    f"INSERT INTO {_RESERVATION} (sku_id, warehouse_id, quantity, reference, status, "
    "created_by_id, created_at, closed_at) "
)
_INSERT_MOVEMENT = (
    f"INSERT INTO {_MOVEMENT} (kind, sku_id, warehouse_id, on_hand_delta, reserved_delta, "
    "unit_cost, value, reason, reference, reservation_id, actor_id, created_at) "
)
# PostgreSQL: one statement, one round trip. The UPDATE's row lock and READ COMMITTED re-check
# decide exactly as the plain UPDATE does; the INSERTs only run for the row it returned.
_RESERVE_PG = (
    f"WITH taken AS ({_TAKE} RETURNING id), "  # noqa: S608
    f"held AS ({_INSERT_RESERVATION}"
    "SELECT %(sku)s, %(wh)s, %(q)s, %(ref)s, %(active)s, %(actor)s, %(now)s, NULL FROM taken "
    "RETURNING id) "
    f"{_INSERT_MOVEMENT}"
    "SELECT %(kind)s, %(sku)s, %(wh)s, 0, %(q)s, 0, 0, '', %(ref)s, held.id, %(actor)s, %(now)s "
    "FROM held RETURNING reservation_id"
)


def _reserve_one(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reference: str, now: Any
) -> Reservation:
    """The one conditional UPDATE that decides: it takes the row lock and re-checks the condition
    against the committed row (PostgreSQL READ COMMITTED re-evaluates after a wait), then the
    reservation and its movement. The hot path of the app, so plain SQL: on PostgreSQL one
    statement (CTEs), on SQLite three statements inside the `BEGIN IMMEDIATE` transaction."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    params = {
        "q": quantity,
        "now": now,
        "sku": sku.pk,
        "wh": warehouse.pk,
        "ref": reference,
        "active": ReservationStatus.ACTIVE.value,
        "actor": actor_id,
        "kind": MovementKind.RESERVATION.value,
    }
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_RESERVE_PG, params)
            row = cursor.fetchone()
            reservation_id = row[0] if row else None
        else:
            cursor.execute(_TAKE, params)
            reservation_id = None
            if cursor.rowcount == 1:
                cursor.execute(
                    _INSERT_RESERVATION
                    + "VALUES (%(sku)s, %(wh)s, %(q)s, %(ref)s, %(active)s, %(actor)s, %(now)s, "
                    "NULL) RETURNING id",
                    params,
                )
                reservation_id = cursor.fetchone()[0]
                cursor.execute(
                    _INSERT_MOVEMENT
                    + "VALUES (%(kind)s, %(sku)s, %(wh)s, 0, %(q)s, 0, 0, '', %(ref)s, "
                    "%(rid)s, %(actor)s, %(now)s)",
                    {**params, "rid": reservation_id},
                )
    if reservation_id is None:
        raise _insufficient(sku, warehouse, quantity)
    reservation = Reservation(
        id=reservation_id,
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reference=reference,
        status=ReservationStatus.ACTIVE,
        created_by_id=actor_id,
        created_at=now,
    )
    reservation._state.adding = False
    reservation._state.db = connection.alias
    return reservation


def _reservation_after(reservation: Reservation) -> dict[str, Any]:
    return {
        "sku": reservation.sku.merchant_code,
        "warehouse": reservation.warehouse.code,
        "quantity": reservation.quantity,
        "reference": reservation.reference,
        "status": reservation.status,
    }


_LOCK_FILES = threading.local()  # this thread's open lock file per database file
_TURNS = itertools.count(1)  # writer turns taken in this process
# A turn's transaction writes ~20 pages (a stock row, the reservation, its movement and audit
# event, and their indexes): one checkpoint per 50 turns per process keeps the WAL near the
# 1,000 pages at which SQLite would have checkpointed by itself.
CHECKPOINT_EVERY = 50


def _lock_file(path: str) -> Any:
    """This thread's handle on the lock file, opened once. `flock` belongs to the open file, so
    each thread needs its own, and so does a forked child (it shares its parent's open files: the
    two would hold the lock together)."""
    handles = getattr(_LOCK_FILES, "handles", None)
    if handles is None or _LOCK_FILES.pid != os.getpid():
        handles = _LOCK_FILES.handles = {}
        _LOCK_FILES.pid = os.getpid()
    handle = handles.get(path)
    if handle is None:
        handle = handles[path] = open(path, "a")  # noqa: SIM115 (kept open for the thread's life)
    return handle


@contextlib.contextmanager
def _sqlite_writer_turn() -> Iterator[None]:
    """On a SQLite file, wait for our turn to write on an OS file lock before `BEGIN IMMEDIATE`.

    SQLite's busy handler polls a locked database with growing sleeps (1, 2, 5, 10… ms), so two
    gunicorn processes reserving at once lose milliseconds per collision; a blocking `flock` wakes
    the next writer as soon as the previous one released it. Only outside a transaction: a caller
    already holding the SQLite write lock (orders reserving at review) must not wait on the file
    lock held by a process that waits for its SQLite lock. PostgreSQL needs none of this."""
    connection = transaction.get_connection()
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or not name
        or connection.is_in_memory_db()
    ):
        yield
        return
    handle = _lock_file(f"{name}.reserve.lock")
    connection.ensure_connection()
    sqlite = connection.connection
    # SQLite checkpoints the WAL inside the COMMIT that crosses its threshold (copying pages and
    # two fsyncs, milliseconds): inside the turn, every other writer would wait for it. So this
    # transaction's COMMIT does not checkpoint; the turn's holders checkpoint after it instead.
    restore = sqlite.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    sqlite.execute("PRAGMA wal_autocheckpoint=0")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        sqlite.execute(f"PRAGMA wal_autocheckpoint={int(restore)}")
    if restore and next(_TURNS) % CHECKPOINT_EVERY == 0:
        # PASSIVE: copies what it can without waiting for readers or writers, who go on meanwhile
        sqlite.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def stock_reserve(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reference: str = ""
) -> Reservation:
    """Hold `quantity` of one SKU in one warehouse, or 409 `stock.insufficient`.

    The permission and the input are checked before the writer's turn: on SQLite every other
    writer waits while it is held, so it covers only the transaction (the stock UPDATE that
    decides, the reservation, its movement, the audit event)."""
    require(actor, InventoryPerm.RESERVE_STOCK)
    quantity = quantity_clean(quantity)
    reference = _reference_clean(reference)
    _stockable(sku, warehouse)
    with _sqlite_writer_turn():
        return _stock_reserve(
            actor=actor, sku=sku, warehouse=warehouse, quantity=quantity, reference=reference
        )


@transaction.atomic
def _stock_reserve(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reference: str
) -> Reservation:
    reservation = _reserve_one(
        actor=actor,
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reference=reference,
        now=clock.now(),
    )
    # the hot path does not queue a sealing task per reservation (~3 ms of a SqliteHuey commit):
    # the periodic seal, or the next transaction that queues one, seals this event
    audit_record(
        actor=actor,
        action="inventory.reservation.create",
        obj=reservation,
        after=_reservation_after(reservation),
        seal=False,
    )
    return reservation


def _order_needs(lines: Iterable[tuple[Sku, int]]) -> list[tuple[Sku, int]]:
    """Combos expanded into their components, quantities summed per SKU, in SKU id order."""
    needs: dict[int, list[Any]] = {}
    for sku, quantity in lines:
        for part, part_quantity in sku_expand(sku, quantity_clean(quantity)):
            needs.setdefault(part.pk, [part, 0])[1] += part_quantity
    return [(part, total) for _pk, (part, total) in sorted(needs.items())]


@transaction.atomic
def stock_reserve_for_order(
    *,
    actor: Any,
    reference: str,
    lines: Sequence[tuple[Sku, int]],
    warehouse: Warehouse | None = None,
    checked_by_caller: bool = False,
) -> list[Reservation]:
    """Reserve every line of an order, all or nothing (the seam for "reserve at review").

    `checked_by_caller=True`: the orders service reserving at review has checked the reviewer's
    own permission (reviewing includes reserving; an import's auto-review runs with no user).

    Combos are expanded. Without a warehouse, the active warehouses are tried in code order and
    the first that holds every line is used. Rows are locked in (warehouse code, SKU id) order, so
    two orders with the same SKUs in opposite order cannot deadlock. Refused with 409
    `stock.insufficient` (details list each short line) when no warehouse holds it all.
    """
    if not checked_by_caller:
        require(actor, InventoryPerm.RESERVE_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    needs = _order_needs(lines)
    if not needs:
        raise Invalid("order.no_lines", _("没有需要预占的商品"), {"field": "lines"})
    houses = (
        [warehouse]
        if warehouse is not None
        else list(Warehouse.objects.filter(is_active=True).order_by("code"))
    )
    if not houses:
        raise Conflict("warehouse.none_active", _("没有启用的仓库"))
    short: list[dict[str, Any]] = []
    now = clock.now()
    for house in houses:
        if not house.is_active:
            raise Invalid("warehouse.inactive", _("仓库已停用"), {"field": "warehouse"})
        try:
            with transaction.atomic():
                reservations = [
                    _reserve_one(
                        actor=actor,
                        sku=sku,
                        warehouse=house,
                        quantity=quantity,
                        reference=reference,
                        now=now,
                    )
                    for sku, quantity in needs
                ]
        except Conflict as exc:
            if exc.code != "stock.insufficient":
                raise
            short.append(exc.details)
            continue
        audit_record(
            actor=actor,
            action="inventory.reservation.create_for_order",
            object_type="inventory.order_reference",
            object_id=reference,
            object_repr=reference,
            after={
                "warehouse": house.code,
                "lines": [[r.sku.merchant_code, r.quantity] for r in reservations],
                "reservations": [r.pk for r in reservations],
            },
        )
        return reservations
    raise Conflict(
        "stock.insufficient",
        _("库存不足，无法预占：%(lines)s")
        % {"lines": "、".join(f"{d['sku']}@{d['warehouse']}" for d in short)},
        {"short": short},
    )


def _close(reservation: Reservation, status: str) -> Reservation:
    """ACTIVE → RELEASED/CONSUMED as one conditional UPDATE: two callers, one wins, one 409."""
    if status not in RESERVATION_TRANSITIONS[ReservationStatus.ACTIVE]:
        raise ValueError(status)
    now = clock.now()
    closed = Reservation.objects.filter(pk=reservation.pk, status=ReservationStatus.ACTIVE).update(
        status=status, closed_at=now
    )
    if not closed:
        raise Conflict(
            "reservation.not_active",
            _("该预占已释放或已出库"),
            {"reservation": reservation.pk},
        )
    reservation.status = status
    reservation.closed_at = now
    return reservation


def _release(*, actor: Any, reservation: Reservation, reason: str) -> Reservation:
    _close(reservation, ReservationStatus.RELEASED)
    StockLevel.objects.filter(
        sku_id=reservation.sku_id, warehouse_id=reservation.warehouse_id
    ).update(reserved=F("reserved") - reservation.quantity, updated_at=reservation.closed_at)
    _movement(
        kind=MovementKind.RELEASE,
        sku=reservation.sku,
        warehouse=reservation.warehouse,
        actor=actor,
        reserved_delta=-reservation.quantity,
        reason=reason,
        reference=reservation.reference,
        reservation=reservation,
        at=reservation.closed_at,
    )
    return reservation


@transaction.atomic
def reservation_release(*, actor: Any, reservation: Reservation, reason: str = "") -> Reservation:
    require(actor, InventoryPerm.RESERVE_STOCK)
    reason = clean_text(reason, field="reason", limit=200)
    _release(actor=actor, reservation=reservation, reason=reason)
    audit_record(
        actor=actor,
        action="inventory.reservation.release",
        obj=reservation,
        after=_reservation_after(reservation),
    )
    return reservation


def _active_for(reference: str) -> list[Reservation]:
    """An order's active reservations in lock order (warehouse code, SKU id)."""
    return list(
        Reservation.objects.select_related("sku", "warehouse")
        .filter(reference=reference, status=ReservationStatus.ACTIVE)
        .order_by("warehouse__code", "sku_id", "id")
    )


@transaction.atomic
def stock_release_for_order(
    *, actor: Any, reference: str, reason: str = "", checked_by_caller: bool = False
) -> int:
    """Release every active reservation made under this order reference (cancelled before
    shipment, or back from review). Returns how many were released; 0 is not an error."""
    if not checked_by_caller:
        require(actor, InventoryPerm.RESERVE_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    reason = clean_text(reason, field="reason", limit=200)
    released = [_release(actor=actor, reservation=r, reason=reason) for r in _active_for(reference)]
    if released:
        audit_record(
            actor=actor,
            action="inventory.reservation.release_for_order",
            object_type="inventory.order_reference",
            object_id=reference,
            object_repr=reference,
            after={"reservations": [r.pk for r in released], "reason": reason},
        )
    return len(released)


def _ship(*, actor: Any, reservation: Reservation, reference: str) -> Movement:
    _close(reservation, ReservationStatus.CONSUMED)
    level = _level_locked(reservation.sku, reservation.warehouse)
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=F("on_hand") - reservation.quantity,
        reserved=F("reserved") - reservation.quantity,
        updated_at=reservation.closed_at,
    )
    return _movement(
        kind=MovementKind.SHIPMENT,
        sku=reservation.sku,
        warehouse=reservation.warehouse,
        actor=actor,
        on_hand_delta=-reservation.quantity,
        reserved_delta=-reservation.quantity,
        unit_cost=level.unit_cost,
        reference=reference or reservation.reference,
        reservation=reservation,
        at=reservation.closed_at,
    )


@transaction.atomic
def reservation_ship(*, actor: Any, reservation: Reservation, reference: str = "") -> Movement:
    """The goods leave: the reservation is consumed, on hand and reserved both go down. Shipment
    movements are the sales figures inventory uses (days of cover, a stocktake week's sales)."""
    require(actor, InventoryPerm.SHIP_STOCK)
    movement = _ship(actor=actor, reservation=reservation, reference=_reference_clean(reference))
    audit_record(
        actor=actor, action="inventory.stock.ship", obj=movement, after=_movement_after(movement)
    )
    on_commit_alert_check(movement.sku)
    return movement


@transaction.atomic
def stock_ship_for_order(*, actor: Any, reference: str) -> list[Movement]:
    """Ship every active reservation of an order reference (fulfillment calls this at 发货)."""
    require(actor, InventoryPerm.SHIP_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    reservations = _active_for(reference)
    if not reservations:
        raise Conflict(
            "reservation.none_active", _("该订单没有可出库的预占"), {"reference": reference}
        )
    movements = [_ship(actor=actor, reservation=r, reference=reference) for r in reservations]
    audit_record(
        actor=actor,
        action="inventory.stock.ship_for_order",
        object_type="inventory.order_reference",
        object_id=reference,
        object_repr=reference,
        after={"lines": [[m.sku.merchant_code, -m.on_hand_delta] for m in movements]},
    )
    for movement in movements:
        on_commit_alert_check(movement.sku)
    return movements


def _ship_part(*, actor: Any, reservation: Reservation, quantity: int, reference: str) -> Movement:
    """Part of a reservation leaves: it keeps the rest (one conditional UPDATE of its quantity),
    and on hand and reserved go down by the part — one shipment movement, no release and no
    reservation made again."""
    now = clock.now()
    kept = Reservation.objects.filter(
        pk=reservation.pk, status=ReservationStatus.ACTIVE, quantity__gt=quantity
    ).update(quantity=F("quantity") - quantity)
    if not kept:
        raise Conflict(
            "reservation.not_active",
            _("该预占已释放、已出库或数量不足"),
            {"reservation": reservation.pk},
        )
    reservation.quantity -= quantity
    level = _level_locked(reservation.sku, reservation.warehouse)
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity, updated_at=now
    )
    return _movement(
        kind=MovementKind.SHIPMENT,
        sku=reservation.sku,
        warehouse=reservation.warehouse,
        actor=actor,
        on_hand_delta=-quantity,
        reserved_delta=-quantity,
        unit_cost=level.unit_cost,
        reference=reference,
        reservation=reservation,
        at=now,
    )


@transaction.atomic
def stock_ship_part_for_order(
    *, actor: Any, reference: str, lines: Iterable[tuple[Sku, int]], parcel_reference: str
) -> list[Movement]:
    """A partial shipment (部分发货): `lines` leave from the order reference's active
    reservations — a reservation shipped whole is consumed, one shipped in part keeps the rest —
    as shipment movements under `parcel_reference`. The rest stays reserved under `reference`
    (the last parcel is `stock_ship_for_order`). 409 when the reservations hold less."""
    require(actor, InventoryPerm.SHIP_STOCK)
    reference = clean_text(reference, field="reference", required=True, limit=100)
    parcel_reference = _reference_clean(parcel_reference)
    wanted: dict[int, int] = {}
    skus: dict[int, Sku] = {}
    for sku, quantity in lines:
        wanted[sku.pk] = wanted.get(sku.pk, 0) + quantity_clean(quantity)
        skus[sku.pk] = sku
    movements: list[Movement] = []
    for reservation in _active_for(reference):
        left = wanted.get(reservation.sku_id, 0)
        if not left:
            continue
        if reservation.quantity <= left:
            movements.append(
                _ship(actor=actor, reservation=reservation, reference=parcel_reference)
            )
            wanted[reservation.sku_id] = left - reservation.quantity
        else:
            movements.append(
                _ship_part(
                    actor=actor, reservation=reservation, quantity=left, reference=parcel_reference
                )
            )
            wanted[reservation.sku_id] = 0
    short = {pk: qty for pk, qty in wanted.items() if qty > 0}
    if short:
        pk, qty = next(iter(short.items()))
        raise Conflict(
            "reservation.short",
            _("订单预占的 %(code)s 不足：还差 %(qty)s 件")
            % {"code": skus[pk].merchant_code, "qty": qty},
            {"reference": reference, "sku": skus[pk].merchant_code, "missing": qty},
        )
    audit_record(
        actor=actor,
        action="inventory.stock.ship_part_for_order",
        object_type="inventory.order_reference",
        object_id=reference,
        object_repr=reference,
        after={
            "parcel": parcel_reference,
            "lines": [[m.sku.merchant_code, -m.on_hand_delta] for m in movements],
        },
    )
    for movement in movements:
        on_commit_alert_check(movement.sku)
    return movements
