"""Storefront API: pages by store, page creation, the proposal flow; error shape and persona matrix."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from storeops.accounts.services import token_create
from storeops.audit.models import AuditEvent
from storeops.storefront import services
from storeops.storefront.models import RedesignProposal, StorePage
from tests.storefront_helpers import png_bytes, publish_page

PAGES = "/api/v1/storefront/pages"
PROPOSALS = "/api/v1/storefront/proposals"


@pytest.fixture
def page(demo, stores):
    page = services.page_create(
        actor=demo["qihua"], store=stores["tb-main"], kind="store_page", name="API 测试页"
    )
    publish_page(page, writer=demo["qihua"], approver=demo["jingli"], title="线上", body="正文")
    return page


def test_pages_list_by_store_with_live_version(api_as, demo, page):
    body = api_as(demo["kefu"]).get(PAGES, store="tb-main", kind="store_page", limit=200).json()

    row = next(p for p in body["items"] if p["id"] == page.pk)
    assert row["live"]["title"] == "线上"
    assert row["store"] == "tb-main"
    assert api_as(demo["kefu_jd"]).get(PAGES, store="tb-main").status_code == 404
    assert all(p["store"] == "jd-main" for p in api_as(demo["kefu_jd"]).get(PAGES).json()["items"])
    assert api_as(None).get(PAGES).status_code == 401
    assert api_as(demo["kefu"]).get(PAGES, limit=0).status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"), [("qihua", 201), ("yunying", 201), ("kefu", 403), ("jingli", 403)]
)
def test_page_create_matrix(api_as, demo, persona, status):
    response = api_as(demo[persona]).post(
        PAGES, {"store": "tb-main", "kind": "store_page", "name": f"接口页-{persona}"}
    )
    assert response.status_code == status
    assert StorePage.objects.filter(name=f"接口页-{persona}").exists() == (status == 201)
    if status == 403:
        assert response.json()["error"]["code"] == "permission.denied"


def test_page_create_errors_name_the_field(api_as, demo):
    response = api_as(demo["qihua"]).post(
        PAGES, {"store": "tb-main", "kind": "custom_module", "name": "没类型"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "module_type"}
    other_store = api_as(demo["qihua"]).post(
        PAGES, {"store": "nope", "kind": "store_page", "name": "x"}
    )
    assert other_store.status_code == 404


def test_proposal_flow_over_the_api(api_as, demo, page):
    kefu = api_as(demo["kefu"])
    created = kefu.post(PROPOSALS, {"page": page.pk, "title": "接口方案", "description": "换图"})
    assert created.status_code == 201
    proposal_id = created.json()["id"]
    assert created.json()["before_publication"] is not None

    too_early = kefu.post(f"{PROPOSALS}/{proposal_id}/submit")
    assert too_early.status_code == 409
    assert too_early.json()["error"]["code"] == "proposal.mockup_required"

    _token, raw = token_create(user=demo["kefu"], name="upload")
    upload = Client().post(
        f"{PROPOSALS}/{proposal_id}/images",
        {"kind": "mockup", "file": _png_file()},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert upload.status_code == 201
    assert upload.json()["url"] == f"/storefront/images/{upload.json()['id']}/"

    comment = api_as(demo["yunying"]).post(f"{PROPOSALS}/{proposal_id}/comments", {"body": "好"})
    assert comment.status_code == 201
    assert [c["body"] for c in comment.json()["comments"]] == ["好"]
    assert kefu.post(f"{PROPOSALS}/{proposal_id}/submit").json()["status"] == "submitted"

    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        payload = {"owner": demo["qihua"].pk, "due_date": "2026-12-01", "comment": "同意"}
        assert (
            api_as(demo["yunying"]).post(f"{PROPOSALS}/{proposal_id}/approve", payload).status_code
            == 403
        )
        approved = api_as(demo["jingli"]).post(f"{PROPOSALS}/{proposal_id}/approve", payload)
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["owner"]) == ("approved", "qihua")
    assert body["due_at"].startswith("2026-12-01T10:00")
    assert body["obligation"] is not None
    again = api_as(demo["jingli"]).post(f"{PROPOSALS}/{proposal_id}/approve", payload)
    assert again.status_code == 409
    assert (
        AuditEvent.objects.filter(
            action="storefront.proposal.approve", object_id=str(proposal_id)
        ).count()
        == 1
    )
    assert RedesignProposal.objects.get(pk=proposal_id).status == "approved"


def test_reject_needs_a_comment(api_as, demo, page):
    proposal = services.proposal_create(
        actor=demo["kefu"], page=page, title="驳回测试", description="x"
    )
    services.proposal_image_add(
        actor=demo["kefu"], proposal=proposal, kind="mockup", content=png_bytes()
    )
    services.proposal_submit(actor=demo["kefu"], proposal=proposal)

    empty = api_as(demo["jingli"]).post(f"{PROPOSALS}/{proposal.pk}/reject", {"comment": ""})
    assert empty.status_code == 422
    rejected = api_as(demo["jingli"]).post(f"{PROPOSALS}/{proposal.pk}/reject", {"comment": "再改"})
    assert rejected.json()["status"] == "rejected"


def _png_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("mock.png", png_bytes(), content_type="image/png")
