"""Start-up: on SQLite without Redis, Huey's storage module does not load the Redis and
PostgreSQL drivers (a seventh of every command's start-up), and both still import when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
import django
django.setup()
loaded = {name: name in sys.modules for name in ("redis", "psycopg")}
from huey.contrib.djhuey import HUEY
storage = type(HUEY.storage).__name__
import redis, psycopg  # a later import loads them as usual
print(json.dumps({"loaded": loaded, "storage": storage, "later": [redis.__name__, psycopg.__name__]}))
"""


def _probe(tmp_path, **env: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STOREOPS_DATA_DIR": str(tmp_path),
        **env,
    }
    for name in ("STOREOPS_DATABASE_URL", "STOREOPS_REDIS_URL", "STOREOPS_TESTING"):
        if name not in env:
            environment.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sqlite_without_redis_starts_without_either_driver(tmp_path):
    found = _probe(tmp_path)
    assert found["loaded"] == {"redis": False, "psycopg": False}
    assert found["storage"] == "SqliteStorage"
    assert found["later"] == ["redis", "psycopg"]


def test_with_redis_configured_huey_has_its_redis_storage(tmp_path):
    found = _probe(tmp_path, STOREOPS_REDIS_URL="redis://127.0.0.1:6379/15")
    assert found["loaded"]["redis"]
    assert found["storage"] == "RedisStorage"
