"""The compliance scan (R5.3, R5.4, R3.4): one pass of a multi-pattern matcher over the folded
copy, plus secret patterns, price claims, cost figures and the near-duplicate check.

The matcher (pyahocorasick) is built once per process from the lists and rebuilt only when the
lists change: every edit writes a new `ListState.revision` in its transaction, and each scan reads
that one row (one tiny query), so every worker process notices an edit on its next scan.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ahocorasick
from django.utils.translation import gettext as _

from storeops.compliance.enums import (
    DEFAULT_RULE_SEVERITY,
    NEAR_DUPLICATE_DEFAULT_THRESHOLD,
    RULE_OF_KEY,
    PatternKind,
    Rule,
    RuleKey,
    Severity,
    TermCategory,
)
from storeops.compliance.models import ListState, RuleSetting, SecretPattern, Term, WhitelistEntry
from storeops.compliance.selectors import price as price_rules
from storeops.compliance.selectors.patterns import compile_pattern
from storeops.compliance.selectors.similarity import jaccard, shingles, shingles_of_text
from storeops.compliance.selectors.text import fold_with_offsets

MAX_SCAN_LENGTH = 50_000


@dataclass(frozen=True)
class Finding:
    rule: str  # enums.Rule
    severity: str  # enums.Severity: "block" | "warn"
    text: str  # the matched text as it appears in the input
    start: int  # character offset in the input (Python str index), end exclusive
    end: int
    message: str  # a Chinese explanation for the user

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "message": self.message,
        }


@dataclass(frozen=True)
class ScanContext:
    listing_price: Decimal | None = None  # the listing's price record, for price claims
    standard_costs: tuple[Decimal, ...] = ()  # the SKUs' standard costs: in copy, a secret leak
    other_texts: tuple[tuple[str, str], ...] = ()  # (label, text) of the store's other listings


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == Severity.BLOCK for f in findings)


# What the automaton's values say about a key: a term (rule key, severity, category label) or a
# whitelist entry or a supplier name.
_TERM, _WHITE, _SUPPLIER = "term", "white", "supplier"


@dataclass(frozen=True)
class _Entry:
    kind: str
    length: int  # in characters of the folded text
    byte_length: int  # in UTF-8 bytes
    rule: str = ""
    severity: str = ""
    category: str = ""


@dataclass
class CompiledLists:
    revision: str
    automaton: Any  # ahocorasick.Automaton, or None when there is nothing to match
    regexes: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)
    rule_severity: dict[str, str] = field(default_factory=dict)
    rule_enabled: dict[str, bool] = field(default_factory=dict)
    near_duplicate_threshold: Decimal = Decimal(NEAR_DUPLICATE_DEFAULT_THRESHOLD)


def build_lists(
    *,
    revision: str,
    terms: Iterable[tuple[str, str, str]],
    whitelist: Iterable[str],
    suppliers: Iterable[tuple[str, str]] = (),
    regexes: Iterable[tuple[str, str, str]] = (),
    rule_settings: Iterable[tuple[str, str, bool, Decimal | None]] = (),
) -> CompiledLists:
    """terms: (folded term, category, severity or ""); suppliers: (folded name, severity or "");
    regexes: (pattern, label, severity or ""); rule_settings: (key, severity, enabled, threshold).
    Separate from the database so the benchmark can build 10,000 generated terms."""
    rule_severity = dict(DEFAULT_RULE_SEVERITY)
    rule_enabled = dict.fromkeys(DEFAULT_RULE_SEVERITY, True)
    threshold = Decimal(NEAR_DUPLICATE_DEFAULT_THRESHOLD)
    for key, severity, enabled, key_threshold in rule_settings:
        rule_severity[key] = severity
        rule_enabled[key] = enabled
        if key == RuleKey.NEAR_DUPLICATE and key_threshold is not None:
            threshold = key_threshold
    automaton = ahocorasick.Automaton()

    def add(word: str, kind: str, rule: str = "", severity: str = "", category: str = "") -> None:
        key = _bytes_key(word)
        if word and automaton.get(key, None) is None:
            automaton.add_word(key, _Entry(kind, len(word), len(key), rule, severity, category))

    for word in whitelist:
        add(word, _WHITE)
    for word, category, severity in terms:
        add(word, _TERM, str(RULE_OF_KEY[TermCategory.rule_key(category)]), severity, category)
    for word, severity in suppliers:
        add(word, _SUPPLIER, str(Rule.SECRET_LEAK), severity)
    has_words = len(automaton) > 0
    if has_words:
        automaton.make_automaton()
    return CompiledLists(
        revision=revision,
        automaton=automaton if has_words else None,
        regexes=[(compile_pattern(p), label, sev) for p, label, sev in regexes],
        rule_severity=rule_severity,
        rule_enabled=rule_enabled,
        near_duplicate_threshold=threshold,
    )


def _bytes_key(text: str) -> str:
    """UTF-8 bytes as a str of code points 0–255. pyahocorasick searches a node's children one by
    one: over raw CJK text the root has thousands of children (60 ms per 5,000 characters with
    10,000 terms); over bytes it has a few dozen (0.5 ms). UTF-8 is self-synchronising, so a match
    of whole characters always starts and ends on character boundaries."""
    return text.encode("utf-8").decode("latin-1")


_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


_lock = threading.Lock()
_cache: CompiledLists | None = None


def _current_revision() -> str:
    return ListState.objects.filter(pk=1).values_list("revision", flat=True).first() or ""


def _load(revision: str) -> CompiledLists:
    return build_lists(
        revision=revision,
        terms=Term.objects.filter(is_active=True).values_list("normalised", "category", "severity"),
        whitelist=WhitelistEntry.objects.filter(is_active=True).values_list(
            "normalised", flat=True
        ),
        suppliers=[
            (fold_with_offsets(pattern).text, severity)
            for pattern, severity in SecretPattern.objects.filter(
                is_active=True, kind=PatternKind.SUPPLIER
            ).values_list("pattern", "severity")
        ],
        regexes=SecretPattern.objects.filter(is_active=True, kind=PatternKind.REGEX).values_list(
            "pattern", "label", "severity"
        ),
        rule_settings=RuleSetting.objects.values_list("key", "severity", "is_enabled", "threshold"),
    )


def compiled_lists() -> CompiledLists:
    """The lists as of the latest committed edit (rebuilt in this process when the revision moved)."""
    global _cache
    revision = _current_revision()
    cached = _cache
    if cached is not None and cached.revision == revision:
        return cached
    with _lock:
        if _cache is None or _cache.revision != revision:
            _cache = _load(revision)
        return _cache


def compliance_scan(text: str, *, context: ScanContext | None = None) -> list[Finding]:
    """Every finding in `text`, sorted by start. Reads the lists; writes nothing."""
    return scan_with(compiled_lists(), text, context=context)


def scan_with(
    lists: CompiledLists, text: str, *, context: ScanContext | None = None
) -> list[Finding]:
    context = context or ScanContext()
    folded = fold_with_offsets(text)
    findings: list[Finding] = []

    def severity_of(rule_key: str, own: str = "") -> str:
        return own or lists.rule_severity.get(rule_key, Severity.BLOCK)

    def add(rule: str, severity: str, fstart: int, fend: int, message: Any) -> None:
        """`message` is a string, or a function of the original matched text."""
        start, end = folded.span(fstart, fend)
        original = text[start:end]
        if callable(message):
            message = message(original)
        findings.append(Finding(str(rule), str(severity), original, start, end, message))

    if lists.automaton is not None:
        _match_words(lists, folded.text, add, severity_of)
    if lists.rule_enabled.get(RuleKey.SECRET_LEAK, True):
        for regex, label, own in lists.regexes:
            for match in regex.finditer(folded.text):
                if match.end() > match.start():
                    add(
                        Rule.SECRET_LEAK,
                        severity_of(RuleKey.SECRET_LEAK, own),
                        match.start(),
                        match.end(),
                        _("疑似泄露公司机密：%(label)s") % {"label": label},
                    )
        if context.standard_costs:
            costs = set(context.standard_costs)
            for mention in price_rules.cost_mentions(folded.text):
                if mention.amount in costs:
                    add(
                        Rule.SECRET_LEAK,
                        severity_of(RuleKey.SECRET_LEAK),
                        mention.start,
                        mention.end,
                        _("文案写出了商品的成本价 %(amount)s 元，属于公司机密")
                        % {"amount": mention.amount},
                    )
    _price_claims(lists, folded.text, context.listing_price, add, severity_of)
    if context.other_texts and lists.rule_enabled.get(RuleKey.NEAR_DUPLICATE, True):
        _near_duplicate(lists, text, folded.text, context.other_texts, findings, severity_of)
    findings.sort(key=lambda f: (f.start, -f.end, f.rule))
    return findings


def _match_words(lists: CompiledLists, folded: str, add: Any, severity_of: Any) -> None:
    terms: list[tuple[int, int, _Entry]] = []
    white: list[tuple[int, int]] = []
    data = folded.encode("utf-8")
    is_ascii = len(data) == len(folded)
    for last, entry in lists.automaton.iter(data.decode("latin-1")):
        # Character offset of the match's end: the bytes before it that start a character.
        end = last + 1 if is_ascii else len(data[: last + 1].translate(None, _CONTINUATION_BYTES))
        if entry.kind == _WHITE:
            white.append((end - entry.length, end))
        else:
            terms.append((end - entry.length, end, entry))
    if not terms:
        return
    if white:
        # A term inside a whitelisted compound at the same place is not a finding (最近, 第一次).
        terms = [t for t in terms if not any(ws <= t[0] and t[1] <= we for ws, we in white)]
    # A term inside a longer matched term is reported once, as the longer one (史上最低价 ⊃ 最低).
    terms.sort(key=lambda t: (t[0], -t[1]))
    kept: list[tuple[int, int, _Entry]] = []
    reach = -1
    for start, end, entry in terms:
        if end <= reach:
            continue
        kept.append((start, end, entry))
        reach = end
    templates: dict[str, str] = {}
    for start, end, entry in kept:
        if entry.kind == _SUPPLIER:
            if lists.rule_enabled.get(RuleKey.SECRET_LEAK, True):
                add(
                    Rule.SECRET_LEAK,
                    severity_of(RuleKey.SECRET_LEAK, entry.severity),
                    start,
                    end,
                    _("文案中出现了供应商名称，属于公司机密"),
                )
            continue
        key = TermCategory.rule_key(entry.category)
        if not lists.rule_enabled.get(key, True):
            continue
        add(
            entry.rule,
            severity_of(key, entry.severity),
            start,
            end,
            _term_message(entry, templates),
        )


def _term_message(entry: _Entry, templates: dict[str, str]) -> Any:
    """The message, translated once per scan and category (gettext per finding costs ~50 µs)."""
    template = templates.get(entry.category)
    if template is None:
        if entry.category == TermCategory.MEDICAL:
            template = _("“%(word)s”属于普通商品不得宣称的医疗功效")
        elif entry.category == TermCategory.UNETHICAL:
            template = _("“%(word)s”属于不道德或有损公司形象的用语")
        else:
            template = _("“%(word)s”属于广告法禁止的极限用语（%(category)s）").replace(
                "%(category)s", str(TermCategory(entry.category).label).replace("%", "%%")
            )
        templates[entry.category] = template
    return lambda word: template % {"word": word}


def _price_claims(
    lists: CompiledLists, folded: str, listing_price: Decimal | None, add: Any, severity_of: Any
) -> None:
    for claim in price_rules.price_claims(folded):
        verdict = price_rules.judge_claim(claim, listing_price)
        if verdict == "contradicted" and lists.rule_enabled.get(RuleKey.PRICE_CONTRADICTED, True):
            if claim.kind == price_rules.REFERENCE:
                message = _("“%(word)s”%(amount)s 元不高于商品售价 %(price)s 元，属于虚假折扣")
            else:
                message = _("文案中的“%(word)s”%(amount)s 元与商品售价 %(price)s 元不符")
            add(
                Rule.PRICE_CLAIM,
                severity_of(RuleKey.PRICE_CONTRADICTED),
                claim.start,
                claim.end,
                message % {"word": claim.word, "amount": claim.amount, "price": listing_price},
            )
        elif verdict == "unverifiable" and lists.rule_enabled.get(RuleKey.PRICE_UNVERIFIABLE, True):
            add(
                Rule.PRICE_CLAIM,
                severity_of(RuleKey.PRICE_UNVERIFIABLE),
                claim.start,
                claim.end,
                _("无法核实的价格声明：“%(word)s”%(amount)s 元")
                % {"word": claim.word, "amount": claim.amount},
            )


def _near_duplicate(
    lists: CompiledLists,
    text: str,
    folded: str,
    others: tuple[tuple[str, str], ...],
    findings: list[Finding],
    severity_of: Any,
) -> None:
    mine = shingles(folded)
    if not mine:
        return
    best_label, best = "", 0.0
    for label, other in others:
        score = jaccard(mine, shingles_of_text(other))
        if score > best:
            best_label, best = label, score
    if best >= float(lists.near_duplicate_threshold):
        findings.append(
            Finding(
                str(Rule.NEAR_DUPLICATE),
                str(severity_of(RuleKey.NEAR_DUPLICATE)),
                text,
                0,
                len(text),
                _("文案与“%(label)s”的相似度为 %(percent)d%%，请改写，不要照搬其他商品的文案")
                % {"label": best_label, "percent": round(best * 100)},
            )
        )
