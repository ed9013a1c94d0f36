"""The stable draft API: create, read, submit, approve, reject, publish; the persona matrix."""

from __future__ import annotations

import pytest

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.catalog.models import Listing
from storeops.content.models import Publication, ReleaseDraft
from storeops.core.roles import RoleCode
from tests.conftest import PASSWORD
from tests.content_helpers import scanner  # noqa: F401

DRAFTS = "/api/v1/content/drafts"
pytestmark = pytest.mark.usefixtures("scanner")


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


@pytest.fixture
def qihua_jd(stores):
    """A planner who works in jd-main only."""
    return user_create(
        actor=None,
        username="qihua_jd",
        password=PASSWORD,
        first_name="京东企划",
        roles=[Role.objects.get(code=RoleCode.PLANNING)],
        stores=[stores["jd-main"]],
    )


def create(client, **overrides):
    payload = {
        "store": "tb-main",
        "kind": "blog",
        "title": "春季新品上市",
        "body": "格润莱特保温杯，新款上市。",
        "priority": "general",
        "target": None,
        **overrides,
    }
    return client.post(DRAFTS, payload)


def test_create_answers_201_with_id_status_and_deadline(api_as, qihua):
    response = create(api_as(qihua), priority="important")

    assert response.status_code == 201
    body = response.json()
    draft = ReleaseDraft.objects.get(pk=body["id"])
    assert body["status"] == "draft"
    assert body["store"] == "tb-main"
    assert body["revision"] == 1
    assert body["compliance"] == []
    assert body["sla_hours"] == 12
    assert (draft.sla_deadline - draft.sla_started_at).total_seconds() == 12 * 3600
    assert AuditEvent.objects.filter(
        action="content.draft.create", object_id=str(draft.pk)
    ).exists()


def test_create_refused_without_permission_and_in_another_store(api_as, kefu, qihua_jd):
    before = ReleaseDraft.objects.count()

    assert create(api_as(kefu)).status_code == 403
    assert create(api_as(qihua_jd), store="tb-main").status_code == 404
    assert create(api_as(None)).status_code == 401
    assert ReleaseDraft.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "poster"), ("priority", "urgent"), ("title", ""), ("target", 0), ("target", 2**60)],
)
def test_create_rejects_bad_input(api_as, qihua, field, value):
    before = ReleaseDraft.objects.count()

    response = create(api_as(qihua), **{field: value})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert ReleaseDraft.objects.count() == before


def test_listing_target_must_be_a_listing_of_that_store(api_as, qihua, stores):
    other = Listing.objects.exclude(store=stores["tb-main"]).first()
    response = create(api_as(qihua), kind="listing", target=other.pk)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "draft.target_not_found"


