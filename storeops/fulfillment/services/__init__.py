"""Every fulfillment write (R2.9): allocate (配货) and waves, verify by scanning (核对), pack by the
standard (打包规范), ship (发货) with tracking numbers typed, scanned or imported, pick-up booking,
cancellation before shipment. Permission-checked, atomic, audited, on the order's timeline.

Stock moves only through the inventory services under the order's reference `order:<id>`:
allocation reserves (or keeps the reservation made at review), shipping consumes it as a shipment
movement, cancelling releases it. The order's status moves only through the orders services.
"""

from storeops.fulfillment.services.allocation import (
    WaveResult,
    allocation_cancel,
    allocation_create,
    allocations_cancel_platform_closed,
    order_for_allocation,
    wave_create,
)
from storeops.fulfillment.services.common import MAX_WAVE, MAX_WEIGHT_G
from storeops.fulfillment.services.packing import (
    ScanOutcome,
    pack_confirm,
    standard_save,
    verify_clear_block,
    verify_scan,
)
from storeops.fulfillment.services.shipping import (
    TRACKING_COLUMNS,
    TrackingRow,
    courier_choose,
    fulfillment_defaults_seed,
    pickup_book,
    shipment_create,
    tracking_import,
)

__all__ = [
    "MAX_WAVE",
    "MAX_WEIGHT_G",
    "TRACKING_COLUMNS",
    "ScanOutcome",
    "TrackingRow",
    "WaveResult",
    "allocation_cancel",
    "allocation_create",
    "allocations_cancel_platform_closed",
    "courier_choose",
    "fulfillment_defaults_seed",
    "order_for_allocation",
    "pack_confirm",
    "pickup_book",
    "shipment_create",
    "standard_save",
    "tracking_import",
    "verify_clear_block",
    "verify_scan",
    "wave_create",
]
