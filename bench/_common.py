"""Shared set-up for the benchmarks: a throw-away data dir, production settings, figures as JSON.

Each bench script measures in a child process per database (settings read the environment once),
so the parent can print one JSON object for SQLite and, when asked, PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        model = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), ""
        )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def setup_django(database_url: str = "") -> str:
    """Production settings (DEBUG off, plain HTTP) on a fresh data dir; migrated. Returns vendor."""
    data_dir = tempfile.mkdtemp(prefix="storeops-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["STOREOPS_DATA_DIR"] = data_dir
    os.environ["STOREOPS_HTTPS"] = "0"
    os.environ["STOREOPS_DEBUG"] = "0"
    os.environ["STOREOPS_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["STOREOPS_LOG_LEVEL"] = "WARNING"
    os.environ.pop("STOREOPS_REDIS_URL", None)  # SqliteHuey in the data dir: no broker needed
    os.environ.pop("STOREOPS_TESTING", None)
    os.environ.pop("STOREOPS_HUEY_IMMEDIATE", None)
    if database_url:
        os.environ["STOREOPS_DATABASE_URL"] = database_url
    else:
        os.environ.pop("STOREOPS_DATABASE_URL", None)
    sys.path.insert(0, ROOT)

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return connection.vendor


@contextlib.contextmanager
def temp_postgres_database(url: str) -> Iterator[str]:
    """A database of its own on the server named by `url`, dropped afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = f"storeops_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_children(script: str, postgres_env: str) -> dict[str, Any]:
    """Run `script --child` on SQLite and, when $postgres_env is set, on PostgreSQL."""
    results: dict[str, Any] = {}
    targets = [("sqlite", "")]
    if os.environ.get(postgres_env):
        targets.append(("postgresql", os.environ[postgres_env]))
    for label, url in targets:
        with contextlib.ExitStack() as stack:
            child_url = stack.enter_context(temp_postgres_database(url)) if url else ""
            out = subprocess.run(  # noqa: S603 (our own script, our interpreter)
                [sys.executable, script, "--child", child_url],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if out.stderr.strip():
                print(out.stderr, file=sys.stderr)
            results[label] = json.loads(out.stdout)
    return results


def summary_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))
