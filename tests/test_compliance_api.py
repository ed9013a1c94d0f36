"""Compliance API: POST /api/v1/compliance/scan (every signed-in user), GET and POST
/api/v1/compliance/terms (view: 运营/经理/审计 …; add: 经理), with the persona matrix."""

from __future__ import annotations

import pytest

from storeops.audit.models import AuditEvent
from storeops.compliance.models import Term

SCAN = "/api/v1/compliance/scan"
TERMS = "/api/v1/compliance/terms"


@pytest.mark.parametrize("persona", ["admin", "yunying", "kefu", "cangku", "caiwu", "shenji"])
def test_every_signed_in_user_may_scan(request, api_as, persona):
    response = api_as(request.getfixturevalue(persona)).post(
        SCAN, {"text": "全网最好，仅需¥59", "listing_price": "79.00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["blocking"] is True
    assert [
        (f["rule"], f["severity"], f["text"], f["start"], f["end"]) for f in body["findings"]
    ] == [
        ("absolute_term", "block", "最好", 2, 4),
        ("price_claim", "block", "仅需¥59", 5, 10),
    ]
    assert body["findings"][0]["message"] == "“最好”属于广告法禁止的极限用语（最字类）"


def test_scan_without_a_price_reports_unverifiable_claims_as_warnings(api_as, kefu):
    body = api_as(kefu).post(SCAN, {"text": "仅需¥59"}).json()
    assert body["blocking"] is False
    assert [(f["rule"], f["severity"]) for f in body["findings"]] == [("price_claim", "warn")]


def test_scan_needs_a_token(api_as):
    assert api_as(None).post(SCAN, {"text": "最好"}).status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": "x" * 50_001},
        {"text": "好", "listing_price": "-1"},
        {"text": "好", "listing_price": "1.234"},
        {"text": "好", "listing_price": "abc"},
        {"text": 5},
    ],
)
def test_scan_refuses_bad_input(api_as, kefu, payload):
    response = api_as(kefu).post(SCAN, payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_scan_accepts_the_longest_text(api_as, kefu):
    response = api_as(kefu).post(SCAN, {"text": "好" * 50_000})
    assert response.status_code == 200
    assert response.json() == {"findings": [], "blocking": False}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("jingli", 200),
        ("yunying", 200),
        ("shenji", 200),
        ("kefu", 403),
        ("cangku", 403),
    ],
)
def test_term_list_persona_matrix(request, api_as, persona, status):
    response = api_as(request.getfixturevalue(persona)).get(TERMS, category="medical", q="治")
    assert response.status_code == status
    if status == 200:
        terms = [t["term"] for t in response.json()["items"]]
        assert {"治疗", "治愈", "治百病"} <= set(terms)
        assert all("治" in t for t in terms)


def test_term_list_pages_with_a_cursor(api_as, jingli):
    client = api_as(jingli)
    first = client.get(TERMS, limit=100).json()
    second = client.get(TERMS, limit=100, cursor=first["next"]).json()
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 200
    assert client.get(TERMS, cursor="not-a-cursor").status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 201), ("jingli", 201), ("yunying", 403), ("kefu", 403)]
)
def test_term_create_persona_matrix(request, api_as, persona, status):
    response = api_as(request.getfixturevalue(persona)).post(
        TERMS, {"term": "神器", "category": "grade", "severity": "warn"}
    )
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["id"] == Term.objects.get(term="神器").id
        assert (body["term"], body["category"], body["category_label"], body["severity"]) == (
            "神器",
            "grade",
            "级别/顶级类",
            "warn",
        )
        assert AuditEvent.objects.filter(action="compliance.term.create").count() == 1
    else:
        assert not Term.objects.filter(term="神器").exists()


def test_term_create_conflict_and_invalid(api_as, jingli):
    client = api_as(jingli)
    response = client.post(TERMS, {"term": "最好", "category": "superlative"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "compliance.term_exists"
    response = client.post(TERMS, {"term": "神器", "category": "nope"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "compliance.category_invalid"
