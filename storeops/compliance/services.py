"""Every write on the compliance lists: permission-checked, atomic, audited; each edit moves the
list revision so every process rebuilds its matcher on its next scan."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storeops.audit.services import audit_record
from storeops.compliance import defaults
from storeops.compliance.enums import (
    DEFAULT_RULE_SEVERITY,
    NEAR_DUPLICATE_DEFAULT_THRESHOLD,
    PatternKind,
    RuleKey,
    Severity,
    TermCategory,
)
from storeops.compliance.models import (
    ListState,
    RuleSetting,
    SecretPattern,
    Term,
    WhitelistEntry,
)
from storeops.compliance.permissions import CompliancePerm
from storeops.compliance.selectors.patterns import pattern_problem
from storeops.compliance.selectors.text import fold
from storeops.core import clock
from storeops.core.errors import Conflict, Invalid
from storeops.core.imports import (
    Column,
    ImportFileInvalid,
    ImportResult,
    RowInvalid,
    Source,
    SourceRow,
    Table,
    check_unique,
    open_table,
    run_import,
)
from storeops.core.permissions import require


def _lists_changed() -> None:
    """Inside the editing transaction: a new revision, committed with the edit or not at all."""
    updated = ListState.objects.filter(pk=1).update(revision=uuid.uuid4().hex)
    if not updated:
        ListState.objects.create(pk=1, revision=uuid.uuid4().hex)


# --- defaults ----------------------------------------------------------------------------------
@transaction.atomic
def compliance_defaults_seed() -> bool:
    """The default lists, once per `defaults.DEFAULTS_VERSION` (run after every migrate): a term
    an administrator deleted or switched off stays so. Returns whether anything was seeded."""
    state = ListState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state = ListState.objects.create(pk=1, revision=uuid.uuid4().hex)
        state = ListState.objects.select_for_update().get(pk=1)
    if state.defaults_version >= defaults.DEFAULTS_VERSION:
        return False
    now = clock.now()
    Term.objects.bulk_create(
        [
            Term(
                term=term,
                normalised=fold(term),
                category=category,
                severity=severity,
                created_at=now,
                updated_at=now,
            )
            for category, terms in defaults.TERMS.items()
            for term, severity in terms
        ],
        ignore_conflicts=True,
    )
    WhitelistEntry.objects.bulk_create(
        [
            WhitelistEntry(term=word, normalised=fold(word), created_at=now, updated_at=now)
            for word in defaults.WHITELIST
        ],
        ignore_conflicts=True,
    )
    SecretPattern.objects.bulk_create(
        [
            SecretPattern(kind=kind, label=label, pattern=pattern, created_at=now, updated_at=now)
            for kind, label, pattern in defaults.PATTERNS
        ],
        ignore_conflicts=True,
    )
    ListState.objects.filter(pk=1).update(
        defaults_version=defaults.DEFAULTS_VERSION, revision=uuid.uuid4().hex
    )
    return True


# --- validation ----------------------------------------------------------------------------------
MAX_TERM_LENGTH = 50


def _clean_term(raw: Any, *, field: str = "term") -> tuple[str, str]:
    """(term as typed, folded) or Invalid."""
    term = str(raw or "").strip()
    if not term or "\x00" in term:
        raise Invalid("compliance.term_invalid", _("词语不能为空"), {"field": field})
    if len(term) > MAX_TERM_LENGTH:
        raise Invalid(
            "compliance.term_invalid",
            _("词语最长 %(n)d 个字符") % {"n": MAX_TERM_LENGTH},
            {"field": field},
        )
    normalised = fold(term)
    if not normalised.strip() or len(normalised) > 2 * MAX_TERM_LENGTH:
        raise Invalid("compliance.term_invalid", _("词语无效"), {"field": field})
    return term, normalised


def _clean_category(raw: Any) -> str:
    value = str(raw or "")
    if value not in TermCategory.values:
        raise Invalid("compliance.category_invalid", _("类别无效"), {"field": "category"})
    return value


def _clean_severity(raw: Any, *, allow_auto: bool = True) -> str:
    value = str(raw or "")
    if value not in Severity.values and not (allow_auto and value == ""):
        raise Invalid("compliance.severity_invalid", _("严重程度无效"), {"field": "severity"})
    return value


def _clean_note(raw: Any) -> str:
    note = str(raw or "").strip()
    if "\x00" in note or len(note) > 200:
        raise Invalid("compliance.note_invalid", _("说明最长 200 个字符"), {"field": "note"})
    return note


def _term_state(term: Term) -> dict[str, Any]:
    return {
        "term": term.term,
        "category": term.category,
        "severity": term.severity,
        "is_active": term.is_active,
        "note": term.note,
    }


# --- terms ---------------------------------------------------------------------------------------
@transaction.atomic
def term_create(
    *, actor: Any, term: str, category: str, severity: str = "", note: str = ""
) -> Term:
    require(actor, CompliancePerm.MANAGE_TERMS)
    text, normalised = _clean_term(term)
    category = _clean_category(category)
    severity = _clean_severity(severity)
    note = _clean_note(note)
    now = clock.now()
    try:
        with transaction.atomic():
            created = Term.objects.create(
                term=text,
                normalised=normalised,
                category=category,
                severity=severity,
                note=note,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict(
            "compliance.term_exists",
            _("词语“%(term)s”已在词库中") % {"term": text},
            {"field": "term"},
        ) from exc
    _lists_changed()
    audit_record(
        actor=actor, action="compliance.term.create", obj=created, after=_term_state(created)
    )
    return created


@transaction.atomic
def term_update(
    *,
    actor: Any,
    term: Term,
    category: str | None = None,
    severity: str | None = None,
    is_active: bool | None = None,
    note: str | None = None,
) -> Term:
    require(actor, CompliancePerm.MANAGE_TERMS)
    term = Term.objects.select_for_update().get(pk=term.pk)
    before = _term_state(term)
    if category is not None:
        term.category = _clean_category(category)
    if severity is not None:
        term.severity = _clean_severity(severity)
    if is_active is not None:
        term.is_active = bool(is_active)
    if note is not None:
        term.note = _clean_note(note)
    after = _term_state(term)
    if after == before:
        return term
    term.updated_at = clock.now()
    term.save()
    _lists_changed()
    audit_record(actor=actor, action="compliance.term.update", obj=term, before=before, after=after)
    return term


TERM_COLUMNS = (
    Column("term", "词语", ("违禁词", "极限词", "敏感词", "term", "word"), required=True),
    Column("category", "类别", ("分类", "category")),
    Column("severity", "严重程度", ("级别", "severity")),
    Column("note", "说明", ("备注", "note")),
)
_SEVERITY_WORDS = {
    "": "",
    "按规则默认": "",
    "默认": "",
    "阻止": Severity.BLOCK,
    "block": Severity.BLOCK,
    "提醒": Severity.WARN,
    "warn": Severity.WARN,
}


@dataclass(frozen=True)
class _TermRecord:
    line: int
    term: str
    normalised: str
    category: str
    severity: str
    note: str


def _txt_table(source: Source) -> Table:
    """A .txt file: one term per line (UTF-8, or GB18030 as Windows Notepad saves GBK)."""
    data = source if isinstance(source, bytes) else _read_bytes(source)
    if not data.strip():
        raise ImportFileInvalid(message=_("文件是空的"))
    if b"\x00" in data[:4096]:
        raise ImportFileInvalid(message=_("文件不是文本文件"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    rows = [SourceRow(line=n, values={"term": line}) for n, line in lines if line]
    return Table(columns=["term"], total=len(rows), rows=iter(rows))


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()  # type: ignore[union-attr]


@transaction.atomic
def term_import(
    *, actor: Any, source: Source, filename: str = "", default_category: str = ""
) -> ImportResult:
    """Terms from a .txt file (one per line) or a CSV/XLSX/XLS table with the columns 词语, 类别,
    严重程度 (说明). All or nothing: a file with one bad row imports nothing and names the row.
    A term already in the list takes the file's category and severity and is switched on."""
    require(actor, CompliancePerm.MANAGE_TERMS)
    default_category = _clean_category(default_category or TermCategory.SUPERLATIVE)
    raw = source if isinstance(source, bytes) else _read_bytes(source)
    if filename.lower().endswith(".txt"):
        table = _txt_table(raw)
    else:
        table = open_table(raw, columns=TERM_COLUMNS, filename=filename)
    categories = {str(label): value for value, label in TermCategory.choices}
    categories.update({value: value for value in TermCategory.values})
    seen: dict[str, int] = {}

    def validate(row: SourceRow) -> _TermRecord:
        errors: list[tuple[str, Any]] = []
        term = normalised = ""
        try:
            term, normalised = _clean_term(row.text("term"))
        except Invalid as exc:
            errors.append(("词语", exc.message))
        category_text = row.text("category")
        category = categories.get(category_text) if category_text else default_category
        if category is None:
            errors.append(("类别", _("类别“%(value)s”不存在") % {"value": category_text}))
        severity = _SEVERITY_WORDS.get(row.text("severity").lower())
        if severity is None:
            errors.append(("严重程度", _("严重程度只能是“阻止”“提醒”或留空")))
        try:
            note = _clean_note(row.text("note"))
        except Invalid as exc:
            errors.append(("说明", exc.message))
            note = ""
        if normalised:
            duplicate = check_unique(seen, normalised, row.line, "词语", _("词语"))
            if duplicate:
                errors.append(duplicate)
        if errors:
            raise RowInvalid(errors)
        return _TermRecord(row.line, term, normalised, str(category), str(severity), note)

    def apply(batch: list[_TermRecord], result: ImportResult) -> None:
        now = clock.now()
        existing = {
            t.normalised: t
            for t in Term.objects.filter(normalised__in=[r.normalised for r in batch])
        }
        for record in batch:
            term = existing.get(record.normalised)
            if term is None:
                Term.objects.create(
                    term=record.term,
                    normalised=record.normalised,
                    category=record.category,
                    severity=record.severity,
                    note=record.note,
                    created_at=now,
                    updated_at=now,
                )
                result.created += 1
                continue
            changed = (term.category, term.severity, term.is_active) != (
                record.category,
                record.severity,
                True,
            ) or (record.note and record.note != term.note)
            if not changed:
                result.unchanged += 1
                continue
            term.category, term.severity, term.is_active = record.category, record.severity, True
            term.note = record.note or term.note
            term.updated_at = now
            term.save()
            result.updated += 1

    result = run_import(table, validate=validate, apply=apply)
    if result.applied:
        _lists_changed()
        audit_record(
            actor=actor,
            action="compliance.term.import",
            object_type="compliance.term",
            object_repr=filename[:200],
            after={
                "filename": filename[:200],
                "sha256": hashlib.sha256(raw).hexdigest(),
                "rows": result.rows,
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
            },
        )
    return result


