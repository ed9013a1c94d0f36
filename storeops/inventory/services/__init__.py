"""Every write of stock: permission-checked, atomic, audited, and recorded as a movement.

Oversell is impossible by construction: a reservation is one conditional UPDATE
(`reserved = reserved + q WHERE on_hand - reserved >= q`), and the CHECK constraints refuse any
negative on hand, reserved or available. Services that touch several levels in one transaction
(orders) take them in a fixed order — warehouse code, then SKU id — so two multi-SKU orders never
deadlock on PostgreSQL; SQLite runs `BEGIN IMMEDIATE`, which serialises writers.

The public names are re-exported here, so callers write `from storeops.inventory import services`
and `services.stock_reserve(...)` whatever module holds them.
"""

from storeops.inventory.services.adjustments import (
    adjustment_cancel,
    adjustment_decide,
    adjustment_request,
)
from storeops.inventory.services.availability import store_share_set
from storeops.inventory.services.levels import (
    MAX_QUANTITY,
    on_commit_alert_check,
    quantity_clean,
    stock_receive,
    stock_return,
    warehouse_create,
    warehouse_update,
)
from storeops.inventory.services.purchasing import (
    purchase_cancel,
    purchase_create,
    purchase_receive,
)
from storeops.inventory.services.reservations import (
    reservation_release,
    reservation_ship,
    stock_release_for_order,
    stock_reserve,
    stock_reserve_for_order,
    stock_ship_for_order,
    stock_ship_part_for_order,
)
from storeops.inventory.services.rules import (
    ALERT_HIGH,
    ALERT_LOW,
    stock_alert_check,
    stock_rule_set,
)
from storeops.inventory.services.stocktake import (
    stocktake_cancel,
    stocktake_check,
    stocktake_count,
    stocktake_decide,
    stocktake_obligations_ensure,
    stocktake_scan,
    stocktake_start,
    stocktake_submit,
    stocktake_upload,
)

__all__ = [
    "ALERT_HIGH",
    "ALERT_LOW",
    "MAX_QUANTITY",
    "adjustment_cancel",
    "adjustment_decide",
    "adjustment_request",
    "on_commit_alert_check",
    "purchase_cancel",
    "purchase_create",
    "purchase_receive",
    "quantity_clean",
    "reservation_release",
    "reservation_ship",
    "stock_alert_check",
    "stock_receive",
    "stock_release_for_order",
    "stock_reserve",
    "stock_reserve_for_order",
    "stock_return",
    "stock_rule_set",
    "stock_ship_for_order",
    "stock_ship_part_for_order",
    "stocktake_cancel",
    "stocktake_check",
    "stocktake_count",
    "stocktake_decide",
    "stocktake_obligations_ensure",
    "stocktake_scan",
    "stocktake_start",
    "stocktake_submit",
    "stocktake_upload",
    "store_share_set",
    "warehouse_create",
    "warehouse_update",
]
