"""Helpers the catalog pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from storeops.accounts.selectors import store_get, store_list
from storeops.catalog import selectors
from storeops.catalog.models import Category
from storeops.core.errors import DomainError, Invalid


def form_error(form: Any, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def store_choice(request: HttpRequest, code: str | None = None) -> tuple[list[Any], Any]:
    """The stores the user works in, and the one asked for (?store=code), else the main store."""
    stores = list(store_list(actor=request.user))
    code = code if code is not None else request.GET.get("store", "")
    if code:
        return stores, store_get(actor=request.user, code=code[:40])
    main = next((s for s in stores if s.is_main_store), None)  # the master tree first
    return stores, (main or (stores[0] if stores else None))


def master_category(value: str) -> Category | None:
    if not value:
        return None
    category = selectors.master_categories().filter(pk=int(value)).first()
    if category is None:
        raise Invalid("category.not_found", _("类目不存在"), {"field": "category"})
    return category
