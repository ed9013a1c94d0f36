"""The stock race scenarios, run with real threads: in the test process on PostgreSQL, and in a
child process on a SQLite *file* database (the test database on SQLite is a shared-cache in-memory
one, where concurrent writers get "table is locked" instead of waiting for the lock).

No Django import at module level: the SQLite child imports this module before `django.setup()`.
Each scenario returns plain data (picklable) for the test to assert on.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any


def in_threads(count: int, work: Any) -> list[Any]:
    """Run work(index) in `count` threads released together; what each returned or raised."""
    from django.db import connections

    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(30)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    if any(t.is_alive() for t in threads):
        raise RuntimeError("a worker hung")
    return results


def _errors(results: list[Any]) -> list[str]:
    from storeops.core.errors import Conflict

    return [
        f"{type(r).__name__}: {r}"
        for r in results
        if isinstance(r, BaseException) and not isinstance(r, Conflict)
    ]


def _level(sku: Any, house: Any) -> tuple[int, int]:
    from storeops.inventory.models import StockLevel

    found = StockLevel.objects.get(sku=sku, warehouse=house)
    return found.on_hand, found.reserved


def last_unit(actor: Any, house: Any, sku: Any) -> dict[str, Any]:
    """50 concurrent reservations of the last unit."""
    from storeops.core.errors import Conflict
    from storeops.inventory import services
    from storeops.inventory.models import Reservation

    services.stock_receive(actor=actor, sku=sku, warehouse=house, quantity=1)
    results = in_threads(
        50,
        lambda _i: services.stock_reserve(actor=actor, sku=sku, warehouse=house, quantity=1),
    )
    return {
        "won": sum(isinstance(r, Reservation) for r in results),
        "refused_codes": sorted({r.code for r in results if isinstance(r, Conflict)}),
        "refused": sum(isinstance(r, Conflict) for r in results),
        "errors": _errors(results),
        "level": _level(sku, house),
        "reservations": Reservation.objects.filter(sku=sku).count(),
    }


def hundred(actor: Any, house: Any, sku: Any) -> dict[str, Any]:
    """800 requests (16 workers × 50) against 100 units."""
    from storeops.core.errors import Conflict
    from storeops.inventory import services
    from storeops.inventory.models import Reservation

    services.stock_receive(actor=actor, sku=sku, warehouse=house, quantity=100)

    def fifty(_index: int) -> tuple[int, int]:
        won = refused = 0
        for _ in range(50):
            try:
                services.stock_reserve(actor=actor, sku=sku, warehouse=house, quantity=1)
                won += 1
            except Conflict:
                refused += 1
        return won, refused

    results = in_threads(16, fifty)
    ok = [r for r in results if isinstance(r, tuple)]
    return {
        "won": sum(w for w, _ in ok),
        "refused": sum(r for _, r in ok),
        "errors": _errors(results),
        "level": _level(sku, house),
        "active": Reservation.objects.filter(sku=sku, status="active").count(),
    }


def opposite_orders(actor: Any, house: Any, first: Any, second: Any) -> dict[str, Any]:
    """12 workers × 15 two-SKU orders, half listing the SKUs in the opposite order; every third
    order released again. Locks are taken in (warehouse, SKU id) order, so no deadlock."""
    from storeops.inventory import services
    from storeops.inventory.selectors import ledger_mismatches

    for sku in (first, second):
        services.stock_receive(actor=actor, sku=sku, warehouse=house, quantity=1000)

    def orders(index: int) -> bool:
        for n in range(15):
            lines = [(first, 1), (second, 2)] if (index + n) % 2 else [(second, 2), (first, 1)]
            reference = f"race-order-{index}-{n}"
            services.stock_reserve_for_order(
                actor=actor, reference=reference, lines=lines, warehouse=house
            )
            if n % 3 == 0:
                services.stock_release_for_order(actor=actor, reference=reference)
        return True

    results = in_threads(12, orders)
    return {
        "errors": [f"{type(r).__name__}: {r}" for r in results if r is not True],
        "first": _level(first, house),
        "second": _level(second, house),
        "mismatches": [m.describe() for m in ledger_mismatches()],
    }


def randomised(
    actor: Any, houses: list[Any], skus: list[Any], *, workers: int = 8, per_worker: int = 1250
) -> dict[str, Any]:
    """workers × per_worker random receipts, reservations, order reservations, releases,
    shipments and returns over 3 SKUs × 2 warehouses."""
    from storeops.core.errors import Conflict
    from storeops.inventory import services
    from storeops.inventory.models import Reservation, StockLevel
    from storeops.inventory.selectors import ledger_mismatches

    def run(index: int) -> int:
        rng = random.Random(index)
        mine: list[Any] = []
        refused = 0
        for n in range(per_worker):
            sku, house = rng.choice(skus), rng.choice(houses)
            roll = rng.random()
            try:
                if roll < 0.25:
                    services.stock_receive(
                        actor=actor, sku=sku, warehouse=house, quantity=rng.randint(1, 4)
                    )
                elif roll < 0.60:
                    mine.append(
                        services.stock_reserve(
                            actor=actor, sku=sku, warehouse=house, quantity=rng.randint(1, 3)
                        )
                    )
                elif roll < 0.70:
                    mine.extend(
                        services.stock_reserve_for_order(
                            actor=actor,
                            reference=f"rand-{os.getpid()}-{index}-{n}",
                            lines=[(s, rng.randint(1, 2)) for s in rng.sample(skus, 2)],
                        )
                    )
                elif roll < 0.82 and mine:
                    services.reservation_release(actor=actor, reservation=mine.pop(0))
                elif roll < 0.95 and mine:
                    services.reservation_ship(
                        actor=actor, reservation=mine.pop(rng.randrange(len(mine)))
                    )
                else:
                    services.stock_return(actor=actor, sku=sku, warehouse=house, quantity=1)
            except Conflict:
                refused += 1
        return refused

    results = in_threads(workers, run)
    levels = list(StockLevel.objects.filter(sku__in=skus).values_list("on_hand", "reserved"))
    active = Reservation.objects.filter(sku__in=skus, status="active")
    return {
        "errors": _errors(results),
        "operations": workers * per_worker,
        "refused": sum(r for r in results if isinstance(r, int)),
        "mismatches": [m.describe() for m in ledger_mismatches()],
        "levels": levels,
        "active": sum(r.quantity for r in active),
        "reserved": sum(r for _, r in levels),
    }


def all_scenarios(actor: Any, make_sku: Any, make_warehouse: Any) -> dict[str, Any]:
    import time

    house = make_warehouse("RACE-WH")
    runs = {
        "last_unit": lambda: last_unit(actor, house, make_sku("RACE-LAST")),
        "hundred": lambda: hundred(actor, house, make_sku("RACE-HUNDRED")),
        "opposite": lambda: opposite_orders(actor, house, make_sku("RACE-A"), make_sku("RACE-B")),
        "randomised": lambda: randomised(
            actor,
            [house, make_warehouse("RACE-WH2")],
            [make_sku(f"RACE-R{n}") for n in range(3)],
        ),
    }
    results: dict[str, Any] = {}
    for name, run in runs.items():
        started = time.perf_counter()
        results[name] = run()
        results[name]["seconds"] = round(time.perf_counter() - started, 2)
    print(  # noqa: T201 (shown with -s: how long each race took)
        "inventory races:", {name: results[name]["seconds"] for name in runs}, flush=True
    )
    return results


def sqlite_people(data_dir: str) -> tuple[Any, Any, Any]:
    """In a fresh (spawned) process: Django on a SQLite file in `data_dir`, migrated, and three
    users — (系统管理员, 运营, 仓库). Shared by the race and WAL children."""
    os.environ["STOREOPS_DATA_DIR"] = data_dir
    for name in ("STOREOPS_DATABASE_URL", "STOREOPS_TEST_ON_POSTGRES", "STOREOPS_REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from storeops.accounts.models import Role
    from storeops.accounts.services import role_sync_defaults, user_create
    from storeops.core.roles import RoleCode

    role_sync_defaults()

    def person(username: str, role: str) -> Any:
        return user_create(
            actor=None, username=username, password=None, roles=[Role.objects.get(code=role)]
        )

    return (
        person("admin", RoleCode.ADMIN),
        person("yunying", RoleCode.OPERATIONS),
        person("cangku", RoleCode.WAREHOUSE),
    )


def sqlite_child(data_dir: str, queue: Any) -> None:
    """Every scenario with threads on a SQLite file (`sqlite_people`); the results go back
    through `queue`."""
    from unittest import mock

    admin, planner, cangku = sqlite_people(data_dir)
    from storeops.catalog import services as catalog
    from storeops.inventory import services

    def make_sku(code: str) -> Any:
        product = catalog.product_create(actor=planner, name=f"并发 {code}", attribute_names=[])
        return catalog.sku_create(
            actor=planner, product=product, merchant_code=code, price="9.90", standard_cost="5"
        )

    def make_warehouse(code: str) -> Any:
        return services.warehouse_create(actor=admin, code=code, name=code)

    with mock.patch("storeops.audit.tasks.audit_seal_task"):
        queue.put(all_scenarios(cangku, make_sku, make_warehouse))
