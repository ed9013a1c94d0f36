"""Editing the compliance lists: terms, whitelist, secret patterns, rule severities, file import.
Every edit is audited, refused without permission (nothing changes), and takes effect on the next
scan in every process (the list revision)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from storeops.audit.models import AuditEvent
from storeops.compliance import services
from storeops.compliance.models import ListState, RuleSetting, SecretPattern, Term, WhitelistEntry
from storeops.compliance.selectors import ScanContext, compliance_scan
from storeops.compliance.selectors import scan as scan_module
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.imports import ImportFileInvalid


def found(text, **context):
    return [
        (f.rule, f.severity, f.text) for f in compliance_scan(text, context=ScanContext(**context))
    ]


def revision():
    return ListState.objects.get(pk=1).revision


# --- terms ---------------------------------------------------------------------------------------
def test_manager_adds_a_term_and_the_next_scan_finds_it(jingli):
    assert found("这款杯子是神器") == []
    before = revision()
    term = services.term_create(actor=jingli, term="神器", category="grade")
    assert revision() != before
    assert found("这款杯子是神器") == [("absolute_term", "block", "神器")]
    event = AuditEvent.objects.get(action="compliance.term.create")
    assert event.actor == jingli
    assert event.after == {
        "term": "神器",
        "category": "grade",
        "severity": "",
        "is_active": True,
        "note": "",
    }
    assert event.object_id == str(term.pk)


def test_a_term_is_unique_in_its_folded_form(jingli):
    services.term_create(actor=jingli, term="ＰＲＯ级", category="grade")
    with pytest.raises(Conflict) as exc:
        services.term_create(actor=jingli, term="pro级", category="grade")
    assert exc.value.code == "compliance.term_exists"
    assert Term.objects.filter(normalised="pro级").count() == 1


@pytest.mark.parametrize(
    ("term", "category", "severity", "code"),
    [
        ("", "grade", "", "compliance.term_invalid"),
        ("   ", "grade", "", "compliance.term_invalid"),
        ("x" * 51, "grade", "", "compliance.term_invalid"),
        ("好\x00", "grade", "", "compliance.term_invalid"),
        ("神器", "nope", "", "compliance.category_invalid"),
        ("神器", "grade", "fatal", "compliance.severity_invalid"),
    ],
)
def test_bad_term_input_is_refused(jingli, term, category, severity, code):
    count = Term.objects.count()
    with pytest.raises(Invalid) as exc:
        services.term_create(actor=jingli, term=term, category=category, severity=severity)
    assert exc.value.code == code
    assert Term.objects.count() == count


@pytest.mark.parametrize("persona", ["yunying", "kefu", "shenji"])
def test_only_managers_edit_the_lists(request, persona):
    user = request.getfixturevalue(persona)
    term = Term.objects.get(normalised="最好")
    count, before = Term.objects.count(), revision()
    with pytest.raises(Forbidden):
        services.term_create(actor=user, term="神器", category="grade")
    with pytest.raises(Forbidden):
        services.term_update(actor=user, term=term, is_active=False)
    with pytest.raises(Forbidden):
        services.rule_setting_update(actor=user, key="absolute_term", severity="warn")
    with pytest.raises(Forbidden):
        services.pattern_create(actor=user, kind="supplier", pattern="宁波某某电器厂")
    assert Term.objects.count() == count
    assert Term.objects.get(pk=term.pk).is_active is True
    assert RuleSetting.objects.count() == 0
    assert revision() == before
    assert not AuditEvent.objects.filter(action__startswith="compliance.").exists()


def test_switching_a_term_off_and_overriding_its_severity(jingli):
    term = Term.objects.get(normalised="最好")
    services.term_update(actor=jingli, term=term, severity="warn")
    assert found("最好的杯子") == [("absolute_term", "warn", "最好")]
    services.term_update(actor=jingli, term=term, is_active=False)
    # The catch-all "最" (warn) still sees it.
    assert found("最好的杯子") == [("absolute_term", "warn", "最")]
    event = AuditEvent.objects.filter(action="compliance.term.update").latest("id")
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_an_update_that_changes_nothing_is_not_audited(jingli):
    term = Term.objects.get(normalised="最好")
    services.term_update(actor=jingli, term=term, severity="")
    assert not AuditEvent.objects.filter(action="compliance.term.update").exists()


# --- rule severities -------------------------------------------------------------------------------
def test_rule_severity_applies_unless_a_term_overrides_it(jingli):
    services.term_update(
        actor=jingli, term=Term.objects.get(normalised="销量第一"), severity="block"
    )
    services.rule_setting_update(actor=jingli, key="absolute_term", severity="warn")
    assert found("最好的杯子，销量第一") == [
        ("absolute_term", "warn", "最好"),
        ("absolute_term", "block", "销量第一"),
    ]
    event = AuditEvent.objects.get(action="compliance.rule.update")
    assert event.before["severity"] == "block"
    assert event.after["severity"] == "warn"


def test_a_disabled_rule_reports_nothing(jingli):
    services.rule_setting_update(
        actor=jingli, key="price_unverifiable", severity="warn", is_enabled=False
    )
    assert found("仅需¥59") == []
    assert found("仅需¥59", listing_price=Decimal("79")) == [("price_claim", "block", "仅需¥59")]


def test_near_duplicate_threshold_is_configurable(jingli):
    text = "保温杯采用304不锈钢内胆，真空断热，保温保冷十二小时，杯盖一键开启。"
    other = "保温杯采用316不锈钢内胆，真空断热，保温保冷二十四小时，杯盖一键开启。"  # 0.55
    context = {"other_texts": (("另一款", other),)}
    assert [r for r in found(text, **context) if r[0] == "near_duplicate"] == []
    services.rule_setting_update(
        actor=jingli, key="near_duplicate", severity="block", threshold=Decimal("0.5")
    )
    assert [r for r in found(text, **context) if r[0] == "near_duplicate"] == [
        ("near_duplicate", "block", text)
    ]
    with pytest.raises(Invalid) as exc:
        services.rule_setting_update(
            actor=jingli, key="near_duplicate", severity="warn", threshold=Decimal("0.2")
        )
    assert exc.value.code == "compliance.threshold_invalid"
    with pytest.raises(Invalid):
        services.rule_setting_update(actor=jingli, key="nope", severity="warn")
    with pytest.raises(Invalid):
        services.rule_setting_update(actor=jingli, key="absolute_term", severity="")


# --- whitelist -------------------------------------------------------------------------------------
def test_whitelist_entries_clear_innocent_compounds(jingli):
    assert found("第一款上市") == [("absolute_term", "block", "第一")]
    entry = services.whitelist_entry_create(actor=jingli, term="第一款")
    assert found("第一款上市") == []
    services.whitelist_entry_update(actor=jingli, entry=entry, is_active=False)
    assert found("第一款上市") == [("absolute_term", "block", "第一")]
    assert AuditEvent.objects.filter(action__startswith="compliance.whitelist.").count() == 2
    with pytest.raises(Conflict):
        services.whitelist_entry_create(actor=jingli, term="最近")
    assert WhitelistEntry.objects.filter(term="第一款").count() == 1


# --- secret patterns -------------------------------------------------------------------------------
def test_supplier_names_are_secret_and_kept_out_of_the_audit_log(jingli):
    services.pattern_create(actor=jingli, kind="supplier", pattern="宁波某某电器厂")
    assert found("本品由宁波某某电器厂代工") == [("secret_leak", "block", "宁波某某电器厂")]
    event = AuditEvent.objects.get(action="compliance.pattern.create")
    assert "宁波某某电器厂" not in str(event.after)
    assert "pattern_sha256" in event.after


def test_a_regex_pattern_for_internal_codes(jingli):
    pattern = services.pattern_create(
        actor=jingli, kind="regex", label="内部款号", pattern=r"GLT-IN-[0-9]{4}", severity="warn"
    )
    assert found("款号 glt-in-0042") == [("secret_leak", "warn", "glt-in-0042")]
    services.pattern_update(actor=jingli, pattern=pattern, is_active=False)
    assert found("款号 glt-in-0042") == []


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+$", r"(\d*)*x", r"(a|aa)*", r"(x)\1", "[unclosed", "", "a" * 201, r"x?"],
)
def test_dangerous_or_broken_patterns_are_refused(jingli, pattern):
    count = SecretPattern.objects.count()
    with pytest.raises(Invalid) as exc:
        services.pattern_create(actor=jingli, kind="regex", label="坏规则", pattern=pattern)
    assert exc.value.code == "compliance.pattern_invalid"
    assert SecretPattern.objects.count() == count


# --- the matcher cache -------------------------------------------------------------------------
def test_a_process_with_a_stale_matcher_rebuilds_on_its_next_scan(jingli):
    compliance_scan("预热")
    stale = scan_module._cache
    assert stale is not None
    # Another process edits the lists: only the database knows.
    services.term_create(actor=jingli, term="预热价", category="deceptive")
    scan_module._cache = stale
    assert found("预热价来袭") == [("absolute_term", "block", "预热价")]
    assert scan_module._cache is not stale


def test_an_edit_rolled_back_leaves_the_revision(jingli):
    before = revision()
    with pytest.raises(Invalid):
        services.term_create(actor=jingli, term="神器", category="nope")
    assert revision() == before


# --- import ------------------------------------------------------------------------------------
def xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_a_txt_file_one_term_per_line(jingli):
    data = "神器\n\n爆款之王\r\n 秒杀一切 \n".encode("gb18030")
    result = services.term_import(
        actor=jingli, source=data, filename="词库.txt", default_category="brand_superlative"
    )
    assert (result.applied, result.created, result.rejected) == (True, 3, 0)
    assert set(
        Term.objects.filter(
            category="brand_superlative", term__in=["神器", "爆款之王", "秒杀一切"]
        ).values_list("term", flat=True)
    ) == {"神器", "爆款之王", "秒杀一切"}
    assert found("秒杀一切同类")[0] == ("absolute_term", "block", "秒杀一切")
    event = AuditEvent.objects.get(action="compliance.term.import")
    assert event.after["created"] == 3


def test_import_an_xlsx_table_with_categories_and_severities(jingli):
    data = xlsx(
        [
            ["词语", "类别", "严重程度"],
            ["神器", "级别/顶级类", "提醒"],
            ["最好", "最字类", "阻止"],  # already there: updated
            ["药用级", "medical", ""],
        ]
    )
    result = services.term_import(actor=jingli, source=data, filename="terms.xlsx")
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert Term.objects.get(normalised="神器").severity == "warn"
    assert Term.objects.get(normalised="最好").severity == "block"
    assert found("药用级材料") == [("medical_claim", "block", "药用级")]


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(jingli):
    data = "词语,类别,严重程度\n神器,级别/顶级类,提醒\n爆款王,不存在的类别,\n秒杀,最字类,致命\n".encode()
    count, before = Term.objects.count(), revision()
    result = services.term_import(actor=jingli, source=data, filename="terms.csv")
    assert result.applied is False
    assert [e.as_dict() for e in result.errors] == [
        {"line": 3, "field": "类别", "message": "类别“不存在的类别”不存在"},
        {"line": 4, "field": "严重程度", "message": "严重程度只能是“阻止”“提醒”或留空"},
    ]
    assert Term.objects.count() == count
    assert revision() == before
    assert not AuditEvent.objects.filter(action="compliance.term.import").exists()


def test_a_file_repeating_a_term_names_the_first_line(jingli):
    data = "词语\n神器\nＳＨＥＮ\n神器\n".encode()
    result = services.term_import(actor=jingli, source=data, filename="terms.csv")
    assert [e.as_dict() for e in result.errors] == [
        {"line": 4, "field": "词语", "message": "词语 与第 2 行重复"}
    ]


def test_a_table_without_the_term_column_is_refused(jingli):
    with pytest.raises(ImportFileInvalid):
        services.term_import(actor=jingli, source="类别\n最字类\n".encode(), filename="x.csv")


def test_import_is_refused_without_permission(yunying):
    with pytest.raises(Forbidden):
        services.term_import(actor=yunying, source="神器\n".encode(), filename="a.txt")
    assert not Term.objects.filter(term="神器").exists()
