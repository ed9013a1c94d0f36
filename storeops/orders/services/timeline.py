"""The order's timeline (OrderEvent): one helper so every service writes it alike."""

from __future__ import annotations

from typing import Any

from storeops.core import clock
from storeops.orders.models import Order, OrderEvent


def timeline_add(
    *,
    order: Order,
    actor: Any,
    kind: str,
    message: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> OrderEvent:
    """Append to the timeline. `before`/`after` hold no personal data in clear."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return OrderEvent.objects.create(
        order=order,
        at=clock.now(),
        actor=user,
        kind=kind,
        message=str(message)[:500],
        before=before or {},
        after=after or {},
    )
