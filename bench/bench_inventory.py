"""Reservations per second: through the service (one thread and several), and over HTTP
(`POST /api/v1/inventory/reservations` against gunicorn with the production settings of
config/gunicorn.py, several client threads, an API token). Besides wall-clock figures it prints
the CPU per HTTP request of the server and of the client: on a shared machine they move far
less than the throughput does.

    .venv/bin/python bench/bench_inventory.py            # SQLite in a temporary data dir
    BENCH_HTTP_ONLY=1 .venv/bin/python bench/bench_inventory.py    # the HTTP part only
    STOREOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_inventory.py        # … and PostgreSQL (a throw-away database)

Targets (issue 6): ≥ 1,000 reservations/s through the service on PostgreSQL, ≥ 500/s over HTTP
on SQLite. Auditing is on, as in production: every reservation writes its audit event in its own
transaction; reservations do not queue a sealing task each (the periodic seal seals them), other
writes queue it on commit (SqliteHuey in the data dir; no consumer runs, so the queue only grows).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common

SKUS = 20
SERVICE_SINGLE = 2000
SERVICE_THREADS, SERVICE_PER_THREAD = 4, 750
HTTP_CLIENTS, HTTP_PER_CLIENT = 8, int(os.environ.get("BENCH_HTTP_PER_CLIENT", "250"))
HTTP_ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
HTTP_WARM_UP = 10  # GET requests per client connection before the clock starts
# BENCH_HTTP_ONLY=1 skips the service runs (for iterating on the HTTP path)
HTTP_ONLY = os.environ.get("BENCH_HTTP_ONLY", "") == "1"


def _world():
    from storeops.accounts.models import Role
    from storeops.accounts.services import role_sync_defaults, token_create, user_create
    from storeops.catalog import services as catalog
    from storeops.core.roles import RoleCode
    from storeops.inventory import services

    role_sync_defaults()

    def person(username, role):
        return user_create(
            actor=None, username=username, password=None, roles=[Role.objects.get(code=role)]
        )

    admin, planner = person("admin", RoleCode.ADMIN), person("yunying", RoleCode.OPERATIONS)
    cangku = person("cangku", RoleCode.WAREHOUSE)
    house = services.warehouse_create(actor=admin, code="BENCH-WH", name="压测仓")
    skus = []
    for n in range(SKUS):
        product = catalog.product_create(actor=planner, name=f"压测商品 {n}", attribute_names=[])
        sku = catalog.sku_create(
            actor=planner,
            product=product,
            merchant_code=f"BENCH-{n}",
            price="19.90",
            standard_cost="8.00",
        )
        services.stock_receive(actor=cangku, sku=sku, warehouse=house, quantity=1_000_000)
        skus.append(sku)
    _token, raw = token_create(user=cangku, name="bench")
    return cangku, house, skus, raw


def _service_run(actor, house, skus, count, seed):
    from storeops.inventory import services

    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        services.stock_reserve(
            actor=actor, sku=rng.choice(skus), warehouse=house, quantity=1, reference="bench"
        )
        samples.append(time.perf_counter() - t0)
    return samples


def _service_threads(actor, house, skus):
    from django.db import connections

    results: list[list[float]] = [[] for _ in range(SERVICE_THREADS)]
    barrier = threading.Barrier(SERVICE_THREADS + 1)

    def work(index):
        barrier.wait()
        try:
            results[index] = _service_run(actor, house, skus, SERVICE_PER_THREAD, index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(SERVICE_THREADS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    samples = [s for r in results for s in r]
    return samples, elapsed


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(master: int) -> float:
    """CPU seconds of gunicorn's master and its live workers."""
    total = _process_cpu(master)
    try:
        tasks = os.listdir(f"/proc/{master}/task")
    except OSError:
        return total
    for task in tasks:
        try:
            with open(f"/proc/{master}/task/{task}/children") as handle:
                total += sum(_process_cpu(int(pid)) for pid in handle.read().split())
        except OSError:
            continue
    return total


