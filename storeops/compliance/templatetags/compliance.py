"""`{% compliance_segments text findings as segments %}`: the text cut into highlighted parts."""

from __future__ import annotations

from typing import Any

from django import template

from storeops.compliance.selectors import highlight_segments

register = template.Library()


@register.simple_tag
def compliance_segments(text: Any, findings: Any) -> list[dict[str, Any]]:
    return highlight_segments(str(text or ""), findings or [])
