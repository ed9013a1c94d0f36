"""库存预警 (R2.16): an alert to the responsible person when available falls under the safety
stock or above the upper limit, told once, resolved when it clears; a reorder suggestion from the
sales recorded as shipment movements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from storeops.core import clock
from storeops.core.errors import Invalid
from storeops.inventory import services
from storeops.inventory.selectors import sku_outlook, stock_rule_for
from storeops.notifications.models import Alert
from tests.inventory_helpers import make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(demo):
    sku, house = make_sku(), make_warehouse()
    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=30)
    return sku, house


def open_alerts(sku, kind):
    return Alert.objects.filter(dedupe_key=f"{kind}:{sku.pk}", resolved_at__isnull=True)


def test_low_stock_alerts_the_responsible_person_once_and_resolves(setup, demo):
    sku, house = setup
    services.stock_rule_set(
        actor=demo["yunying"],
        sku=sku,
        safety_stock=10,
        upper_limit=100,
        lead_time_days=5,
        responsible=demo["cangku"],
    )
    services.stock_reserve(actor=demo["kefu"], sku=sku, warehouse=house, quantity=25)

    services.stock_alert_check(sku_ids=[sku.pk])
    services.stock_alert_check(sku_ids=[sku.pk])

    alert = open_alerts(sku, "inventory.stock_low").get()
    assert alert.title == f"库存预警：{sku.merchant_code} 可用 5，低于安全库存 10"
    assert [n.recipient for n in alert.notifications.all()] == [demo["cangku"]]

    services.stock_receive(actor=demo["cangku"], sku=sku, warehouse=house, quantity=20)
    services.stock_alert_check(sku_ids=[sku.pk])
    assert not open_alerts(sku, "inventory.stock_low").exists()


def test_above_the_upper_limit_alerts_too(setup, demo):
    sku, _house = setup
    services.stock_rule_set(
        actor=demo["yunying"], sku=sku, safety_stock=0, upper_limit=20, lead_time_days=5
    )
    services.stock_alert_check(sku_ids=[sku.pk])
    assert open_alerts(sku, "inventory.stock_high").count() == 1
    assert not open_alerts(sku, "inventory.stock_low").exists()


def test_reorder_suggestion_uses_shipments_and_lead_time(setup, demo):
    sku, house = setup
    rule = services.stock_rule_set(
        actor=demo["yunying"], sku=sku, safety_stock=10, upper_limit=None, lead_time_days=10
    )
    with time_machine.travel(clock.now() - dt.timedelta(days=3), tick=False):
        reservation = services.stock_reserve(
            actor=demo["kefu"], sku=sku, warehouse=house, quantity=15
        )
        services.reservation_ship(actor=demo["cangku"], reservation=reservation)

    outlook = sku_outlook(sku, stock_rule_for(sku), now=clock.now())

    assert outlook.available == 15
    assert outlook.daily_sales == Decimal("0.50")  # 15 shipped in the 30-day window
    assert outlook.days_of_cover == Decimal("30.0")
    assert outlook.reorder_quantity == 0  # 0.5 × 10 + 10 − 15
    assert rule.lead_time_days == 10


def test_rule_input_is_checked(setup, demo):
    sku, _house = setup
    with pytest.raises(Invalid) as caught:
        services.stock_rule_set(
            actor=demo["yunying"], sku=sku, safety_stock=10, upper_limit=5, lead_time_days=3
        )
    assert caught.value.details == {"field": "upper_limit"}
    with pytest.raises(Invalid):
        services.stock_rule_set(
            actor=demo["yunying"], sku=sku, safety_stock=-1, upper_limit=None, lead_time_days=3
        )
    assert stock_rule_for(sku) is None
