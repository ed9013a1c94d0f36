"""Erasing a buyer's personal data from orders (PIPL): the orders, amounts and figures stay."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core import clock
from storeops.core.errors import Invalid
from storeops.core.permissions import require
from storeops.orders.enums import OrderEventKind
from storeops.orders.models import Order, OrderEvent
from storeops.orders.permissions import OrderPerm


def buyer_pseudonym(store: Any, buyer: str) -> str:
    """The same stand-in for the same buyer in a store: per-buyer figures still add up."""
    digest = hashlib.sha256(f"{store.pk}:{buyer}".encode()).hexdigest()[:12]
    return f"已删除-{digest}"


@transaction.atomic
def buyer_personal_data_erase(*, actor: Any, store: Any, buyer: str) -> int:
    """Remove the receiver's name, phone, street address and messages from every order of the
    buyer (matched on buyer id or nick) in the store; keep province and city (regional figures),
    amounts, lines and statuses. Returns the number of orders changed. Audited once, with the
    buyer only as its pseudonym."""
    require(actor, OrderPerm.ERASE_PERSONAL_DATA, store=store)
    buyer = (buyer or "").strip()
    if not buyer or "\x00" in buyer or len(buyer) > 100:
        raise Invalid("orders.erase.buyer", _("请填写买家ID"), {"field": "buyer"})
    pseudonym = buyer_pseudonym(store, buyer)
    orders = Order.objects.select_for_update().filter(
        Q(buyer_id=buyer) | Q(buyer_nick=buyer), store=store
    )
    ids = list(orders.values_list("id", flat=True))
    now = clock.now()
    if ids:
        Order.objects.filter(id__in=ids).update(
            buyer_id=pseudonym,
            buyer_nick=pseudonym,
            receiver_name="",
            receiver_phone="",
            receiver_phone_last4="",
            receiver_district="",
            receiver_street="",
            receiver_address="",
            buyer_message="",
            personal_data_erased_at=now,
            updated_at=now,
        )
        OrderEvent.objects.bulk_create(
            [
                OrderEvent(
                    order_id=pk,
                    at=now,
                    actor=actor,
                    kind=OrderEventKind.ERASED,
                    message=_("已按请求删除买家个人信息"),
                )
                for pk in ids
            ]
        )
    audit_record(
        actor=actor,
        action="orders.buyer.erase",
        object_type="orders.buyer",
        object_id=pseudonym,
        object_repr=pseudonym,
        store=store,
        after={"orders": len(ids)},
    )
    return len(ids)
