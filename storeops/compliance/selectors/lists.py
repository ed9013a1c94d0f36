"""Listing the term lists (for the pages and the API) and cutting a text into highlighted parts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from storeops.compliance.enums import DEFAULT_RULE_SEVERITY, Rule, RuleKey
from storeops.compliance.models import RuleSetting, SecretPattern, Term, WhitelistEntry
from storeops.compliance.permissions import CompliancePerm
from storeops.compliance.selectors.text import fold
from storeops.core.errors import NotFound
from storeops.core.permissions import require


def term_list(*, actor: Any, category: str = "", q: str = "") -> QuerySet[Term]:
    require(actor, CompliancePerm.VIEW_TERMS)
    category, q = category.replace("\x00", ""), q.replace("\x00", "").strip()
    terms = Term.objects.all()
    if category:
        terms = terms.filter(category=category)
    if q:
        terms = terms.filter(Q(term__icontains=q) | Q(normalised__contains=fold(q)))
    return terms.order_by("category", "normalised")


def term_get_for_change(*, actor: Any, term_id: int) -> Term:
    require(actor, CompliancePerm.MANAGE_TERMS)
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise NotFound(message=_("词语不存在"))
    return term


def whitelist_list(*, actor: Any, q: str = "") -> QuerySet[WhitelistEntry]:
    require(actor, CompliancePerm.VIEW_TERMS)
    q = q.replace("\x00", "").strip()
    entries = WhitelistEntry.objects.all()
    if q:
        entries = entries.filter(Q(term__icontains=q) | Q(normalised__contains=fold(q)))
    return entries.order_by("normalised")


def whitelist_entry_get_for_change(*, actor: Any, entry_id: int) -> WhitelistEntry:
    require(actor, CompliancePerm.MANAGE_TERMS)
    entry = WhitelistEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(message=_("白名单词语不存在"))
    return entry


def pattern_list(*, actor: Any) -> QuerySet[SecretPattern]:
    require(actor, CompliancePerm.VIEW_TERMS)
    return SecretPattern.objects.order_by("kind", "label", "id")


def pattern_get_for_change(*, actor: Any, pattern_id: int) -> SecretPattern:
    require(actor, CompliancePerm.MANAGE_TERMS)
    pattern = SecretPattern.objects.filter(pk=pattern_id).first()
    if pattern is None:
        raise NotFound(message=_("机密规则不存在"))
    return pattern


def rule_setting_list(*, actor: Any) -> list[RuleSetting]:
    """Every rule, the stored setting or its default (a rule never edited has no row yet)."""
    require(actor, CompliancePerm.VIEW_TERMS)
    stored = {s.key: s for s in RuleSetting.objects.all()}
    return [
        stored.get(key) or RuleSetting(key=key, severity=DEFAULT_RULE_SEVERITY[key])
        for key in RuleKey.values
    ]


def highlight_segments(
    text: str, findings: Iterable[Mapping[str, Any] | Any]
) -> list[dict[str, Any]]:
    """`text` cut into consecutive parts, each {"text", "finding"} (finding a dict or None), for
    the `compliance/_highlighted.html` partial. Findings may be dicts (`as_dict()`, or stored
    JSON) or Finding objects; overlapping ones are clipped so every character shows once."""
    text = str(text or "")
    spans = []
    for finding in findings:
        data = finding if isinstance(finding, Mapping) else finding.as_dict()
        try:
            start, end = int(data["start"]), int(data["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(len(text), end)
        # Near-duplicate copy concerns the whole text: it is listed, not marked.
        if end > start and data.get("rule") != Rule.NEAR_DUPLICATE:
            spans.append((start, end, dict(data)))
    segments: list[dict[str, Any]] = []
    cursor = 0
    for start, end, data in sorted(spans, key=lambda s: (s[0], -s[1])):
        start = max(start, cursor)
        if end <= start:
            continue
        if start > cursor:
            segments.append({"text": text[cursor:start], "finding": None})
        segments.append({"text": text[start:end], "finding": data})
        cursor = end
    if cursor < len(text):
        segments.append({"text": text[cursor:], "finding": None})
    return segments