# --- whitelist -----------------------------------------------------------------------------------
@transaction.atomic
def whitelist_entry_create(*, actor: Any, term: str, note: str = "") -> WhitelistEntry:
    require(actor, CompliancePerm.MANAGE_TERMS)
    text, normalised = _clean_term(term)
    note = _clean_note(note)
    now = clock.now()
    try:
        with transaction.atomic():
            entry = WhitelistEntry.objects.create(
                term=text, normalised=normalised, note=note, created_at=now, updated_at=now
            )
    except IntegrityError as exc:
        raise Conflict(
            "compliance.whitelist_exists",
            _("“%(term)s”已在白名单中") % {"term": text},
            {"field": "term"},
        ) from exc
    _lists_changed()
    audit_record(
        actor=actor,
        action="compliance.whitelist.create",
        obj=entry,
        after={"term": entry.term, "note": entry.note},
    )
    return entry


@transaction.atomic
def whitelist_entry_update(
    *, actor: Any, entry: WhitelistEntry, is_active: bool | None = None, note: str | None = None
) -> WhitelistEntry:
    require(actor, CompliancePerm.MANAGE_TERMS)
    entry = WhitelistEntry.objects.select_for_update().get(pk=entry.pk)
    before = {"is_active": entry.is_active, "note": entry.note}
    if is_active is not None:
        entry.is_active = bool(is_active)
    if note is not None:
        entry.note = _clean_note(note)
    after = {"is_active": entry.is_active, "note": entry.note}
    if after == before:
        return entry
    entry.updated_at = clock.now()
    entry.save()
    _lists_changed()
    audit_record(
        actor=actor, action="compliance.whitelist.update", obj=entry, before=before, after=after
    )
    return entry


