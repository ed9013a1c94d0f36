"""The editable alias profile per platform (issue 5): a renamed column in a platform's export is
a data change made on a page, not a code change.

The built-in spellings live in `orders.importing.layouts`; a row here adds a header text for one
of our fields, for every layout of that platform (`ImportAlias`, read by every import). A row can
be switched off (kept for the record) or deleted. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.core.errors import Conflict, Invalid, NotFound
from storeops.core.imports import normalise_header
from storeops.core.permissions import require
from storeops.core.text import clean_text
from storeops.orders.enums import ImportFormat
from storeops.orders.importing.layouts import GENERIC, LAYOUTS, LINE_FIELDS, ORDER_FIELDS
from storeops.orders.models import ImportAlias
from storeops.orders.permissions import OrderPerm

FIELDS: tuple[str, ...] = ("order_no", *ORDER_FIELDS, *LINE_FIELDS)


def field_label(name: str) -> str:
    """Our field's name as users know it: the generic template's header, else the first
    platform layout's."""
    for layout in (GENERIC, *LAYOUTS):
        spellings = layout.columns.get(name)
        if spellings:
            return spellings[0]
    return name


def field_choices() -> list[tuple[str, str]]:
    return [(name, f"{field_label(name)}（{name}）") for name in FIELDS]


@dataclass
class AliasProfileRow:
    """One field of one platform: the built-in header spellings and the custom rows."""

    field: str
    label: str
    builtin: list[str]
    custom: list[ImportAlias]


def import_alias_profile(platform: str) -> list[AliasProfileRow]:
    """What the import reads for `platform`, field by field: built-in spellings (every layout of
    the platform) and the custom rows, active or not. Fields with neither are left out."""
    if platform not in ImportFormat.values:
        raise NotFound("orders.import_alias.platform", _("没有这个平台格式"))
    builtin: dict[str, list[str]] = {}
    for layout in LAYOUTS:
        if layout.platform != platform:
            continue
        for name, spellings in layout.columns.items():
            known = builtin.setdefault(name, [])
            known.extend(s for s in spellings if s not in known)
    custom: dict[str, list[ImportAlias]] = {}
    for row in ImportAlias.objects.filter(format=platform).order_by("field", "alias"):
        custom.setdefault(row.field, []).append(row)
    return [
        AliasProfileRow(
            field=name,
            label=field_label(name),
            builtin=builtin.get(name, []),
            custom=custom.get(name, []),
        )
        for name in FIELDS
        if name in builtin or name in custom
    ]


def _snapshot(row: ImportAlias) -> dict[str, Any]:
    return {"format": row.format, "alias": row.alias, "field": row.field, "active": row.is_active}


def _clean(platform: str, alias: Any, field_name: str) -> tuple[str, str, str]:
    if platform not in ImportFormat.values:
        raise Invalid("orders.import_alias.format", _("请选择平台格式"), {"field": "format"})
    if field_name not in FIELDS:
        raise Invalid("orders.import_alias.field", _("请选择要对应的字段"), {"field": "field"})
    text = clean_text(alias, field="alias", required=True, limit=100)
    if not normalise_header(text):
        raise Invalid("orders.import_alias.alias", _("表头不能只有空格或符号"), {"field": "alias"})
    return platform, text, field_name


def _refuse_taken(platform: str, text: str, field_name: str, *, exclude: int | None = None) -> None:
    """A header means one field per platform: a built-in spelling of another field, or another
    row with the same header after normalising (full-width, spaces, `*`), is refused."""
    key = normalise_header(text)
    for layout in LAYOUTS:
        if layout.platform != platform:
            continue
        for name, spellings in layout.columns.items():
            if name != field_name and any(normalise_header(s) == key for s in spellings):
                raise Conflict(
                    "orders.import_alias.builtin",
                    _("“%(alias)s”已是字段“%(label)s”的内置表头")
                    % {"alias": text, "label": field_label(name)},
                    {"field": "alias"},
                )
    others = ImportAlias.objects.filter(format=platform).exclude(pk=exclude)
    for other in others:
        if normalise_header(other.alias) == key:
            raise Conflict(
                "orders.import_alias.exists",
                _("该平台已有表头“%(alias)s”的别名") % {"alias": other.alias},
                {"field": "alias"},
            )


@transaction.atomic
def import_alias_create(*, actor: Any, format: str, alias: Any, field: str) -> ImportAlias:
    """Add a header text for one of our fields in one platform's exports."""
    require(actor, OrderPerm.MANAGE_IMPORT_ALIASES)
    platform, text, field_name = _clean(format, alias, field)
    _refuse_taken(platform, text, field_name)
    try:
        with transaction.atomic():
            row = ImportAlias.objects.create(format=platform, alias=text, field=field_name)
    except IntegrityError as exc:  # the same header added at the same moment
        raise Conflict(
            "orders.import_alias.exists",
            _("该平台已有表头“%(alias)s”的别名") % {"alias": text},
            {"field": "alias"},
        ) from exc
    audit_record(actor=actor, action="orders.import_alias.create", obj=row, after=_snapshot(row))
    return row


def _get_for_change(alias_id: int) -> ImportAlias:
    row = ImportAlias.objects.select_for_update().filter(pk=alias_id).first()
    if row is None:
        raise NotFound("orders.import_alias.not_found", _("别名不存在"))
    return row


@transaction.atomic
def import_alias_update(
    *,
    actor: Any,
    alias_id: int,
    alias: Any = None,
    field: str | None = None,
    is_active: bool | None = None,
) -> ImportAlias:
    """Rename the header, point it at another field, or switch it off/on."""
    require(actor, OrderPerm.MANAGE_IMPORT_ALIASES)
    row = _get_for_change(alias_id)
    before = _snapshot(row)
    platform, text, field_name = _clean(
        row.format,
        row.alias if alias is None else alias,
        row.field if field is None else field,
    )
    _refuse_taken(platform, text, field_name, exclude=row.pk)
    row.alias, row.field = text, field_name
    if is_active is not None:
        row.is_active = bool(is_active)
    after = _snapshot(row)
    if after == before:
        return row
    row.save()
    audit_record(
        actor=actor, action="orders.import_alias.update", obj=row, before=before, after=after
    )
    return row


@transaction.atomic
def import_alias_delete(*, actor: Any, alias_id: int) -> None:
    require(actor, OrderPerm.MANAGE_IMPORT_ALIASES)
    row = _get_for_change(alias_id)
    before = _snapshot(row)
    audit_record(actor=actor, action="orders.import_alias.delete", obj=row, before=before)
    row.delete()
