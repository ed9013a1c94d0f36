"""A spawned child for tests/test_sqlite_checkpoint.py: Django on a SQLite *file* (the test
database is in memory, where there is no WAL), one large transaction inside
`core.sqlite.deferred_checkpoint`, and what the WAL and the file looked like at each step.

No Django import at module level: the child imports this module before `django.setup()`."""

from __future__ import annotations

import os
from typing import Any

ROWS = 4000  # × 2 KiB: ~8 MB through the WAL, past SQLite's 1,000-page threshold


def child(data_dir: str, queue: Any) -> None:
    os.environ["STOREOPS_DATA_DIR"] = data_dir
    for name in ("STOREOPS_DATABASE_URL", "STOREOPS_TEST_ON_POSTGRES", "STOREOPS_REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from unittest import mock

    from django.db import connection, transaction

    from storeops.core import sqlite

    name = str(connection.settings_dict["NAME"])
    found: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, body TEXT)")
    found["setting_before"] = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[
        0
    ]
    started = []
    with (
        mock.patch.object(sqlite, "start_checkpoint", side_effect=started.append),
        sqlite.deferred_checkpoint() as deferred,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        deferred.large = True
        found["setting_inside"] = connection.connection.execute(
            "PRAGMA wal_autocheckpoint"
        ).fetchone()[0]
        cursor.executemany(
            "INSERT INTO bulk (body) VALUES (%s)", [("x" * 2048,) for _ in range(ROWS)]
        )
    found["setting_after"] = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[
        0
    ]
    found["handed_over"] = started == [name]
    # committed, not checkpointed: the rows are in the WAL, not yet in the database file
    found["file_bytes_after_commit"] = os.path.getsize(name)
    found["wal_bytes_after_commit"] = os.path.getsize(f"{name}-wal")
    sqlite.start_checkpoint(name)
    sqlite.checkpoint_wait(60)
    found["file_bytes_after_checkpoint"] = os.path.getsize(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bulk")
        found["rows"] = cursor.fetchone()[0]
    # a transaction that does not say it was large leaves the checkpoint to SQLite, as before
    with (
        mock.patch.object(sqlite, "start_checkpoint", side_effect=started.append),
        sqlite.deferred_checkpoint(),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("INSERT INTO bulk (body) VALUES ('small')")
    found["small_handed_over"] = len(started) > 1
    queue.put(found)