def _wait_idle(master: int, timeout: float = 30) -> None:
    """Until every gunicorn worker has loaded the app: the first answer only says one has."""
    deadline = time.time() + timeout
    last = _server_cpu(master)
    while time.time() < deadline:
        time.sleep(0.3)
        now = _server_cpu(master)
        if now - last < 0.02:
            return
        last = now


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http_run(token):
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our gunicorn, our settings)
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            # the production settings (docs/deploy.md); WEB_WORKERS / WEB_THREADS or
            # GUNICORN_CMD_ARGS in the environment try others
            "--config",
            "python:config.gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=_common.ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,  # the access log, written as in production
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/inventory/stock?sku=BENCH-0", headers=_headers(token))
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        _wait_idle(server.pid)
        statuses: dict[int, int] = {}
        samples: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(HTTP_CLIENTS + 1)

        def client(index):
            rng = random.Random(index)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine, seen = [], {}
            for _ in range(HTTP_WARM_UP):  # the connection, and the worker thread's database one
                conn.request("GET", "/api/v1/inventory/stock?sku=BENCH-0", headers=_headers(token))
                conn.getresponse().read()
            barrier.wait()  # every client warmed up
            barrier.wait()  # the clock started
            for _ in range(HTTP_PER_CLIENT):
                body = json.dumps(
                    {
                        "sku": f"BENCH-{rng.randrange(SKUS)}",
                        "warehouse": "BENCH-WH",
                        "quantity": 1,
                        "reference": f"http-{index}",
                    }
                )
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/api/v1/inventory/reservations", body, _headers(token))
                except (BrokenPipeError, ConnectionResetError):
                    # the server closed an idle kept-alive connection before reading this
                    # request (nothing was reserved): reconnect and send it again, as clients do
                    conn.close()
                    conn.request("POST", "/api/v1/inventory/reservations", body, _headers(token))
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - t0)
                seen[response.status] = seen.get(response.status, 0) + 1
            conn.close()
            with lock:
                samples.extend(mine)
                for status, n in seen.items():
                    statuses[status] = statuses.get(status, 0) + n

        threads = [threading.Thread(target=client, args=(i,)) for i in range(HTTP_CLIENTS)]
        for thread in threads:
            thread.start()
        barrier.wait()
        server_cpu, client_cpu = _server_cpu(server.pid), time.process_time()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server_cpu = _server_cpu(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    finally:
        server.terminate()
        server.wait(30)
    return samples, elapsed, statuses, {"server_s": server_cpu, "client_s": client_cpu}


def _gunicorn_settings() -> str:
    """What the server ran with: config/gunicorn.py and the environment's overrides."""
    import importlib

    conf = importlib.import_module("config.gunicorn")
    extra = os.environ.get("GUNICORN_CMD_ARGS", "")
    return f"gunicorn {conf.worker_class} {conf.workers} workers × {conf.threads} threads" + (
        f" ({extra})" if extra else ""
    )


def _headers(token):
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def measure(database_url: str) -> dict:
    vendor = _common.setup_django(database_url)
    from storeops.inventory.models import StockLevel
    from storeops.inventory.selectors import ledger_mismatches

    actor, house, skus, token = _world()
    figures: dict = {"database": vendor}
    expected = 0
    if not HTTP_ONLY:
        started = time.perf_counter()
        single = _service_run(actor, house, skus, SERVICE_SINGLE, 0)
        single_elapsed = time.perf_counter() - started
        threaded, threaded_elapsed = _service_threads(actor, house, skus)
        expected += SERVICE_SINGLE + SERVICE_THREADS * SERVICE_PER_THREAD
        figures["service_1_thread"] = {
            "reservations": SERVICE_SINGLE,
            "per_s": round(SERVICE_SINGLE / single_elapsed),
            "call": _common.summary_ms(single),
        }
        figures[f"service_{SERVICE_THREADS}_threads"] = {
            "reservations": len(threaded),
            "per_s": round(len(threaded) / threaded_elapsed),
            "call": _common.summary_ms(threaded),
        }
    # several rounds, each with a fresh gunicorn: kept-alive connections stay with the process
    # that accepted them, so how the clients happen to spread over the processes moves a round
    # by ±15 %; the median round is the figure
    rounds = []
    for _ in range(HTTP_ROUNDS):
        http_samples, http_elapsed, statuses, cpu = _http_run(token)
        expected += statuses.get(201, 0)
        rounds.append(
            {
                "requests": len(http_samples),
                "statuses": {str(k): v for k, v in sorted(statuses.items())},
                "per_s": round(len(http_samples) / http_elapsed),
                "request": _common.summary_ms(http_samples),
                # CPU per request (server: gunicorn's master and workers; client: this
                # process's threads): these move far less with the machine's load than wall time
                "server_cpu_ms_per_request": round(cpu["server_s"] / len(http_samples) * 1000, 3),
                "client_cpu_ms_per_request": round(cpu["client_s"] / len(http_samples) * 1000, 3),
            }
        )

    reserved = sum(StockLevel.objects.values_list("reserved", flat=True))
    assert reserved == expected, (reserved, expected)
    assert not list(ledger_mismatches())
    median = sorted(rounds, key=lambda r: r["per_s"])[len(rounds) // 2]
    figures["http"] = {
        "server": _gunicorn_settings(),
        "clients": HTTP_CLIENTS,
        **median,
        "rounds_per_s": [r["per_s"] for r in rounds],
    }
    figures["ledger_consistent"] = True
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _common.emit(measure(sys.argv[2] if len(sys.argv) > 2 else ""))
        return
    _common.emit(
        {
            "benchmark": "inventory",
            "machine": _common.machine(),
            "load_average": os.getloadavg(),
            "results": _common.run_children(
                os.path.abspath(__file__), "STOREOPS_BENCH_DATABASE_URL"
            ),
        }
    )


if __name__ == "__main__":
    main()
