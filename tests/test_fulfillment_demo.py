"""The demo has a few orders in the warehouse: one waiting to be scanned, one packed, one shipped."""

import pytest

from storeops.fulfillment.models import Allocation, Shipment

pytestmark = pytest.mark.django_db


def test_demo_has_allocated_packed_and_shipped_orders(demo):
    statuses = set(Allocation.objects.values_list("status", flat=True))
    assert {"allocated", "packed", "shipped"} <= statuses
    shipped = Shipment.objects.select_related("order").first()
    assert shipped.order.status == "shipped"
