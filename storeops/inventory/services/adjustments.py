"""Stock adjustments (R5.1): requested, applied only after someone else approved."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.core.errors import Conflict, Forbidden
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.governance.enums import ApprovalStatus
from storeops.governance.selectors import approval_for
from storeops.governance.services import (
    approval_cancel,
    approval_decide,
    approval_request,
    approval_require,
)
from storeops.inventory.enums import (
    ADJUSTMENT_TRANSITIONS,
    AdjustmentStatus,
    MovementKind,
)
from storeops.inventory.models import (
    StockAdjustment,
    Warehouse,
)
from storeops.inventory.permissions import ADJUSTMENT_APPROVER_ROLES, InventoryPerm
from storeops.inventory.selectors import (
    adjustment_snapshot,
)
from storeops.inventory.services.levels import (
    _on_hand_change,
    _stockable,
    on_commit_alert_check,
    quantity_clean,
)


# --- adjustments (R5.1: applied only after someone else approved) -------------------------------
def _adjustment_set_status(adjustment: StockAdjustment, status: str) -> None:
    if status not in ADJUSTMENT_TRANSITIONS[AdjustmentStatus(adjustment.status)]:
        raise Conflict(
            "adjustment.wrong_status",
            _("调整单当前状态为“%(status)s”，不能这样操作")
            % {"status": adjustment.get_status_display()},
        )
    adjustment.status = status
    adjustment.decided_at = clock.now()


@transaction.atomic
def adjustment_request(
    *, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, reason: str
) -> StockAdjustment:
    require(actor, InventoryPerm.REQUEST_ADJUSTMENT)
    quantity = quantity_clean(quantity, signed=True)
    reason = clean_text(reason, field="reason", required=True, limit=200)
    _stockable(sku, warehouse)
    adjustment = StockAdjustment.objects.create(
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    approval_request(
        actor=actor,
        obj=adjustment,
        snapshot=adjustment_snapshot(adjustment),
        title=_("库存调整：%(sku)s @ %(warehouse)s %(quantity)+d")
        % {"sku": sku.merchant_code, "warehouse": warehouse.code, "quantity": quantity},
        approver_roles=ADJUSTMENT_APPROVER_ROLES,
        url=reverse("inventory:adjustment_detail", args=[adjustment.pk]),
    )
    audit_record(
        actor=actor,
        action="inventory.adjustment.request",
        obj=adjustment,
        after=adjustment_snapshot(adjustment),
    )
    return adjustment


@transaction.atomic
def adjustment_decide(
    *, actor: Any, adjustment: StockAdjustment, approve: bool, comment: str = ""
) -> StockAdjustment:
    """Approve (and apply, in the same transaction) or reject. Governance decides who may: the
    step's roles, never the requester. An adjustment that would take on hand below what is
    reserved is refused whole, and the approval stays pending."""
    require(actor, InventoryPerm.APPROVE_ADJUSTMENT)
    adjustment = (
        StockAdjustment.objects.select_for_update()
        .select_related("sku", "warehouse")
        .get(pk=adjustment.pk)
    )
    if adjustment.status != AdjustmentStatus.PENDING:
        raise Conflict(
            "adjustment.wrong_status",
            _("调整单当前状态为“%(status)s”，不能审批")
            % {"status": adjustment.get_status_display()},
        )
    approval = approval_for(adjustment)
    if approval is None or approval.status != ApprovalStatus.PENDING:
        raise Conflict("approval.missing", _("该调整单没有待审批的申请"))
    approval = approval_decide(actor=actor, approval=approval, approve=approve, comment=comment)
    if approval.status == ApprovalStatus.PENDING:  # a further step waits
        return adjustment
    before = {"status": adjustment.status}
    if approval.status == ApprovalStatus.APPROVED:
        approval_require(obj=adjustment, snapshot=adjustment_snapshot(adjustment))
        movement = _on_hand_change(
            actor=actor,
            kind=MovementKind.ADJUSTMENT,
            sku=adjustment.sku,
            warehouse=adjustment.warehouse,
            delta=adjustment.quantity,
            reason=adjustment.reason,
            reference=f"ADJ-{adjustment.pk}",
        )
        _adjustment_set_status(adjustment, AdjustmentStatus.APPLIED)
        adjustment.movement = movement
    else:
        _adjustment_set_status(adjustment, AdjustmentStatus.REJECTED)
    adjustment.save(update_fields=["status", "decided_at", "movement"])
    audit_record(
        actor=actor,
        action="inventory.adjustment.apply"
        if adjustment.status == AdjustmentStatus.APPLIED
        else "inventory.adjustment.reject",
        obj=adjustment,
        before=before,
        after={**adjustment_snapshot(adjustment), "status": adjustment.status},
    )
    if adjustment.status == AdjustmentStatus.APPLIED:
        on_commit_alert_check(adjustment.sku)
    return adjustment


@transaction.atomic
def adjustment_cancel(*, actor: Any, adjustment: StockAdjustment) -> StockAdjustment:
    """The requester withdraws a pending adjustment (and its approval request)."""
    adjustment = StockAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.requested_by_id != getattr(actor, "pk", None):
        raise Forbidden("adjustment.not_requester", _("只有申请人可以撤销调整单"))
    _adjustment_set_status(adjustment, AdjustmentStatus.CANCELLED)
    approval = approval_for(adjustment)
    if approval is not None and approval.status == ApprovalStatus.PENDING:
        approval_cancel(actor=actor, approval=approval)
    adjustment.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="inventory.adjustment.cancel",
        obj=adjustment,
        before={"status": AdjustmentStatus.PENDING},
        after={"status": adjustment.status},
    )
    return adjustment
