"""storefront API."""

from ninja import Router

router = Router(tags=["storefront"])