def test_full_path_submit_approve_publish(api_as, qihua, jingli, stores):
    listing = stores["tb-main"].listings.first()
    writer = api_as(qihua)
    draft_id = create(writer, kind="listing", target=listing.pk, body="仅需 99 元").json()["id"]

    submitted = writer.post(f"{DRAFTS}/{draft_id}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["compliance"][0]["rule"] == "ad_law.absolute"
    assert submitted.json()["compliance"][0]["severity"] == "warn"

    approved = api_as(jingli).post(f"{DRAFTS}/{draft_id}/approve", {"comment": "同意"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_revision"] == 1

    published = writer.post(f"{DRAFTS}/{draft_id}/publish")
    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published"
    assert body["publication"]["is_sla_met"] is True
    publication = Publication.objects.get(draft_id=draft_id)
    assert publication.package["price"] == str(listing.price)
    assert publication.package["title"] == "春季新品上市"
    assert len(publication.package["modules"]) == 4
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(draft_id), action__startswith="content.draft."
        ).values_list("action", flat=True)
    )
    assert actions == {
        "content.draft.create",
        "content.draft.submit",
        "content.draft.approve",
        "content.draft.publish",
    }


def test_reject_needs_comment_and_goes_back_for_edit(api_as, qihua, jingli):
    writer = api_as(qihua)
    draft_id = create(writer).json()["id"]
    writer.post(f"{DRAFTS}/{draft_id}/submit")

    assert api_as(jingli).post(f"{DRAFTS}/{draft_id}/reject", {"comment": ""}).status_code == 422
    rejected = api_as(jingli).post(f"{DRAFTS}/{draft_id}/reject", {"comment": "标题再改改"})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"

    edited = writer.client.patch(
        f"{DRAFTS}/{draft_id}",
        {"title": "春季新品上市（修订）"},
        content_type="application/json",
        **writer.headers,
    )
    assert edited.json()["status"] == "draft"
    assert edited.json()["revision"] == 2


def _draft_in(status, api_as, qihua, jingli):
    writer = api_as(qihua)
    draft_id = create(writer).json()["id"]
    if status == "draft":
        return draft_id
    writer.post(f"{DRAFTS}/{draft_id}/submit")
    if status == "submitted":
        return draft_id
    if status == "rejected":
        api_as(jingli).post(f"{DRAFTS}/{draft_id}/reject", {"comment": "不行"})
        return draft_id
    api_as(jingli).post(f"{DRAFTS}/{draft_id}/approve", {"comment": ""})
    if status == "approved":
        return draft_id
    writer.post(f"{DRAFTS}/{draft_id}/publish")
    return draft_id


REFUSED = [
    ("draft", "approve", "jingli"),
    ("draft", "reject", "jingli"),
    ("draft", "publish", "qihua"),
    ("submitted", "submit", "qihua"),
    ("submitted", "publish", "qihua"),
    ("rejected", "approve", "jingli"),
    ("rejected", "reject", "jingli"),
    ("rejected", "publish", "qihua"),
    ("approved", "submit", "qihua"),
    ("approved", "approve", "jingli"),
    ("approved", "reject", "jingli"),
    ("published", "submit", "qihua"),
    ("published", "approve", "jingli"),
    ("published", "reject", "jingli"),
    ("published", "publish", "qihua"),
]


@pytest.mark.parametrize(("status", "verb", "who"), REFUSED)
def test_refused_transition_answers_409_and_changes_nothing(
    api_as, demo, qihua, jingli, status, verb, who
):
    draft_id = _draft_in(status, api_as, qihua, jingli)
    before = ReleaseDraft.objects.get(pk=draft_id)
    client = api_as(demo[who])
    events = AuditEvent.objects.count()

    response = client.post(f"{DRAFTS}/{draft_id}/{verb}", {"comment": "x"})

    assert response.status_code == 409, response.json()
    assert set(response.json()["error"]) == {"code", "message", "details"}
    after = ReleaseDraft.objects.get(pk=draft_id)
    assert after.status == before.status == status
    assert after.current_revision_id == before.current_revision_id
    assert AuditEvent.objects.count() == events


def test_published_draft_cannot_be_edited(api_as, qihua, jingli):
    draft_id = _draft_in("published", api_as, qihua, jingli)
    writer = api_as(qihua)

    response = writer.client.patch(
        f"{DRAFTS}/{draft_id}",
        {"body": "改一下"},
        content_type="application/json",
        **writer.headers,
    )

    assert response.status_code == 409
    assert ReleaseDraft.objects.get(pk=draft_id).revisions.count() == 1


def test_edit_after_approval_needs_a_new_approval(api_as, qihua, jingli):
    draft_id = _draft_in("approved", api_as, qihua, jingli)
    writer = api_as(qihua)
    writer.client.patch(
        f"{DRAFTS}/{draft_id}",
        {"body": "改过的正文"},
        content_type="application/json",
        **writer.headers,
    )

    refused = writer.post(f"{DRAFTS}/{draft_id}/publish")

    assert refused.status_code == 409
    draft = ReleaseDraft.objects.get(pk=draft_id)
    assert draft.status == "draft"
    assert draft.approved_revision_id is None
    assert not Publication.objects.filter(draft_id=draft_id).exists()
    writer.post(f"{DRAFTS}/{draft_id}/submit")
    api_as(jingli).post(f"{DRAFTS}/{draft_id}/approve", {"comment": ""})
    assert writer.post(f"{DRAFTS}/{draft_id}/publish").json()["publication"]["revision"] == 2


def test_nobody_approves_what_they_wrote_or_submitted(api_as, admin, yunying, jingli, stores):
    own = api_as(admin)
    draft_id = create(own).json()["id"]
    own.post(f"{DRAFTS}/{draft_id}/submit")

    response = own.post(f"{DRAFTS}/{draft_id}/approve", {"comment": ""})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "approval.self"
    assert ReleaseDraft.objects.get(pk=draft_id).status == "submitted"
    # 运营 wrote a promotion zone: the first step is 运营's, but not the author's
    writer = api_as(yunying)
    zone_id = create(writer, kind="promotion_zone").json()["id"]
    writer.post(f"{DRAFTS}/{zone_id}/submit")
    assert writer.post(f"{DRAFTS}/{zone_id}/approve", {"comment": ""}).status_code == 403


def test_promotion_zone_needs_operations_then_manager(api_as, qihua, yunying, jingli):
    writer = api_as(qihua)
    zone_id = create(writer, kind="promotion_zone").json()["id"]
    writer.post(f"{DRAFTS}/{zone_id}/submit")

    assert api_as(jingli).post(f"{DRAFTS}/{zone_id}/approve", {"comment": ""}).status_code == 403
    first = api_as(yunying).post(f"{DRAFTS}/{zone_id}/approve", {"comment": "运营已审"})
    assert first.json()["status"] == "submitted"
    second = api_as(jingli).post(f"{DRAFTS}/{zone_id}/approve", {"comment": ""})
    assert second.json()["status"] == "approved"


def test_override_reason_required_for_a_block_finding_and_audited(api_as, qihua, jingli):
    writer = api_as(qihua)
    draft_id = create(writer, body="全网最好的保温杯").json()["id"]
    submitted = writer.post(f"{DRAFTS}/{draft_id}/submit").json()
    assert submitted["compliance"] == [
        {
            "rule": "ad_law.absolute",
            "severity": "block",
            "text": "最好",
            "start": 2,
            "end": 4,
            "message": "极限词",
            "field": "body",
        }
    ]

    refused = api_as(jingli).post(f"{DRAFTS}/{draft_id}/approve", {"comment": "同意"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "compliance.override_required"
    assert ReleaseDraft.objects.get(pk=draft_id).status == "submitted"

    approved = api_as(jingli).post(
        f"{DRAFTS}/{draft_id}/approve",
        {"comment": "同意", "override_reason": "品牌口号，法务已确认"},
    )
    assert approved.status_code == 200
    assert approved.json()["override_reason"] == "品牌口号，法务已确认"
    event = AuditEvent.objects.get(action="content.draft.override", object_id=str(draft_id))
    assert event.after["override_reason"] == "品牌口号，法务已确认"
    assert event.actor_id == jingli.pk


@pytest.mark.parametrize(
    ("who", "verb", "expected"),
    [
        ("kefu", "submit", 403),
        ("kefu", "approve", 403),
        ("kefu", "publish", 403),
        ("kefu", "get", 403),
        ("kefu_jd", "get", 404),
        ("kefu_jd", "approve", 404),
        ("qihua_jd", "get", 404),
        ("qihua_jd", "submit", 404),
        ("jingli", "publish", 403),
        ("yunying", "publish", 403),
        ("shenji", "get", 200),
        ("shenji", "submit", 403),
    ],
)
def test_persona_matrix(api_as, demo, qihua, qihua_jd, who, verb, expected):
    draft_id = create(api_as(qihua)).json()["id"]
    client = api_as(qihua_jd if who == "qihua_jd" else demo[who])

    if verb == "get":
        response = client.get(f"{DRAFTS}/{draft_id}")
    else:
        response = client.post(f"{DRAFTS}/{draft_id}/{verb}", {"comment": "x"})

    assert response.status_code == expected
    assert ReleaseDraft.objects.get(pk=draft_id).status == "draft"


def test_list_filters_and_store_scope(api_as, qihua, qihua_jd):
    writer = api_as(qihua)
    mine = {
        create(writer, priority="important").json()["id"],
        create(writer, store="jd-main").json()["id"],
    }

    everything = writer.get(DRAFTS, limit=200).json()["items"]
    important = writer.get(DRAFTS, priority="important", limit=200).json()["items"]
    jd_only = api_as(qihua_jd).get(DRAFTS, limit=200).json()["items"]

    assert mine <= {d["id"] for d in everything}
    assert {d["priority"] for d in important} == {"important"}
    assert {d["id"] for d in important} & mine
    assert {d["store"] for d in jd_only} == {"jd-main"}
    assert {d["id"] for d in jd_only} & mine


def test_publish_supersedes_the_previous_live_version_of_a_page(api_as, qihua, jingli, stores):
    listing = stores["tb-main"].listings.first()
    writer = api_as(qihua)
    ids = []
    for title in ("旧版详情", "新版详情"):
        draft_id = create(writer, kind="listing", target=listing.pk, title=title).json()["id"]
        writer.post(f"{DRAFTS}/{draft_id}/submit")
        api_as(jingli).post(f"{DRAFTS}/{draft_id}/approve", {"comment": ""})
        writer.post(f"{DRAFTS}/{draft_id}/publish")
        ids.append(draft_id)

    first = writer.get(f"{DRAFTS}/{ids[0]}").json()
    second = writer.get(f"{DRAFTS}/{ids[1]}").json()
    assert first["status"] == "superseded"
    assert first["publication"]["is_live"] is False
    assert first["publication"]["superseded_by"] == second["publication"]["id"]
    assert second["publication"]["is_live"] is True


def test_intake_api(api_as, demo, kefu):
    shichang = api_as(demo["shichang"])
    response = shichang.post(
        "/api/v1/content/intake",
        {
            "source": "marketing_group",
            "classification": "price",
            "title": "保温杯调价",
            "content": "GLT-CUP-500 售价调整为 99 元",
            "store": "tb-main",
        },
    )
    assert response.status_code == 201
    assert response.json()["status"] == "new"
    denied = api_as(kefu).post(
        "/api/v1/content/intake",
        {"source": "other", "classification": "other", "title": "x", "content": "y"},
    )
    assert denied.status_code == 403
    listed = api_as(demo["qihua"]).get("/api/v1/content/intake").json()["items"]
    assert listed[0]["title"] == "保温杯调价"  # newest first
    assert listed[0]["id"] == response.json()["id"]
    assert AuditEvent.objects.filter(
        action="content.intake.create", object_id=str(response.json()["id"])
    ).exists()


def test_the_approvals_pages_and_api_do_not_decide_a_draft_around_content(
    api_as, web_as, qihua, jingli
):
    """A draft's approval re-scans and may need an override reason: only content decides it."""
    from storeops.governance.models import ApprovalRequest

    writer = api_as(qihua)
    draft_id = create(writer, body="全网最好的保温杯").json()["id"]
    writer.post(f"{DRAFTS}/{draft_id}/submit")
    approval = ApprovalRequest.objects.get(
        object_type="content.releasedraft", object_id=str(draft_id), status="pending"
    )

    refused = api_as(jingli).post(f"/api/v1/approvals/{approval.pk}/approve", {"comment": "同意"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "approval.decide_in_owner"
    page = web_as(jingli).get(f"/governance/approvals/{approval.pk}/").content.decode()
    assert 'data-testid="decide-at-owner"' in page
    assert 'data-testid="decide-form"' not in page
    web_as(jingli).post(
        f"/governance/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert ReleaseDraft.objects.get(pk=draft_id).status == "submitted"