# --- secret patterns -----------------------------------------------------------------------------
def _pattern_state(pattern: SecretPattern) -> dict[str, Any]:
    """A supplier's name is itself a company secret: the log keeps a digest of it, not the name."""
    shown = (
        {"pattern_sha256": hashlib.sha256(pattern.pattern.encode()).hexdigest()[:16]}
        if pattern.kind == PatternKind.SUPPLIER
        else {"pattern": pattern.pattern}
    )
    return {
        "kind": pattern.kind,
        "label": pattern.label,
        **shown,
        "severity": pattern.severity,
        "is_active": pattern.is_active,
    }


def _clean_pattern(kind: str, raw: Any) -> str:
    value = str(raw or "").strip()
    if "\x00" in value:
        raise Invalid("compliance.pattern_invalid", _("内容无效"), {"field": "pattern"})
    if kind == PatternKind.SUPPLIER:
        return _clean_term(value, field="pattern")[0]
    problem = pattern_problem(value)
    if problem:
        raise Invalid("compliance.pattern_invalid", problem, {"field": "pattern"})
    return value


def _clean_label(raw: Any) -> str:
    label = str(raw or "").strip()
    if not label or "\x00" in label or len(label) > 100:
        raise Invalid(
            "compliance.label_invalid", _("名称不能为空，最长 100 个字符"), {"field": "label"}
        )
    return label


