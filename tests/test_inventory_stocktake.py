"""Weekly stocktake (R3.2): a duty per warehouse for 客服, a blind count (scan, sheet), a variance
report with value at cost, variances applied as `stocktake` movements only after someone other than
the counter approved them (R5.1), the week's sales and stock kept, overdue told to the 经理s.
All on a frozen clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.excel import workbook_bytes
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.selectors import approval_for, occurrence_current
from storeops.governance.services import occurrence_mark_overdue
from storeops.inventory import selectors, services
from storeops.inventory.models import Movement, Stocktake
from storeops.notifications.models import Alert, Notification
from tests.inventory_helpers import ledger_sums, level, make_sku, make_warehouse

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 10, 0, tzinfo=clock.BUSINESS_TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def house(demo, frozen):
    """A warehouse with its weekly duty, holding 10 of A (cost 8) and 5 of B (cost 20); 3 of A
    shipped this week."""
    warehouse = make_warehouse()
    a, b = make_sku(cost="8.00"), make_sku(cost="20.00")
    for sku, quantity in ((a, 13), (b, 5)):
        services.stock_receive(
            actor=demo["cangku"], sku=sku, warehouse=warehouse, quantity=quantity
        )
    services.stock_reserve_for_order(
        actor=demo["kefu"], reference="ST-ORDER-1", lines=[(a, 3)], warehouse=warehouse
    )
    services.stock_ship_for_order(actor=demo["cangku"], reference="ST-ORDER-1")
    services.stocktake_obligations_ensure()
    frozen.shift(dt.timedelta(hours=2))  # the count comes later that day
    return warehouse, a, b


def duty_period(warehouse):
    return occurrence_current(selectors.stocktake_obligation(warehouse))


def test_each_warehouse_gets_one_weekly_duty_for_a_kefu(house, demo):
    warehouse, _a, _b = house
    obligation = selectors.stocktake_obligation(warehouse)
    assert "customer_service" in obligation.owner.role_codes()
    assert obligation.policy_id == "R3.2"
    assert obligation.schedule.startswith("every 7 days from 2026-12-07")
    assert services.stocktake_obligations_ensure() == 0  # idempotent
    period = duty_period(warehouse)
    assert period.status == OccurrenceStatus.OPEN
    assert period.due_at == period.opens_at + dt.timedelta(days=7)


def test_a_count_with_a_variance_waits_for_someone_else_then_moves_stock(house, demo):
    warehouse, a, b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    assert {line.sku_id for line in stocktake.lines.all()} == {a.pk, b.pk}
    # blind: nothing expected is known while counting
    assert all(line.expected is None for line in stocktake.lines.all())
    for _ in range(4):
        services.stocktake_scan(actor=demo["kefu"], stocktake=stocktake, code=a.merchant_code)
    services.stocktake_scan(
        actor=demo["kefu"], stocktake=stocktake, code=a.merchant_code, quantity=4
    )
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=b, quantity=6)

    stocktake = services.stocktake_submit(actor=demo["kefu"], stocktake=stocktake)

    assert stocktake.status == "submitted"
    lines = {line.sku_id: line for line in stocktake.lines.all()}
    assert (lines[a.pk].expected, lines[a.pk].counted, lines[a.pk].variance) == (10, 8, -2)
    assert lines[a.pk].variance_value == Decimal("-16.00")  # 盘亏 at cost
    assert (lines[b.pk].variance, lines[b.pk].variance_value) == (1, Decimal("20.00"))  # 盘盈
    # the week's sales (shipment movements) and stock are kept with the record
    assert (stocktake.sold_quantity, stocktake.sold_value) == (3, Decimal("24.00"))
    assert lines[a.pk].sold == 3
    assert (stocktake.stock_quantity, stocktake.stock_value) == (15, Decimal("180.00"))
    # nothing moved before approval, and the duty is still open
    assert level(a, warehouse).on_hand == 10
    assert duty_period(warehouse).status == OccurrenceStatus.OPEN
    with pytest.raises(Forbidden):  # the counter never approves their own count
        services.stocktake_decide(actor=demo["kefu"], stocktake=stocktake, approve=True)

    done = services.stocktake_decide(actor=demo["jingli"], stocktake=stocktake, approve=True)

    assert done.status == "applied"
    assert (level(a, warehouse).on_hand, level(b, warehouse).on_hand) == (8, 6)
    moves = Movement.objects.filter(reference=f"ST-{stocktake.pk}").order_by("sku_id")
    assert [(m.kind, m.on_hand_delta, m.value, m.reason) for m in moves] == [
        ("stocktake", -2, Decimal("-16.00"), "盘亏"),
        ("stocktake", 1, Decimal("20.00"), "盘盈"),
    ]
    assert ledger_sums(a, warehouse) == (8, 0)
    assert approval_for(done).status == "approved"
    period = done.occurrence
    period.refresh_from_db()
    assert period.status == OccurrenceStatus.DONE
    assert f"ST-{stocktake.pk}" in period.evidence
    assert duty_period(warehouse) is None


def test_a_count_without_variance_completes_at_once(house, demo):
    warehouse, a, b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=a, quantity=10)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=b, quantity=5)
    done = services.stocktake_submit(actor=demo["kefu"], stocktake=stocktake)
    assert done.status == "applied"
    assert approval_for(done) is None
    assert not Movement.objects.filter(reference=f"ST-{stocktake.pk}").exists()
    assert duty_period(warehouse) is None


def test_every_line_must_be_counted_and_one_count_at_a_time(house, demo):
    warehouse, a, _b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    with pytest.raises(Conflict) as exc:
        services.stocktake_start(actor=demo["kefu_jd"], warehouse=warehouse)
    assert exc.value.code == "stocktake.open_exists"
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=a, quantity=10)
    with pytest.raises(Invalid) as exc:
        services.stocktake_submit(actor=demo["kefu"], stocktake=stocktake)
    assert exc.value.code == "stocktake.uncounted"
    with pytest.raises(Invalid):
        services.stocktake_scan(actor=demo["kefu"], stocktake=stocktake, code="NO-SUCH-CODE")
    with pytest.raises(Forbidden):  # 运营 does not count
        services.stocktake_count(actor=demo["yunying"], stocktake=stocktake, sku=a, quantity=1)


def test_a_rejected_count_changes_nothing_and_leaves_the_duty_open(house, demo):
    warehouse, a, b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=a, quantity=1)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=b, quantity=5)
    services.stocktake_submit(actor=demo["kefu"], stocktake=stocktake)
    done = services.stocktake_decide(
        actor=demo["caiwu"], stocktake=stocktake, approve=False, comment="A 数量不对，请复盘"
    )
    assert done.status == "rejected"
    assert level(a, warehouse).on_hand == 10
    assert duty_period(warehouse).status == OccurrenceStatus.OPEN
    # a new count may start
    again = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    assert again.period_start == done.period_start


def test_the_count_sheet_is_uploaded_all_or_nothing(house, demo):
    warehouse, a, b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    bad = workbook_bytes(
        "盘点表",
        ["商家编码", "实盘数量"],
        [[a.merchant_code, 9], ["NO-SUCH", 1], [b.merchant_code, -1]],
    )
    result = services.stocktake_upload(
        actor=demo["kefu"], stocktake=stocktake, source=bad, filename="sheet.xlsx"
    )
    assert not result.applied
    assert {e.line for e in result.errors} == {3, 4}
    assert all(line.counted is None for line in stocktake.lines.all())

    good = workbook_bytes(
        "盘点表",
        ["商家编码", "条码", "实盘数量"],
        [[a.merchant_code, "", 9], [b.merchant_code, "", 5]],
    )
    result = services.stocktake_upload(
        actor=demo["kefu"], stocktake=stocktake, source=good, filename="sheet.xlsx"
    )
    assert result.applied
    assert result.updated == 2
    assert {line.sku_id: line.counted for line in stocktake.lines.all()} == {a.pk: 9, b.pk: 5}


def test_an_overdue_count_alerts_the_managers_once_and_is_resolved_by_the_count(
    house, demo, frozen
):
    warehouse, a, b = house
    period = duty_period(warehouse)
    frozen.move_to(period.due_at + dt.timedelta(hours=1))
    services.stocktake_check()
    services.stocktake_check()  # once per period however often it runs
    key = f"inventory.stocktake_overdue:{period.pk}"
    alert = Alert.objects.get(dedupe_key=key, resolved_at__isnull=True)
    told = set(
        Notification.objects.filter(alert=alert).values_list("recipient__username", flat=True)
    )
    assert "jingli" in told
    # governance tells the owner and the 客服部's contact person (kefu in the demo) itself
    occurrence_mark_overdue()
    late = Alert.objects.get(dedupe_key=f"governance.occurrence_overdue:{period.pk}")
    assert "kefu" in set(
        Notification.objects.filter(alert=late).values_list("recipient__username", flat=True)
    )

    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=a, quantity=10)
    services.stocktake_count(actor=demo["kefu"], stocktake=stocktake, sku=b, quantity=5)
    services.stocktake_submit(actor=demo["kefu"], stocktake=stocktake)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    late.refresh_from_db()
    assert late.resolved_at is not None
    period.refresh_from_db()
    assert period.status == OccurrenceStatus.DONE


def test_pages_count_blind_then_show_the_variances(house, demo, client):
    warehouse, a, b = house
    stocktake = services.stocktake_start(actor=demo["kefu"], warehouse=warehouse)
    client.force_login(demo["kefu"])
    page = client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    row = page.split(f'data-sku="{a.merchant_code}"')[1].split("</tr>")[0]
    assert "未盘" in row
    assert ">10<" not in row
    response = client.post(
        f"/inventory/stocktakes/{stocktake.pk}/scan/", {"code": a.merchant_code, "quantity": "10"}
    )
    assert response.status_code == 302
    client.post(
        f"/inventory/stocktakes/{stocktake.pk}/count/", {"sku": b.merchant_code, "counted": "4"}
    )
    sheet = client.get(f"/inventory/stocktakes/{stocktake.pk}/sheet/")
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxml")
    client.post(f"/inventory/stocktakes/{stocktake.pk}/submit/")
    stocktake = Stocktake.objects.get(pk=stocktake.pk)
    assert stocktake.status == "submitted"
    page = client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert "盘亏" in page
    assert 'data-testid="decide-form"' not in page
    client.force_login(demo["jingli"])
    page = client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert 'data-testid="decide-form"' in page
    assert "-¥20.00" in page
    client.post(f"/inventory/stocktakes/{stocktake.pk}/decide/", {"decision": "approve"})
    assert level(b, warehouse).on_hand == 4
    history = client.get("/inventory/stocktakes/").content.decode()
    assert f"ST-{stocktake.pk}" in history
