"""Checking free text from forms and the API, the same way in every service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from storeops.core.errors import Invalid


def clean_text(value: Any, *, field: str, required: bool = False, limit: int | None = None) -> str:
    """Stripped text. A NUL character is invalid input: PostgreSQL cannot store it (SQLite can, so
    only the PostgreSQL run would notice), and no form means it."""
    if value is not None and not isinstance(value, str):
        raise Invalid("text.invalid", _("请填写文字"), {"field": field})
    text = (value or "").strip()
    if "\x00" in text:
        raise Invalid("text.invalid_character", _("包含无效字符"), {"field": field})
    if required and not text:
        raise Invalid(f"{field}.required", _("请填写此项"), {"field": field})
    if limit is not None and len(text) > limit:
        raise Invalid(f"{field}.too_long", _("最多 %(n)s 个字") % {"n": limit}, {"field": field})
    return text
