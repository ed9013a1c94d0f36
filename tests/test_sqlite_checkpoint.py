"""core.sqlite: a large write transaction on a SQLite file does not checkpoint the WAL inside
its COMMIT; a background thread does it after, and the connection's setting comes back."""

from __future__ import annotations

from storeops.core import sqlite
from tests import sqlite_checkpoint_child
from tests.concurrency import in_spawned_process


def test_a_large_transaction_leaves_its_checkpoint_to_a_background_thread(tmp_path):
    found = in_spawned_process(sqlite_checkpoint_child.child, str(tmp_path), timeout=120)
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
