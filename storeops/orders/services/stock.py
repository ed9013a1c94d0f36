"""The seam to stock: reserving an order's goods when it is reviewed (审单), releasing them when it
is closed, split or merged.

The inventory app sits BELOW orders in the layering, so orders calls it: the order's lines — for
a combo line the components recorded in `OrderLine.expansion` (what was sold, even if the combo's
recipe changes later), otherwise (`sku`, `quantity`) — are reserved under the reference
`order:<id>` (fulfillment ships and releases under the same reference). The review service has
checked the reviewer's permission, so inventory does not check its own reserve permission again.
A refusal (409 `stock.insufficient`) propagates: the review service turns it into 异常 (库存不足).
"""

from __future__ import annotations

from typing import Any

from storeops.catalog.models import Sku
from storeops.inventory.services import stock_release_for_order, stock_reserve_for_order
from storeops.orders.models import Order


def order_stock_reference(order: Order) -> str:
    return f"order:{order.pk}"


def order_stock_lines(order: Order) -> list[tuple[int, int]]:
    """(sku_id, quantity) to reserve: combos expanded, unmatched lines left out."""
    wanted: dict[int, int] = {}
    for line in order.lines.all():
        if line.expansion:
            for part in line.expansion:
                wanted[part["sku"]] = wanted.get(part["sku"], 0) + int(part["quantity"])
        elif line.sku_id is not None:
            wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
    return sorted(wanted.items())


def order_stock_reserve(*, actor: Any, order: Order) -> None:
    """Reserve the order's goods (called by the review service when an order becomes 已审核)."""
    wanted = order_stock_lines(order)
    if not wanted:
        return
    skus = Sku.objects.in_bulk([sku_id for sku_id, _quantity in wanted])
    stock_reserve_for_order(
        actor=actor,
        reference=order_stock_reference(order),
        lines=[(skus[sku_id], quantity) for sku_id, quantity in wanted],
        checked_by_caller=True,
    )


def order_stock_release(*, actor: Any, order: Order) -> None:
    """Give back what `order_stock_reserve` took (反审核, closing, splitting)."""
    stock_release_for_order(
        actor=actor,
        reference=order_stock_reference(order),
        reason=f"order {order.status}",
        checked_by_caller=True,
    )


def order_stock_release_platform_closed(actor: Any, order_ids: list[int]) -> None:
    """An import closed these orders (the platform says 已关闭): give back what they held. Runs
    inside the import's transaction (see `register_on_platform_close`)."""
    for order_id in order_ids:
        stock_release_for_order(
            actor=actor,
            reference=f"order:{order_id}",
            reason="order closed by the platform",
            checked_by_caller=True,
        )
