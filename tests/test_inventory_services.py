"""Stock services: receipt (moving average), reserve, release, ship, return, order reservations,
and what each refuses; every write is a movement and an audit event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.inventory import services
from storeops.inventory.models import Movement, Reservation
from tests.inventory_helpers import active_reserved, ledger_sums, level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(demo):
    sku = make_sku(cost="10.00")
    house = make_warehouse()
    return {"sku": sku, "house": house, "cangku": demo["cangku"], "kefu": demo["kefu"]}


def receive(stock, quantity, **extra):
    return services.stock_receive(
        actor=stock["cangku"],
        sku=stock["sku"],
        warehouse=stock["house"],
        quantity=quantity,
        **extra,
    )


def test_receipt_adds_on_hand_at_the_standard_cost_and_is_recorded(stock):
    movement = receive(stock, 40, reference="PO-1")

    found = level(stock["sku"], stock["house"])
    assert (found.on_hand, found.reserved, found.available) == (40, 0, 40)
    assert found.unit_cost == Decimal("10.0000")
    assert (movement.kind, movement.on_hand_delta, movement.value) == (
        "receipt",
        40,
        Decimal("400.00"),
    )
    event = AuditEvent.objects.get(action="inventory.stock.receive", object_id=str(movement.pk))
    assert event.after["reference"] == "PO-1"
    assert event.actor == stock["cangku"]


def test_receipt_at_another_cost_moves_the_average(stock, demo):
    receive(stock, 10)  # 10 × 10.00
    stock["cangku"].roles.add(*demo["caiwu"].roles.all())  # may see costs now
    stock["cangku"] = type(stock["cangku"]).objects.get(pk=stock["cangku"].pk)

    receive(stock, 30, unit_cost="14.00")  # 30 × 14.00

    assert level(stock["sku"], stock["house"]).unit_cost == Decimal("13.0000")  # 520 / 40


def test_receipt_with_a_cost_needs_the_right_to_see_costs(stock):
    with pytest.raises(Forbidden):
        receive(stock, 5, unit_cost="12.00")
    assert not Movement.objects.filter(sku=stock["sku"]).exists()


@pytest.mark.parametrize("quantity", [0, -1, 1_000_001, "abc", 1.5])
def test_bad_quantities_are_refused_with_the_field(stock, quantity):
    with pytest.raises(Invalid) as caught:
        receive(stock, quantity)
    assert caught.value.details["field"] == "quantity"


def test_reserve_holds_stock_and_refuses_more_than_available(stock):
    receive(stock, 5)
    reservation = services.stock_reserve(
        actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=3, reference="A"
    )

    with pytest.raises(Conflict) as caught:
        services.stock_reserve(
            actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=3
        )

    assert caught.value.code == "stock.insufficient"
    assert caught.value.details == {
        "sku": stock["sku"].merchant_code,
        "warehouse": stock["house"].code,
        "requested": 3,
        "available": 2,
    }
    found = level(stock["sku"], stock["house"])
    assert (found.on_hand, found.reserved, found.available) == (5, 3, 2)
    assert reservation.status == "active"
    assert Reservation.objects.filter(sku=stock["sku"]).count() == 1


def test_reserving_where_nothing_was_ever_received_is_insufficient(stock):
    with pytest.raises(Conflict) as caught:
        services.stock_reserve(
            actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=1
        )
    assert caught.value.details["available"] == 0


def test_release_gives_stock_back_once(stock):
    receive(stock, 5)
    reservation = services.stock_reserve(
        actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=4
    )

    services.reservation_release(actor=stock["kefu"], reservation=reservation, reason="取消")
    with pytest.raises(Conflict) as caught:
        services.reservation_release(actor=stock["kefu"], reservation=reservation)

    assert caught.value.code == "reservation.not_active"
    assert level(stock["sku"], stock["house"]).available == 5
    assert Reservation.objects.get(pk=reservation.pk).status == "released"


def test_shipment_consumes_the_reservation_at_the_average_cost(stock):
    receive(stock, 5)
    reservation = services.stock_reserve(
        actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=2
    )

    movement = services.reservation_ship(actor=stock["cangku"], reservation=reservation)

    found = level(stock["sku"], stock["house"])
    assert (found.on_hand, found.reserved) == (3, 0)
    assert (movement.on_hand_delta, movement.reserved_delta, movement.value) == (
        -2,
        -2,
        Decimal("-20.00"),
    )
    assert Reservation.objects.get(pk=reservation.pk).status == "consumed"
    with pytest.raises(Conflict):
        services.reservation_release(actor=stock["kefu"], reservation=reservation)


def test_return_adds_stock_back(stock):
    receive(stock, 1)
    services.stock_return(
        actor=stock["cangku"],
        sku=stock["sku"],
        warehouse=stock["house"],
        quantity=2,
        reference="R1",
    )
    assert level(stock["sku"], stock["house"]).on_hand == 3


def test_a_role_without_the_permission_changes_nothing(stock, demo):
    with pytest.raises(Forbidden):
        services.stock_receive(
            actor=demo["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=5
        )
    receive(stock, 5)
    with pytest.raises(Forbidden):
        services.stock_reserve(
            actor=demo["caiwu"], sku=stock["sku"], warehouse=stock["house"], quantity=1
        )
    assert level(stock["sku"], stock["house"]).reserved == 0
    assert Movement.objects.filter(sku=stock["sku"]).count() == 1


def make_combo(actor, parts):
    from storeops.catalog import services as catalog

    product = catalog.product_create(actor=actor, name="组合装测试", attribute_names=[])
    combo = catalog.sku_create(
        actor=actor,
        product=product,
        merchant_code=f"COMBO-{parts[0][0].merchant_code}",
        price="99.00",
        is_combo=True,
    )
    return catalog.combo_set_components(actor=actor, combo=combo, components=parts)


def test_inactive_warehouse_and_combo_skus_are_refused(stock, demo):
    receive(stock, 4)
    combo = make_combo(demo["yunying"], [(stock["sku"], 2)])
    with pytest.raises(Invalid) as caught:
        services.stock_receive(
            actor=stock["cangku"], sku=combo, warehouse=stock["house"], quantity=1
        )
    assert caught.value.code == "stock.combo_sku"

    stock["house"] = services.warehouse_update(
        actor=demo["admin"], warehouse=stock["house"], name="停用仓", is_active=False
    )
    with pytest.raises(Invalid) as caught:
        receive(stock, 1)
    assert caught.value.code == "warehouse.inactive"
    assert level(stock["sku"], stock["house"]).on_hand == 4


def test_an_order_with_a_combo_reserves_its_components(stock, demo):
    receive(stock, 5)
    combo = make_combo(demo["yunying"], [(stock["sku"], 2)])

    made = services.stock_reserve_for_order(
        actor=stock["kefu"],
        reference="order:combo-1",
        lines=[(combo, 2), (stock["sku"], 1)],
        warehouse=stock["house"],
    )

    assert [(r.sku_id, r.quantity) for r in made] == [(stock["sku"].pk, 5)]
    assert level(stock["sku"], stock["house"]).available == 0


def test_order_reservation_is_all_or_nothing_and_expands_combos(stock, demo):
    other = make_sku()
    receive(stock, 5)
    services.stock_receive(actor=stock["cangku"], sku=other, warehouse=stock["house"], quantity=1)

    with pytest.raises(Conflict) as caught:
        services.stock_reserve_for_order(
            actor=stock["kefu"],
            reference="order:test-1",
            lines=[(stock["sku"], 2), (other, 2)],
            warehouse=stock["house"],
        )
    assert caught.value.code == "stock.insufficient"
    assert level(stock["sku"], stock["house"]).reserved == 0  # nothing held of the first line

    made = services.stock_reserve_for_order(
        actor=stock["kefu"],
        reference="order:test-2",
        lines=[(stock["sku"], 2), (other, 1), (stock["sku"], 1)],
        warehouse=stock["house"],
    )
    assert sorted((r.sku_id, r.quantity) for r in made) == sorted(
        [(stock["sku"].pk, 3), (other.pk, 1)]
    )
    assert services.stock_release_for_order(actor=stock["kefu"], reference="order:test-2") == 2
    assert level(stock["sku"], stock["house"]).reserved == 0


def test_order_reservation_picks_the_first_warehouse_that_holds_every_line(stock):
    second = make_warehouse(code="ZZ-T-SECOND")
    receive(stock, 1)
    services.stock_receive(actor=stock["cangku"], sku=stock["sku"], warehouse=second, quantity=9)

    made = services.stock_reserve_for_order(
        actor=stock["kefu"], reference="order:test-3", lines=[(stock["sku"], 4)]
    )

    assert [(r.warehouse_id, r.quantity) for r in made] == [(second.pk, 4)]
    movements = services.stock_ship_for_order(actor=stock["cangku"], reference="order:test-3")
    assert [m.on_hand_delta for m in movements] == [-4]
    assert level(stock["sku"], second).on_hand == 5


def test_levels_equal_the_ledger_after_every_kind_of_movement(stock):
    receive(stock, 10)
    first = services.stock_reserve(
        actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=4
    )
    second = services.stock_reserve(
        actor=stock["kefu"], sku=stock["sku"], warehouse=stock["house"], quantity=3
    )
    services.reservation_release(actor=stock["kefu"], reservation=first)
    services.reservation_ship(actor=stock["cangku"], reservation=second)
    services.stock_return(
        actor=stock["cangku"], sku=stock["sku"], warehouse=stock["house"], quantity=1
    )

    found = level(stock["sku"], stock["house"])
    assert (found.on_hand, found.reserved) == ledger_sums(stock["sku"], stock["house"]) == (8, 0)
    assert active_reserved(stock["sku"], stock["house"]) == 0


def test_warehouse_codes_are_ascii_and_unique(demo):
    make_warehouse(code="WH-UNIQ")
    with pytest.raises(Conflict):
        services.warehouse_create(actor=demo["admin"], code="WH-UNIQ", name="重复")
    with pytest.raises(Invalid) as caught:
        services.warehouse_create(actor=demo["admin"], code="北京仓", name="北京")
    assert caught.value.details == {"field": "code"}
