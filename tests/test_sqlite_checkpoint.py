"""core.sqlite: a large write transaction on a SQLite file does not checkpoint the WAL inside
its COMMIT; a background thread does it after, and the connection's setting comes back."""

from __future__ import annotations

import multiprocessing

from storeops.core import sqlite
from tests import sqlite_checkpoint_child


def test_a_large_transaction_leaves_its_checkpoint_to_a_background_thread(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=sqlite_checkpoint_child.child, args=(str(tmp_path), queue))
    process.start()
    found = queue.get(timeout=120)
    process.join(60)
    assert process.exitcode == 0
    assert found["setting_before"] == found["setting_after"] == 1000
    assert found["setting_inside"] == 0
    assert found["handed_over"]
    payload = sqlite_checkpoint_child.ROWS * 2048
    assert found["wal_bytes_after_commit"] > payload
    assert found["file_bytes_after_commit"] < payload  # the COMMIT copied nothing back
    assert found["file_bytes_after_checkpoint"] > payload  # the background thread did
    assert found["rows"] == sqlite_checkpoint_child.ROWS
    assert not found["small_handed_over"]


def test_outside_a_sqlite_file_it_changes_nothing(db):
    # the test database is in memory (or PostgreSQL): no WAL, no thread
    before = list(sqlite._pending)
    with sqlite.deferred_checkpoint():
        pass
    assert sqlite._pending == before
