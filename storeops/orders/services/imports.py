"""Order import: files → staging → set-based writes; one import record and one audit event per run.

Why raw `executemany` and not the ORM: 100,000 orders must go in at ≥ 25,000/s (issue 5), and
building a model instance per row costs more than the whole insert. The SQL is written against
the models' own table and column names and runs on SQLite and PostgreSQL alike; everything else
(permissions, audit, the transition rule) stays in Python as in any service.
"""

# ruff: noqa: S608 — SQL is built only from our own table and column names; values are bound.
from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.permissions import require
from storeops.core.sqlite import deferred_checkpoint
from storeops.orders.enums import (
    ImportStatus,
)
from storeops.orders.importing import parallel
from storeops.orders.importing.adapters import FileAdapter, OrderSourceAdapter
from storeops.orders.importing.pipeline import (
    Errors,
    Staging,
    count_lines,
    count_rejected,
    grouped,
)
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import (
    ImportAlias,
    Order,
    OrderImport,
    OrderLine,
)
from storeops.orders.permissions import OrderPerm
from storeops.orders.services.import_writer import Writer, sql_name, sql_table

Progress = Callable[[int, int | None], None]
CHUNK = 2000


@dataclass
class OrderImportResult:
    """The `--json` shape of ARCHITECTURE.md (counts are orders), plus the import record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    applied: bool = False
    import_id: int | None = None
    lines: int = 0
    exceptions: int = 0  # orders sent to 异常 by this import

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
        }


def import_aliases() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for row in ImportAlias.objects.filter(is_active=True).values_list("format", "alias", "field"):
        found.setdefault(row[0], []).append((row[1], row[2]))
    return found


def order_import_files(
    *,
    actor: Any,
    store: Any,
    files: Sequence[ImportFile],
    platform: str = "auto",
    skip_invalid: bool = False,
    channel: str = "cli",
    progress: Progress | None = None,
) -> OrderImportResult:
    """Import marketplace export files into `store` (see `order_import_run`)."""
    return order_import_run(
        actor=actor,
        store=store,
        adapter=FileAdapter(files, platform=platform),
        skip_invalid=skip_invalid,
        channel=channel,
        progress=progress,
        total_rows=count_lines(files) if progress is not None else None,
    )


def order_import_run(
    *,
    actor: Any,
    store: Any,
    adapter: OrderSourceAdapter | FileAdapter,
    skip_invalid: bool = False,
    channel: str = "cli",
    progress: Progress | None = None,
    total_rows: int | None = None,
) -> OrderImportResult:
    """Stage, validate and write one import; atomic: a file with errors writes no order unless
    `skip_invalid`, and a crash half-way leaves the database as it was.

    Idempotent on (store, platform order number): the same export again is `unchanged`; a newer
    one updates what the platform owns, the status only forwards (or to 已关闭). Unknown SKU codes
    keep their line and send a paid order to 异常 (未匹配商品). ImportFileInvalid (422) for a file
    that cannot be read as a whole (format unknown, columns missing, Taobao pair incomplete).
    On SQLite the WAL checkpoint after a large import runs beside the caller (core.sqlite).
    """
    with deferred_checkpoint() as checkpoint:
        result = _import_run(
            actor=actor,
            store=store,
            adapter=adapter,
            skip_invalid=skip_invalid,
            channel=channel,
            progress=progress,
            total_rows=total_rows,
        )
        checkpoint.large = result.created + result.updated >= BULK_MIN_ORDERS // 4
    return result


@transaction.atomic
def _import_run(
    *,
    actor: Any,
    store: Any,
    adapter: OrderSourceAdapter | FileAdapter,
    skip_invalid: bool,
    channel: str,
    progress: Progress | None,
    total_rows: int | None,
) -> OrderImportResult:
    require(actor, OrderPerm.IMPORT_ORDER, store=store)
    started = clock.now()
    result = OrderImportResult()
    errors = Errors()
    files = list(getattr(adapter, "files", []))
    with _gc_paused(), Staging() as staging:
        staged = adapter.pull_orders(
            staging,
            aliases=import_aliases(),
            errors=errors,
            progress=progress,
            total_rows=total_rows,
        )
        record = OrderImport.objects.create(
            store=store,
            actor=actor,
            format=staged.platform,
            channel=channel[:10],
            files=[f.describe() for f in files],
            skip_invalid=skip_invalid,
            started_at=started,
        )
        result.import_id = record.pk
        rejected_orders = count_rejected(staging, staged)
        if errors.count and not skip_invalid:
            result.rejected = staged.orders + rejected_orders
        else:
            result.rejected = rejected_orders
            writer = Writer(store=store, actor=actor, order_import=record, result=result)
            done = 0
            total = (staged.rows or 0) + staged.orders

            def advance(count: int) -> None:
                nonlocal done
                done += count
                if progress is not None:
                    progress(staged.rows + done, total)

            with _sqlite_grown(), _bulk_indexes(staged.orders):
                if _builds_in_child(writer, staging, staged):
                    _write_with_builder(writer, staging, advance)
                else:
                    for batch in grouped(staging, chunk=CHUNK):
                        writer.write(batch)
                        advance(len(batch))
            if writer.closed:
                for callback in ON_PLATFORM_CLOSE:
                    callback(actor, writer.closed)
            result.applied = True
    result.errors = errors.items
    result.error_count = errors.count
    record.status = ImportStatus.APPLIED if result.applied else ImportStatus.REJECTED
    record.created_count = result.created
    record.updated_count = result.updated
    record.unchanged_count = result.unchanged
    record.rejected_count = result.rejected
    record.line_count = result.lines
    record.errors = errors.items[:200]
    record.finished_at = clock.now()
    record.save()
    audit_record(
        actor=actor,
        action="orders.import.run",
        obj=record,
        store=store,
        after={
            "status": record.status,
            "format": record.format,
            "files": record.files,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "errors": errors.count,
            "exceptions": result.exceptions,
        },
    )
    if result.applied and (result.created or result.updated):
        transaction.on_commit(lambda: _after_import(record.pk))
    return result


BUILDER_MIN_ORDERS = 20_000


def _builds_in_child(writer: Writer, staging: Staging, staged: Any) -> bool:
    """A large import on SQLite, staged in memory: new orders' rows are built by a forked child
    (`_write_with_builder`)."""
    return (
        writer.sqlite
        and staging.in_memory
        and staged.orders >= BUILDER_MIN_ORDERS
        and parallel.available()
    )


def _write_with_builder(writer: Writer, staging: Staging, advance: Callable[[int], None]) -> None:
    """Write the import with its new orders' rows built on the other core.

    The parent looks up which orders exist, resolves every line's SKU key and takes the new
    orders' ids; then it forks a child that builds each chunk's rows with the writer's own
    `build_new` (the same code as without a child) and sends them over a pipe, while the parent
    runs the INSERTs of the chunk before. If the child stops short, the parent builds the rest
    itself; orders that exist already (re-import) are compared and updated here as always."""
    numbers = staging.numbers()
    existing = writer.existing(numbers)
    new = [n for n in numbers if n not in existing]
    writer.resolve_keys(staging.keys)
    first = writer.take_ids(len(new))

    def produce(send: Callable[[Any], None]) -> None:
        writer.resolve = _no_database  # every key is in the memo: the child never asks
        for start in range(0, len(new), CHUNK):
            built = writer.build_new(staging.staged(new[start : start + CHUNK]), first + start)
            send(_shared_strings(built))

    written = 0
    stream = parallel.stream(produce) if new else None
    if stream is not None:
        try:
            for built in stream:
                writer.insert_built(built)
                written += built[0]
                advance(built[0])
        finally:
            stream.close()
    if written < len(new):  # no child, or it stopped: the rest here, with the ids that follow
        writer.next_id = first + written
        for start in range(written, len(new), CHUNK):
            part = new[start : start + CHUNK]
            writer.write(staging.staged(part), existing={})
            advance(len(part))
    old = [n for n in numbers if n in existing]
    for start in range(0, len(old), CHUNK):
        part = old[start : start + CHUNK]
        writer.write(staging.staged(part), existing=existing)
        advance(len(part))


def _shared_strings(built: Any) -> Any:
    """One object per distinct short string in a message (statuses, amounts, places, codes):
    marshal then writes each once and refers to it after, and the parent's unmarshalling makes
    one string where it made thousands."""
    cache: dict[str, str] = {}
    get = cache.setdefault

    def shared(params: list[Any]) -> list[Any]:
        return [get(v, v) if type(v) is str and len(v) <= 24 else v for v in params]

    count, lines, exceptions, *tables = built
    return (
        count,
        lines,
        exceptions,
        *(([shared(p) for p in whole], shared(rest)) for whole, rest in tables),
    )


def _no_database(**_key: Any) -> None:
    raise RuntimeError("the row builder's child asked the database for a SKU")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an import runs: staging keeps hundreds of thousands
    of rows alive, and the collector would walk them again and again (~1 s per 100,000 orders).
    What the import frees it frees by reference counting; the collector's previous state comes
    back afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _sqlite_grown() -> Iterator[None]:
    """A bigger page cache, and the file mapped into memory (table scans of the index rebuild
    without a read() per page), while a large import writes (SQLite only); the connection's
    settings come back after, also when the import fails."""
    if connection.vendor != "sqlite":
        yield
        return
    raw = connection.connection
    raw.execute("PRAGMA cache_size = -65536")
    raw.execute(f"PRAGMA mmap_size = {1 << 30}")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            raw.execute("PRAGMA cache_size = -2000")
            raw.execute("PRAGMA mmap_size = 0")


BULK_MIN_ORDERS = 20_000
BULK_TABLE_RATIO = 3  # bulk when the table holds at most this many orders per incoming one


@contextlib.contextmanager
def _bulk_indexes(incoming: int) -> Iterator[None]:
    """SQLite, an import at least as large as the orders table (a shop bringing its history):
    the list's indexes on orders and lines are dropped inside the import's transaction and built
    again at its end, by one sort each instead of a B-tree insert per row (~1 s less per 100,000
    orders). Kept: unique constraints (the import's own lookups), partial indexes, and the
    lines' order index (re-imports read lines by order). Atomic like the rest: a failed import
    rolls the DDL back with the rows; readers see the committed schema only."""
    dropped: list[tuple[str, str]] = []
    stats: list[tuple[Any, ...]] = []
    if connection.vendor == "sqlite" and incoming >= BULK_MIN_ORDERS:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) - min(id) + 1 FROM {sql_table(Order)}")
            if (cursor.fetchone()[0] or 0) <= incoming * BULK_TABLE_RATIO:
                dropped = _list_indexes(cursor)
                stats = _planner_stats(cursor, [name for name, _sql in dropped])
                for name, _sql in dropped:
                    cursor.execute(f"DROP INDEX {sql_name(name)}")
    yield
    if dropped:
        with connection.cursor() as cursor:
            for _name, sql in dropped:
                cursor.execute(sql)
            if stats:  # ANALYZE's figures for them went with DROP INDEX: back as they were
                cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", stats)


def _planner_stats(cursor: Any, names: list[str]) -> list[tuple[Any, ...]]:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone() is None or not names:
        return []
    marks = ", ".join(["%s"] * len(names))
    cursor.execute(f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({marks})", names)
    return [tuple(row) for row in cursor.fetchall()]


def _list_indexes(cursor: Any) -> list[tuple[str, str]]:
    """The orders' and lines' plain indexes (see `_bulk_indexes`): names and CREATE statements."""
    dropped = []
    for model, keep in ((Order, ()), (OrderLine, (("order_id",),))):
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [model._meta.db_table],
        )
        for name, sql in cursor.fetchall():
            if sql.upper().startswith("CREATE UNIQUE") or " WHERE " in sql.upper():
                continue
            cursor.execute("SELECT name FROM pragma_index_info(%s)", [name])
            if tuple(row[0] for row in cursor.fetchall()) in keep:
                continue
            dropped.append((name, sql))
    return dropped


IMPORT_KIND = "orders.orders"


def order_import_job_run(job: Any, files: Sequence[Any], progress: Progress) -> dict[str, Any]:
    """The background import job (core.importjobs): the page's upload, with its progress bar."""
    options = job.options or {}
    result = order_import_files(
        actor=job.created_by,
        store=job.store,
        files=[ImportFile(name=f.name, source=f.open, sha256=f.sha256, size=f.size) for f in files],
        platform=str(options.get("format", "auto")),
        skip_invalid=bool(options.get("skip_invalid", False)),
        channel="web",
        progress=progress,
    )
    return result.as_dict() | {"applied": result.applied}


# Other parts of orders (auto-review rules) subscribe here: called after the import commits with
# the import id; they find the orders through OrderImportOrder.
AFTER_IMPORT: list[Callable[[int], None]] = []


def register_after_import(callback: Callable[[int], None]) -> None:
    if callback not in AFTER_IMPORT:
        AFTER_IMPORT.append(callback)


def _after_import(import_id: int) -> None:
    for callback in AFTER_IMPORT:
        callback(import_id)


# What holds goods for an order (its stock reservation here, an allocation in fulfillment)
# subscribes here: called inside the import's transaction with the ids of the orders the platform
# closed in this import (已关闭 from any other status), so a failed import releases nothing.
ON_PLATFORM_CLOSE: list[Callable[[Any, list[int]], None]] = []


def register_on_platform_close(callback: Callable[[Any, list[int]], None]) -> None:
    if callback not in ON_PLATFORM_CLOSE:
        ON_PLATFORM_CLOSE.append(callback)
