"""Storefront pages as users see them: the store's pages with what is live, a page with its history
and a new draft, the variants page, a proposal with mock-ups served only to its store's people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from storeops.content.models import ReleaseDraft
from storeops.core import clock
from storeops.storefront import services
from storeops.storefront.models import RedesignProposal, StorePage
from tests.storefront_helpers import png_bytes, publish_page


@pytest.fixture
def page(demo, stores):
    page = services.page_create(
        actor=demo["qihua"], store=stores["tb-main"], kind="store_page", name="视图测试页"
    )
    publish_page(
        page, writer=demo["qihua"], approver=demo["jingli"], title="线上标题", body="线上正文"
    )
    return page


def test_index_shows_pages_with_live_state_and_missing_items(web_as, demo, page):
    response = web_as(demo["qihua"]).get("/storefront/", {"store": "tb-main"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "视图测试页" in html
    assert "已发布" in html
    assert 'data-testid="categories"' in html


def test_page_detail_shows_live_history_and_writes_a_draft(web_as, demo, page):
    client = web_as(demo["qihua"])
    html = client.get(f"/storefront/pages/{page.pk}/").content.decode()
    assert "线上正文" in html
    assert 'data-testid="draft-form"' in html

    response = client.post(
        f"/storefront/pages/{page.pk}/draft/",
        {"title": "新标题", "body": "新正文", "priority": "general"},
    )

    draft = ReleaseDraft.objects.get(title="新标题")
    assert (draft.kind, draft.target, draft.store_id) == ("store_page", page.pk, page.store_id)
    assert response["Location"] == f"/content/drafts/{draft.pk}/"


@pytest.mark.parametrize(
    ("persona", "index", "detail", "create"),
    [
        ("qihua", 200, 200, 200),
        ("yunying", 200, 200, 200),
        ("kefu", 200, 200, 403),
        ("kefu_jd", 200, 404, 403),
        ("jingli", 200, 200, 403),
    ],
)
def test_page_permission_matrix(web_as, demo, page, persona, index, detail, create):
    client = web_as(demo[persona])
    assert client.get("/storefront/").status_code == index
    assert client.get(f"/storefront/pages/{page.pk}/").status_code == detail
    assert client.get("/storefront/pages/new/", {"store": "tb-main"}).status_code == create


def test_create_page_through_the_form(web_as, demo, stores):
    response = web_as(demo["yunying"]).post(
        "/storefront/pages/new/?store=tb-main",
        {"kind": "custom_module", "name": "品牌故事（新）", "module_type": "brand"},
    )
    page = StorePage.objects.get(name="品牌故事（新）", store=stores["tb-main"])
    assert response["Location"] == f"/storefront/pages/{page.pk}/"
    refused = web_as(demo["yunying"]).post(
        "/storefront/pages/new/?store=tb-main", {"kind": "custom_module", "name": "没类型"}
    )
    assert refused.status_code == 200
    assert "请选择品牌页或促销页" in refused.content.decode()


def test_variants_page_renders(web_as, demo, stores):
    zone = services.page_create(
        actor=demo["qihua"], store=stores["tb-main"], kind="promotion_zone", name="视图促销区"
    )
    client = web_as(demo["qihua"])
    client.post(
        f"/storefront/pages/{zone.pk}/variants/",
        {"name": "方案一", "note": "", "title": "方案一", "body": "满减", "priority": "general"},
    )
    html = client.get(f"/storefront/pages/{zone.pk}/variants/").content.decode()
    assert "方案一" in html
    assert "设计中" in html


def test_proposal_images_are_served_only_inside_the_store(web_as, demo, page):
    proposal = services.proposal_create(
        actor=demo["kefu"], page=page, title="图片测试", description="说明"
    )
    image = services.proposal_image_add(
        actor=demo["kefu"], proposal=proposal, kind="mockup", content=png_bytes()
    )

    mine = web_as(demo["yunying"]).get(f"/storefront/images/{image.pk}/")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert b"".join(mine.streaming_content) == png_bytes()
    assert web_as(demo["kefu_jd"]).get(f"/storefront/images/{image.pk}/").status_code == 404
    assert web_as(demo["kefu_jd"]).get(f"/storefront/proposals/{proposal.pk}/").status_code == 404


def test_proposal_flow_through_the_pages(web_as, demo, page):
    kefu = web_as(demo["kefu"])
    kefu.post(
        f"/storefront/proposals/new/?page={page.pk}", {"title": "页面流程", "description": "说明"}
    )
    proposal = RedesignProposal.objects.get(title="页面流程")
    kefu.post(
        f"/storefront/proposals/{proposal.pk}/images/",
        {"kind": "mockup", "file": SimpleUploadedFile("a.png", png_bytes(), "image/png")},
    )
    web_as(demo["yunying"]).post(
        f"/storefront/proposals/{proposal.pk}/comments/", {"body": "建议换暖色"}
    )
    kefu.post(f"/storefront/proposals/{proposal.pk}/submit/")
    manager = web_as(demo["jingli"])
    html = manager.get(f"/storefront/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="approve-form"' in html
    assert "建议换暖色" in html
    assert (
        'data-testid="approve-form"'
        not in kefu.get(f"/storefront/proposals/{proposal.pk}/").content.decode()
    )

    manager.post(
        f"/storefront/proposals/{proposal.pk}/approve/",
        {"owner": demo["qihua"].pk, "due_date": "2099-01-01", "comment": ""},
    )
    proposal.refresh_from_db()
    in_a_week = clock.business_date() + dt.timedelta(days=7)
    assert proposal.status == "submitted"  # more than a year ahead: refused, shown as a message
    manager.post(
        f"/storefront/proposals/{proposal.pk}/approve/",
        {"owner": demo["qihua"].pk, "due_date": str(in_a_week), "comment": "同意"},
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.owner) == ("approved", demo["qihua"])
    workbench = web_as(demo["qihua"]).get("/workbench/").content.decode()
    assert "改版方案待执行：页面流程" in workbench
    assert "执行改版方案：页面流程" in workbench  # the obligation's own row
