"""Reading imports (who imported what, when) with store scoping."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from storeops.core.errors import NotFound
from storeops.core.permissions import require
from storeops.orders.models import OrderImport
from storeops.orders.permissions import OrderPerm


def order_import_list(*, actor: Any, store: Any) -> QuerySet[OrderImport]:
    require(actor, OrderPerm.VIEW_ORDER, store=store)
    return OrderImport.objects.filter(store=store).select_related("store", "actor")


def order_import_get(*, actor: Any, import_id: int) -> OrderImport:
    """An import in a store the actor works in (else 404), with the view permission (else 403)."""
    found = OrderImport.objects.select_related("store", "actor").filter(pk=import_id).first()
    if found is None or not actor.works_in(found.store):
        raise NotFound("orders.import.not_found", _("导入记录不存在"), {"id": import_id})
    require(actor, OrderPerm.VIEW_ORDER, store=found.store)
    return found
