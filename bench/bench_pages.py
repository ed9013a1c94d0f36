"""Server time of the main pages on demo data (target: median and p95 under 100 ms).

    .venv/bin/python bench/bench_pages.py            # SQLite in a temporary data dir
    STOREOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_pages.py        # … and PostgreSQL (in a throw-away database)

Requests go through Django's test Client in-process: the whole middleware stack, views, templates
and queries, with production settings (DEBUG off, manifest static files), no network. The audit
log holds AUDIT_EVENTS sealed events besides the demo company's own. Prints one JSON object.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common

REQUESTS = 50
WARMUP = 5
AUDIT_EVENTS = 5000
TARGET_MS = 100
PAGES = [
    ("login page", "/login/", None),
    ("workbench", "/workbench/", "session"),
    ("audit log page", "/audit/events/", "session"),
    ("API me", "/api/v1/me", "token"),
    ("API audit events", "/api/v1/audit/events", "token"),
]


def measure(database_url: str) -> dict:
    vendor = _common.setup_django(database_url)

    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from storeops.accounts.models import User
    from storeops.accounts.services import token_create
    from storeops.audit.services import audit_record, audit_seal
    from storeops.demo.services import demo_seed

    call_command("collectstatic", interactive=False, verbosity=0)
    demo_seed(password="bench-pass-123")  # noqa: S106 (throw-away demo users)
    admin = User.objects.get(username="admin")
    with transaction.atomic():
        for i in range(AUDIT_EVENTS):
            audit_record(
                actor=admin,
                action="bench.order.update",
                object_type="orders.order",
                object_id=i,
                after={"status": "shipped", "n": i},
            )
    audit_seal()

    anonymous = Client()
    session = Client()
    session.force_login(admin)
    _token, raw = token_create(user=admin, name="bench")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    clients = {None: anonymous, "session": session, "token": token}

    pages = {}
    for label, path, auth in PAGES:
        client = clients[auth]
        for _ in range(WARMUP):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        samples = []
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (path, response.status_code)
        figures = _common.summary_ms(samples)
        figures["path"] = path
        figures["under_target"] = figures["p95_ms"] < TARGET_MS
        pages[label] = figures
    return {"database": vendor, "audit_events": AUDIT_EVENTS, "pages": pages}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _common.emit(measure(sys.argv[2] if len(sys.argv) > 2 else ""))
        return
    _common.emit(
        {
            "benchmark": "pages",
            "target_ms": TARGET_MS,
            "requests_per_page": REQUESTS,
            "machine": _common.machine(),
            "results": _common.run_children(
                os.path.abspath(__file__), "STOREOPS_BENCH_DATABASE_URL"
            ),
        }
    )


if __name__ == "__main__":
    main()
