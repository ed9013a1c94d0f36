"""API of the org app."""

from ninja import Router

router = Router(tags=["org"])
