"""API of the content app."""

from ninja import Router

router = Router(tags=["content"])
