"""Available-to-sell per store (R2.16): every store sells from one shared pool (available in the
active warehouses); each store's share is a ratio of the pool or a fixed quantity per SKU, less a
safety buffer (see `selectors.store_sellable`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core.errors import Invalid
from storeops.core.permissions import require
from storeops.inventory.enums import ShareMode
from storeops.inventory.models import StoreStockShare
from storeops.inventory.permissions import InventoryPerm
from storeops.inventory.services.levels import MAX_QUANTITY


def _share_snapshot(share: StoreStockShare) -> dict[str, Any]:
    return {
        "mode": share.mode,
        "ratio_percent": str(share.ratio_percent),
        "fixed_quantity": share.fixed_quantity,
        "safety_buffer": share.safety_buffer,
    }


def _whole(value: Any, *, field: str) -> int:
    try:
        number = int(str(value if value not in (None, "") else 0).strip())
    except (TypeError, ValueError):
        raise Invalid(f"{field}.invalid", _("请填写整数"), {"field": field}) from None
    if not 0 <= number <= MAX_QUANTITY:
        raise Invalid(
            f"{field}.out_of_range",
            _("必须在 0 到 %(n)s 之间") % {"n": MAX_QUANTITY},
            {"field": field},
        )
    return number


@transaction.atomic
def store_share_set(
    *,
    actor: Any,
    store: Any,
    mode: str,
    ratio_percent: Any = 100,
    fixed_quantity: Any = 0,
    safety_buffer: Any = 0,
) -> StoreStockShare:
    require(actor, InventoryPerm.MANAGE_SHARE, store=store)
    if mode not in ShareMode.values:
        raise Invalid("share.mode_invalid", _("请选择分配方式"), {"field": "mode"})
    try:
        ratio = Decimal(str(ratio_percent if ratio_percent not in (None, "") else 100).strip())
    except InvalidOperation:
        raise Invalid(
            "share.ratio_invalid", _("比例须为 0 到 100"), {"field": "ratio_percent"}
        ) from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(100):
        raise Invalid("share.ratio_invalid", _("比例须为 0 到 100"), {"field": "ratio_percent"})
    share = StoreStockShare.objects.select_for_update().filter(store=store).first()
    before = _share_snapshot(share) if share else None
    if share is None:
        share = StoreStockShare(store=store)
    share.mode = mode
    share.ratio_percent = ratio.quantize(Decimal("0.01"))
    share.fixed_quantity = _whole(fixed_quantity, field="fixed_quantity")
    share.safety_buffer = _whole(safety_buffer, field="safety_buffer")
    share.save()
    audit_record(
        actor=actor,
        action="inventory.share.set",
        obj=share,
        store=store,
        before=before,
        after=_share_snapshot(share),
    )
    return share
