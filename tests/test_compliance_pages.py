"""Compliance pages: 合规检查 with highlighted findings, 违禁词库 (filter, add, edit, import with row
errors), 白名单, 机密规则, 规则设置 — who sees them, who may change them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from storeops.audit.models import AuditEvent
from storeops.compliance.models import RuleSetting, Term, WhitelistEntry


def test_check_page_highlights_findings_and_escapes_the_rest(web_as, kefu):
    client = web_as(kefu)
    assert client.get("/compliance/check/").status_code == 200
    response = client.post(
        "/compliance/check/", {"text": "<b>全网最好</b> 仅需¥59", "listing_price": "79.00"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="finding-block" title="“最好”属于广告法禁止的极限用语（最字类）"' in html
    assert "&lt;b&gt;全网" in html
    assert "<b>全网" not in html
    assert "有阻止项，不能发布" in html
    assert "与商品售价 79.00 元不符" in html


def test_check_page_for_clean_copy(web_as, kefu):
    html = web_as(kefu).post("/compliance/check/", {"text": "304 不锈钢保温杯"}).content.decode()
    assert "未发现问题" in html
    assert "<mark" not in html


def test_check_page_needs_a_login(client):
    response = client.get("/compliance/check/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"), [("yunying", 200), ("shenji", 200), ("jingli", 200), ("kefu", 403)]
)
def test_term_pages_persona_matrix(request, web_as, persona, status):
    client = web_as(request.getfixturevalue(persona))
    for url in (
        "/compliance/terms/",
        "/compliance/whitelist/",
        "/compliance/patterns/",
        "/compliance/rules/",
    ):
        assert client.get(url).status_code == status, url


def test_term_list_filters_by_category_and_search(web_as, yunying):
    html = (
        web_as(yunying)
        .get("/compliance/terms/", {"category": "medical", "q": "治"})
        .content.decode()
    )
    assert 'data-term="治疗"' in html
    assert 'data-term="最好"' not in html
    # 运营 sees the list but no edit forms.
    assert 'name="is_active"' not in html


def test_manager_adds_and_edits_a_term_on_the_page(web_as, jingli):
    client = web_as(jingli)
    response = client.post(
        "/compliance/terms/", {"term": "神器", "category": "grade", "severity": "warn"}
    )
    assert response.status_code == 302
    term = Term.objects.get(term="神器")
    assert (term.category, term.severity) == ("grade", "warn")
    response = client.post(f"/compliance/terms/{term.id}/", {"severity": "block"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.severity, term.is_active) == ("block", False)
    assert AuditEvent.objects.filter(action__startswith="compliance.term.").count() == 2


def test_a_duplicate_term_shows_the_error_on_the_page(web_as, jingli):
    html = (
        web_as(jingli)
        .post("/compliance/terms/", {"term": "最好", "category": "superlative"})
        .content.decode()
    )
    assert "已在词库中" in html


def test_operations_cannot_edit_a_term(web_as, yunying):
    term = Term.objects.get(normalised="最好")
    response = web_as(yunying).post(f"/compliance/terms/{term.id}/", {"severity": "warn"})
    assert response.status_code == 403
    term.refresh_from_db()
    assert term.severity == ""
    response = web_as(yunying).post("/compliance/terms/", {"term": "神器", "category": "grade"})
    assert not Term.objects.filter(term="神器").exists()


def test_import_page_shows_row_errors_and_imports_nothing(web_as, jingli):
    upload = SimpleUploadedFile(
        "terms.csv", "词语,类别\n神器,级别/顶级类\n爆款王,乱写\n".encode(), "text/csv"
    )
    response = web_as(jingli).post(
        "/compliance/terms/import/", {"file": upload, "default_category": "superlative"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有导入任何词语" in html
    assert "<td>3</td><td>类别</td><td>类别“乱写”不存在</td>" in html
    assert not Term.objects.filter(term="神器").exists()


def test_import_page_imports_a_txt_file(web_as, jingli):
    upload = SimpleUploadedFile("terms.txt", "神器\n爆款之王\n".encode(), "text/plain")
    response = web_as(jingli).post(
        "/compliance/terms/import/", {"file": upload, "default_category": "grade"}
    )
    assert response.status_code == 302
    assert set(
        Term.objects.filter(category="grade", term__in=["神器", "爆款之王"]).values_list(
            "term", flat=True
        )
    ) == {"神器", "爆款之王"}


def test_whitelist_page_adds_and_switches_off(web_as, jingli):
    client = web_as(jingli)
    assert client.post("/compliance/whitelist/", {"term": "第一款"}).status_code == 302
    entry = WhitelistEntry.objects.get(term="第一款")
    client.post(f"/compliance/whitelist/{entry.id}/", {})
    entry.refresh_from_db()
    assert entry.is_active is False


def test_pattern_page_refuses_a_dangerous_regex(web_as, jingli):
    html = (
        web_as(jingli)
        .post("/compliance/patterns/", {"kind": "regex", "label": "坏", "pattern": "(a+)+"})
        .content.decode()
    )
    assert "不允许嵌套的重复" in html


def test_rule_page_sets_a_severity(web_as, jingli):
    response = web_as(jingli).post(
        "/compliance/rules/",
        {"key": "near_duplicate", "severity": "block", "is_enabled": "on", "threshold": "0.90"},
    )
    assert response.status_code == 302
    setting = RuleSetting.objects.get(key="near_duplicate")
    assert (setting.severity, setting.is_enabled, str(setting.threshold)) == ("block", True, "0.90")


def test_navigation_shows_the_compliance_pages(web_as, yunying):
    html = web_as(yunying).get("/compliance/check/").content.decode()
    assert "违禁词库" in html
