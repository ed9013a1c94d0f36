"""The reservation endpoint's hot path: one lean lookup of the SKU and warehouse that answers like
the full ones, its refusals (combo SKU, inactive warehouse) over the API, and the SQLite writer's
turn (one lock file handle per thread and process, so two holders always exclude each other)."""

from __future__ import annotations

import fcntl
import threading

import pytest

from storeops.catalog import services as catalog
from storeops.core.errors import Invalid
from storeops.inventory import selectors, services
from storeops.inventory.models import Movement, Reservation, Warehouse
from storeops.inventory.services import reservations
from tests import inventory_wal
from tests.concurrency import in_spawned_process
from tests.inventory_helpers import make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return {"sku": make_sku(code="HOT-SKU"), "house": make_warehouse(code="HOT-WH")}


def _body(sku="HOT-SKU", warehouse="HOT-WH", quantity=1):
    return {"sku": sku, "warehouse": warehouse, "quantity": quantity, "reference": "hot"}


def test_lean_lookup_answers_like_the_full_ones(world):
    sku, house = selectors.sku_and_warehouse_by_code(" HOT-SKU ", "HOT-WH")
    full_sku, full_house = selectors.sku_by_code("HOT-SKU"), selectors.warehouse_by_code("HOT-WH")
    for field in type(full_sku)._meta.concrete_fields:  # the rest loads on first access
        assert getattr(sku, field.attname) == getattr(full_sku, field.attname), field.name
    for field in Warehouse._meta.concrete_fields:
        assert getattr(house, field.attname) == getattr(full_house, field.attname), field.name
    assert sku.is_combo is False
    assert house.is_active is True


def test_lean_lookup_names_the_unknown_field(world):
    with pytest.raises(Invalid) as no_sku:
        selectors.sku_and_warehouse_by_code("NOPE", "HOT-WH")
    assert no_sku.value.code == "sku.not_found"
    assert no_sku.value.details == {"field": "sku"}
    with pytest.raises(Invalid) as no_house:
        selectors.sku_and_warehouse_by_code("HOT-SKU", "NOPE")
    assert no_house.value.code == "warehouse.not_found"
    assert no_house.value.details == {"field": "warehouse"}


def test_combo_sku_is_refused_over_the_api(world, demo, api_as):
    product = catalog.product_create(actor=demo["yunying"], name="热路径组合", attribute_names=[])
    combo = catalog.sku_create(
        actor=demo["yunying"],
        product=product,
        merchant_code="HOT-COMBO",
        price="59.00",
        is_combo=True,
    )
    catalog.combo_set_components(actor=demo["yunying"], combo=combo, components=[(world["sku"], 2)])
    response = api_as(demo["cangku"]).post("/api/v1/inventory/reservations", _body(sku="HOT-COMBO"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "stock.combo_sku"
    assert not Reservation.objects.filter(reference="hot").exists()


def test_inactive_warehouse_is_refused_over_the_api(world, demo, api_as):
    services.stock_receive(
        actor=demo["cangku"], sku=world["sku"], warehouse=world["house"], quantity=3
    )
    services.warehouse_update(
        actor=demo["admin"], warehouse=world["house"], name="停用仓", is_active=False
    )
    response = api_as(demo["cangku"]).post("/api/v1/inventory/reservations", _body())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "warehouse.inactive"
    assert not Reservation.objects.filter(reference="hot").exists()
    assert Movement.objects.filter(sku=world["sku"]).count() == 1  # the receipt only


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def test_two_threads_never_hold_the_writer_turn_together(tmp_path):
    path = str(tmp_path / "db.sqlite3.reserve.lock")
    mine = reservations._lock_file(path)
    assert reservations._lock_file(path) is mine  # opened once per thread
    assert _try_lock(mine)
    seen = {}

    def other():
        theirs = reservations._lock_file(path)
        seen["own handle"] = theirs is not mine
        seen["got it"] = _try_lock(theirs)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    fcntl.flock(mine, fcntl.LOCK_UN)
    assert seen == {"own handle": True, "got it": False}


def test_a_forked_child_opens_its_own_lock_file(tmp_path, monkeypatch):
    path = str(tmp_path / "db.sqlite3.reserve.lock")
    parents = reservations._lock_file(path)
    assert _try_lock(parents)
    real_pid = reservations.os.getpid()
    monkeypatch.setattr(reservations.os, "getpid", lambda: real_pid + 1)  # as in the child
    childs = reservations._lock_file(path)
    assert childs is not parents
    assert not _try_lock(childs)  # the parent's hold excludes the child
    fcntl.flock(parents, fcntl.LOCK_UN)


def test_reservations_on_a_sqlite_file_keep_the_wal_checkpointed(tmp_path):
    """A reservation's COMMIT does not checkpoint inside the writer's turn; the turns checkpoint
    after it instead, often enough that the WAL stays near SQLite's own threshold, and the
    connection's checkpoint setting is back to what it was."""
    found = in_spawned_process(inventory_wal.sqlite_child, str(tmp_path), timeout=300)
    assert found["reservations"] == found["reserved"] == inventory_wal.RESERVATIONS
    assert found["setting_before"] == found["setting_after"] == 1000
    # ~20 pages a reservation: without checkpoints the WAL would hold ~8,000 pages by now
    assert found["wal_bytes"] < 2_000 * found["page_size"]
