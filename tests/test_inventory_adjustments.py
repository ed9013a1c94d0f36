"""Adjustments are applied only after someone other than the requester approved exactly them
(R5.1); `storeops inventory-check` names the first level that disagrees with the ledger."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from storeops.core.errors import Conflict, Forbidden
from storeops.governance.selectors import approval_for
from storeops.inventory import services
from storeops.inventory.models import Movement, StockLevel
from tests.inventory_helpers import ledger_sums, level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(demo):
    sku, house = make_sku(cost="8.00"), make_warehouse()
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=10)
    return sku, house


def test_an_adjustment_waits_for_approval_then_moves_stock(stocked, demo):
    sku, house = stocked
    adjustment = services.adjustment_request(
        actor=demo["cangku"], sku=sku, warehouse=house, quantity=-3, reason="破损"
    )
    assert level(sku, house).on_hand == 10  # nothing moves before approval
    assert approval_for(adjustment).status == "pending"

    done = services.adjustment_decide(actor=demo["jingli"], adjustment=adjustment, approve=True)

    assert done.status == "applied"
    assert level(sku, house).on_hand == 7
    movement = Movement.objects.get(pk=done.movement_id)
    assert (movement.kind, movement.on_hand_delta, str(movement.value)) == (
        "adjustment",
        -3,
        "-24.00",
    )
    assert movement.actor == demo["jingli"]
    assert ledger_sums(sku, house) == (7, 0)


def test_the_requester_cannot_approve_their_own_adjustment(stocked, demo):
    sku, house = stocked
    # a manager asking: the other manager-role holders or finance decide, never the requester
    adjustment = services.adjustment_request(
        actor=demo["kefu"], sku=sku, warehouse=house, quantity=2, reason="盘盈"
    )
    with pytest.raises(Forbidden):
        services.adjustment_decide(actor=demo["kefu"], adjustment=adjustment, approve=True)
    with pytest.raises(Forbidden):
        services.adjustment_decide(actor=demo["cangku"], adjustment=adjustment, approve=True)
    assert level(sku, house).on_hand == 10
    assert approval_for(adjustment).status == "pending"


def test_a_rejected_adjustment_changes_nothing(stocked, demo):
    sku, house = stocked
    adjustment = services.adjustment_request(
        actor=demo["cangku"], sku=sku, warehouse=house, quantity=5, reason="多收"
    )
    done = services.adjustment_decide(
        actor=demo["caiwu"], adjustment=adjustment, approve=False, comment="没有单据"
    )
    assert done.status == "rejected"
    assert level(sku, house).on_hand == 10
    with pytest.raises(Conflict):
        services.adjustment_decide(actor=demo["jingli"], adjustment=adjustment, approve=True)


def test_an_adjustment_below_what_is_reserved_is_refused_and_stays_pending(stocked, demo):
    sku, house = stocked
    services.stock_reserve(actor=demo["kefu"], sku=sku, warehouse=house, quantity=8)
    adjustment = services.adjustment_request(
        actor=demo["cangku"], sku=sku, warehouse=house, quantity=-5, reason="丢失"
    )

    with pytest.raises(Conflict) as caught:
        services.adjustment_decide(actor=demo["jingli"], adjustment=adjustment, approve=True)

    assert caught.value.code == "stock.below_reserved"
    found = level(sku, house)
    assert (found.on_hand, found.reserved) == (10, 8)
    assert approval_for(adjustment).status == "pending"


def test_the_requester_may_withdraw(stocked, demo):
    sku, house = stocked
    adjustment = services.adjustment_request(
        actor=demo["cangku"], sku=sku, warehouse=house, quantity=1, reason="x"
    )
    with pytest.raises(Forbidden):
        services.adjustment_cancel(actor=demo["kefu"], adjustment=adjustment)
    assert services.adjustment_cancel(actor=demo["cangku"], adjustment=adjustment).status == (
        "cancelled"
    )
    assert approval_for(adjustment).status == "cancelled"


def test_inventory_check_passes_on_a_consistent_ledger(stocked, capsys):
    call_command("inventory-check")
    assert "inventory-check OK" in capsys.readouterr().out


def test_inventory_check_names_the_first_corrupted_level(stocked, demo):
    sku, house = stocked
    # someone edits the level behind the services' back
    StockLevel.objects.filter(sku=sku, warehouse=house).update(on_hand=11)

    with pytest.raises(CommandError) as caught:
        call_command("inventory-check")

    assert str(caught.value) == (
        f"inventory-check FAILED: SKU {sku.merchant_code} @ {house.code}: "
        "on_hand = 11, movements = 10"
    )


def test_inventory_check_exits_non_zero_from_the_command_line(stocked):
    """The console script itself: exit status 1 (CommandError), message on stderr."""
    from django.core.management import ManagementUtility

    sku, house = stocked
    StockLevel.objects.filter(sku=sku, warehouse=house).update(reserved=1)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["storeops", "inventory-check"]).execute()
    assert exited.value.code == 1
