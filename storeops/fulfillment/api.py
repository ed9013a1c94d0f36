"""fulfillment API."""

from ninja import Router

router = Router(tags=["fulfillment"])
