"""What every fulfillment service shares: the allocation state machine and its audit event."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core.errors import Conflict
from storeops.fulfillment.enums import (
    ALLOCATION_TRANSITIONS,
    AllocationStatus,
)
from storeops.fulfillment.models import (
    Allocation,
)

A = AllocationStatus
MAX_WEIGHT_G = 1_000_000
MAX_WAVE = 500


def _transition(allocation: Allocation, status: str) -> None:
    if status != allocation.status and status not in ALLOCATION_TRANSITIONS[allocation.status]:
        raise Conflict(
            "allocation.transition_refused",
            _("配货单状态不能从“%(from)s”变为“%(to)s”")
            % {"from": A(allocation.status).label, "to": A(status).label},
            {"field": "status", "from": allocation.status, "to": status},
        )
    allocation.status = status


def _audit(
    actor: Any, verb: str, allocation: Allocation, *, before: Any = None, after: Any = None
) -> None:
    audit_record(
        actor=actor,
        action=f"fulfillment.allocation.{verb}",
        obj=allocation,
        object_repr=f"{allocation} {allocation.order.platform_order_no}",
        store=allocation.store_id,
        before=before,
        after=after,
    )
