"""Template filters shared by every app's pages."""

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """A payload as readable JSON (Chinese unescaped), not a Python repr."""
    if value in (None, ""):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