@transaction.atomic
def pattern_create(
    *, actor: Any, kind: str, pattern: str, label: str = "", severity: str = ""
) -> SecretPattern:
    require(actor, CompliancePerm.MANAGE_TERMS)
    if kind not in PatternKind.values:
        raise Invalid("compliance.kind_invalid", _("类型无效"), {"field": "kind"})
    value = _clean_pattern(kind, pattern)
    # A supplier's name is the secret itself: its label (shown in the log) must not repeat it.
    label = _clean_label(label or (_("供应商名称") if kind == PatternKind.SUPPLIER else ""))
    severity = _clean_severity(severity)
    now = clock.now()
    try:
        with transaction.atomic():
            created = SecretPattern.objects.create(
                kind=kind,
                label=label,
                pattern=value,
                severity=severity,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict(
            "compliance.pattern_exists", _("这条规则已经存在"), {"field": "pattern"}
        ) from exc
    _lists_changed()
    audit_record(
        actor=actor, action="compliance.pattern.create", obj=created, after=_pattern_state(created)
    )
    return created


@transaction.atomic
def pattern_update(
    *,
    actor: Any,
    pattern: SecretPattern,
    label: str | None = None,
    severity: str | None = None,
    is_active: bool | None = None,
) -> SecretPattern:
    require(actor, CompliancePerm.MANAGE_TERMS)
    pattern = SecretPattern.objects.select_for_update().get(pk=pattern.pk)
    before = _pattern_state(pattern)
    if label is not None:
        pattern.label = _clean_label(label)
    if severity is not None:
        pattern.severity = _clean_severity(severity)
    if is_active is not None:
        pattern.is_active = bool(is_active)
    after = _pattern_state(pattern)
    if after == before:
        return pattern
    pattern.updated_at = clock.now()
    pattern.save()
    _lists_changed()
    audit_record(
        actor=actor, action="compliance.pattern.update", obj=pattern, before=before, after=after
    )
    return pattern


# --- rule settings -------------------------------------------------------------------------------
@transaction.atomic
def rule_setting_update(
    *,
    actor: Any,
    key: str,
    severity: str,
    is_enabled: bool = True,
    threshold: Decimal | None = None,
) -> RuleSetting:
    require(actor, CompliancePerm.MANAGE_TERMS)
    if key not in RuleKey.values:
        raise Invalid("compliance.rule_invalid", _("规则不存在"), {"field": "key"})
    severity = _clean_severity(severity, allow_auto=False)
    if key == RuleKey.NEAR_DUPLICATE:
        if threshold is None:
            threshold = Decimal(NEAR_DUPLICATE_DEFAULT_THRESHOLD)
        if not Decimal("0.50") <= threshold <= Decimal("1.00"):
            raise Invalid(
                "compliance.threshold_invalid",
                _("相似度阈值应在 0.50 到 1.00 之间"),
                {"field": "threshold"},
            )
        threshold = threshold.quantize(Decimal("0.01"))
    else:
        threshold = None
    setting = RuleSetting.objects.select_for_update().filter(key=key).first()
    before = (
        {
            "severity": setting.severity,
            "is_enabled": setting.is_enabled,
            "threshold": setting.threshold,
        }
        if setting
        else {"severity": DEFAULT_RULE_SEVERITY[key], "is_enabled": True, "threshold": None}
    )
    if setting is None:
        setting = RuleSetting(key=key)
    setting.severity, setting.is_enabled, setting.threshold = severity, bool(is_enabled), threshold
    setting.updated_at = clock.now()
    setting.save()
    _lists_changed()
    audit_record(
        actor=actor,
        action="compliance.rule.update",
        obj=setting,
        before=before,
        after={"severity": severity, "is_enabled": setting.is_enabled, "threshold": threshold},
    )
    return setting
