"""Partial shipment (部分发货): some of an order's goods leave, the rest follow later.

`order_ship` (transactions) records a whole shipment (→ 已发货); this records a part of one
(已审核 → 部分发货, the shipped lines marked 已发货). The last part goes through `order_ship`.
Called by fulfillment; checked, audited and on the timeline like every order change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid
from storeops.core.text import clean_text
from storeops.orders.enums import LineStatus, OrderEventKind, OrderStatus, order_transition_check
from storeops.orders.models import Order
from storeops.orders.permissions import OrderPerm
from storeops.orders.selectors_list import order_get_for_change
from storeops.orders.services.timeline import timeline_add
from storeops.orders.services.transactions import COURIER_NAMES, TRACKING_PATTERN

S = OrderStatus


@transaction.atomic
def order_ship_partial(
    *,
    actor: Any,
    order_id: int,
    courier: str,
    tracking_no: str,
    shipped_line_ids: Sequence[int] = (),
) -> Order:
    """Record a parcel carrying part of the order: 已审核/部分发货 → 部分发货. `shipped_line_ids` are
    the order lines now wholly shipped (marked 已发货); lines shipped only in part stay 正常."""
    order = order_get_for_change(actor=actor, order_id=order_id, perm=OrderPerm.SHIP_ORDER)
    courier = clean_text(courier, field="courier", required=True, limit=40)
    if courier not in COURIER_NAMES:
        raise Invalid(
            "order.courier", _("请选择快递公司"), {"field": "courier", "choices": COURIER_NAMES}
        )
    tracking_no = clean_text(tracking_no, field="tracking_no", required=True, limit=64)
    tracking_no = tracking_no.replace(" ", "")
    if not TRACKING_PATTERN.match(tracking_no):
        raise Invalid(
            "order.tracking_no",
            _("运单号只能是 6–40 位字母、数字或短横线"),
            {"field": "tracking_no"},
        )
    if order.status not in (S.REVIEWED, S.PARTIALLY_SHIPPED):
        order_transition_check(order.status, S.PARTIALLY_SHIPPED)
        raise Conflict(
            "order.not_reviewed",
            _("订单审核后才能发货"),
            {"field": "status", "status": order.status},
        )
    before = {"status": order.status, "courier": order.courier, "tracking_no": order.tracking_no}
    order_transition_check(order.status, S.PARTIALLY_SHIPPED)
    order.status = S.PARTIALLY_SHIPPED
    order.courier = courier
    order.tracking_no = tracking_no
    order.shipped_at = order.shipped_at or clock.now()
    order.save(update_fields=["status", "courier", "tracking_no", "shipped_at", "updated_at"])
    ids = sorted({int(i) for i in shipped_line_ids})
    if ids:
        order.lines.filter(pk__in=ids, status=LineStatus.NORMAL).update(status=LineStatus.SHIPPED)
    after = {
        "status": order.status,
        "courier": courier,
        "tracking_no": tracking_no,
        "lines": ids,
    }
    timeline_add(
        order=order,
        actor=actor,
        kind=OrderEventKind.SHIPPED,
        message=_("部分发货：%(courier)s %(no)s") % {"courier": courier, "no": tracking_no},
        before=before,
        after=after,
    )
    audit_record(
        actor=actor,
        action="orders.order.ship_partial",
        obj=order,
        store=order.store,
        before=before,
        after=after,
    )
    return order
