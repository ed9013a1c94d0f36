"""orders API."""

from ninja import Router

from storeops.orders.api_orders import router as handling_router

router = Router(tags=["orders"])
# Orders, 审单, 改价, remarks, shipping and reviews (api_orders); the import operations live here.
router.add_router("", handling_router)
