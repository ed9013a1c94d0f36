"""SQLite housekeeping for large writes: the WAL checkpoint after a big transaction runs beside
the caller, not inside its COMMIT.

In WAL mode SQLite copies the log back into the database file (a checkpoint) inside the COMMIT
that takes the log past `wal_autocheckpoint` pages. After an import of 100,000 orders that is
~100 MB copied and synced — about 0.3 s the user waits for at the end of the import, on one core
while the other is idle. `deferred_checkpoint()` turns the automatic checkpoint off for the
transaction it wraps and, once that has committed, hands the checkpoint to a background thread
with a connection of its own (PASSIVE: it copies what no reader still needs and never blocks a
writer). Readers and later writers go on meanwhile; a checkpoint cut short (the process exits)
is safe — the next connection finishes it. A command-line process calls `checkpoint_wait()`
before it exits, so the file it leaves behind is checkpointed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from django.db import connection

_pending: list[threading.Thread] = []


def _file_name() -> str | None:
    """The database file, for a file-backed SQLite connection outside any transaction."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    if connection.is_in_memory_db():
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    return name or None


class Deferred:
    """What the wrapped code tells `deferred_checkpoint`: `large`, it wrote enough for a
    checkpoint of its own (else the next COMMIT past SQLite's threshold does it, as always)."""

    __slots__ = ("large",)

    def __init__(self) -> None:
        self.large = False


@contextlib.contextmanager
def deferred_checkpoint() -> Iterator[Deferred]:
    """Wrap a write transaction that may be large (opened inside): no checkpoint in its COMMIT;
    when it says it was `large`, one in the background after it. Elsewhere (PostgreSQL,
    in-memory SQLite, inside a transaction) nothing changes."""
    deferred = Deferred()
    name = _file_name()
    if name is None:
        yield deferred
        return
    connection.ensure_connection()
    raw = connection.connection
    restore = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    raw.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield deferred
    finally:
        with contextlib.suppress(sqlite3.Error):
            raw.execute(f"PRAGMA wal_autocheckpoint = {int(restore)}")
    if restore and deferred.large:
        start_checkpoint(name)


def _checkpoint(name: str) -> None:
    with contextlib.suppress(sqlite3.Error):
        db = sqlite3.connect(name, timeout=30)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            db.close()


def start_checkpoint(name: str) -> threading.Thread:
    """Checkpoint the WAL of database file `name` in a background thread."""
    thread = threading.Thread(
        target=_checkpoint, args=(name,), name="storeops-wal-checkpoint", daemon=True
    )
    _pending[:] = [t for t in _pending if t.is_alive()]
    _pending.append(thread)
    thread.start()
    return thread


def checkpoint_wait(timeout: float | None = None) -> None:
    """Wait for the background checkpoints this process started (a command before it exits)."""
    for thread in list(_pending):
        thread.join(timeout)
    _pending[:] = [t for t in _pending if t.is_alive()]
