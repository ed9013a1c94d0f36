"""The seam to stock: reserving an order's goods when it is reviewed (审单), releasing them when it
is closed, split or merged.

The inventory app sits BELOW orders in the layering, so it cannot register anything here; orders
calls it. Until the inventory issue lands these are no-ops; then they call
`storeops.inventory.services` with the order's lines — for a combo line the components recorded
in `OrderLine.expansion` (what was sold, even if the combo's recipe changes later), otherwise
(`sku_id`, `quantity`). Every caller runs inside its own service transaction, so a refused
reservation (409 not enough stock) rolls the review back.
"""

from __future__ import annotations

from typing import Any

from storeops.orders.models import Order


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
    return


def order_stock_release(*, actor: Any, order: Order) -> None:
    """Give back what `order_stock_reserve` took (反审核, closing, splitting)."""
    return
