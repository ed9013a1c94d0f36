"""Demo fulfillment (issue 6, R2.9): a few reviewed orders allocated to the main warehouse — one
waiting to be scanned, one packed, one shipped with a 顺丰 number — through the services.
Idempotent: does nothing once any allocation exists. Orders that cannot be allocated (not enough
stock in the demo) are skipped."""

from __future__ import annotations

from typing import Any

from storeops.core.errors import DomainError
from storeops.fulfillment import selectors, services
from storeops.fulfillment.models import Allocation
from storeops.inventory.models import Warehouse
from storeops.orders.models import Order
from storeops.orders.services.review import order_review


def _candidates(users: dict[str, Any], store: Any) -> list[Order]:
    reviewed = list(Order.objects.filter(store=store, status="reviewed").order_by("id")[:3])
    for order in Order.objects.filter(store=store, status="pending_review").order_by("id")[:20]:
        if len(reviewed) >= 3:
            break
        try:
            reviewed.append(order_review(actor=users["kefu"], order_id=order.pk))
        except DomainError:
            continue
    return reviewed


def seed_fulfillment(*, users: dict[str, Any], stores: dict[str, Any]) -> None:
    if Allocation.objects.exists() or "tb-main" not in stores:
        return
    house = Warehouse.objects.filter(code="GZ-MAIN").first()
    cangku = users["cangku"]
    allocations = []
    for order in _candidates(users, stores["tb-main"]):
        try:
            allocations.append(
                services.allocation_create(actor=cangku, order_id=order.pk, warehouse=house)
            )
        except DomainError:
            continue
    for index, allocation in enumerate(allocations[1:], start=1):
        try:
            for line in selectors.allocation_lines(allocation):
                for _ in range(line.quantity):
                    services.verify_scan(
                        actor=cangku, allocation_id=allocation.pk, code=line.sku.merchant_code
                    )
            services.pack_confirm(
                actor=cangku,
                allocation_id=allocation.pk,
                checklist={"package_type": True, "protective_material": True, "inserts": True},
            )
            if index == 2:
                services.shipment_create(
                    actor=cangku, allocation_id=allocation.pk, tracking_no="SF1000000000001"
                )
        except DomainError:
            continue
