"""Reservations on a SQLite *file* database, in a spawned child process (the test database is an
in-memory one, where the writer's turn and the WAL do not exist): how the WAL and its checkpoint
setting stand after a run of reservations.

No Django import at module level: the child imports this module before `django.setup()`.
"""

from __future__ import annotations

import os
from typing import Any

RESERVATIONS = 400


def sqlite_child(data_dir: str, queue: Any) -> None:
    from unittest import mock

    from tests.inventory_races import sqlite_people

    admin, planner, cangku = sqlite_people(data_dir)
    from django.db import connection

    from storeops.catalog import services as catalog
    from storeops.inventory import services
    from storeops.inventory.models import Reservation, StockLevel

    product = catalog.product_create(actor=planner, name="WAL 测试", attribute_names=[])
    sku = catalog.sku_create(
        actor=planner, product=product, merchant_code="WAL-1", price="9.90", standard_cost="5"
    )
    house = services.warehouse_create(actor=admin, code="WAL-WH", name="WAL")
    with mock.patch("storeops.audit.tasks.audit_seal_task"):
        services.stock_receive(actor=cangku, sku=sku, warehouse=house, quantity=10_000)
    database = str(connection.settings_dict["NAME"])
    setting_before = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    for index in range(RESERVATIONS):
        services.stock_reserve(
            actor=cangku, sku=sku, warehouse=house, quantity=1, reference=f"wal-{index}"
        )
    queue.put(
        {
            "setting_before": setting_before,
            "setting_after": connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[
                0
            ],
            "wal_bytes": os.path.getsize(f"{database}-wal"),
            "page_size": connection.connection.execute("PRAGMA page_size").fetchone()[0],
            "reservations": Reservation.objects.filter(reference__startswith="wal-").count(),
            "reserved": StockLevel.objects.get(sku=sku, warehouse=house).reserved,
        }
    )
