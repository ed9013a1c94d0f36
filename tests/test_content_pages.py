"""Content pages: list with countdown, create from intake, detail with highlighted findings, diff,
decisions, intake, the SLA report and its Excel export, the package export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from storeops.content.models import IntakeItem, Publication, ReleaseDraft
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    draft_update,
    intake_create,
)
from tests.content_helpers import scanner  # noqa: F401

pytestmark = pytest.mark.usefixtures("scanner")


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


def make_draft(qihua, stores, **overrides):
    fields = {
        "store": stores["tb-main"],
        "kind": "blog",
        "title": "保温杯的故事",
        "body": "第一段\n全网最好的杯子\n第三段",
        "priority": "general",
        **overrides,
    }
    return draft_create(actor=qihua, **fields)


def test_list_shows_countdown_and_filters(web_as, qihua, stores):
    make_draft(qihua, stores, priority="important")
    make_draft(qihua, stores, title="京东店招", kind="shop_sign", store=stores["jd-main"])

    page = web_as(qihua).get("/content/drafts/")
    filtered = web_as(qihua).get("/content/drafts/", {"kind": "shop_sign"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "保温杯的故事" in html
    assert 'data-sla="ok"' in html
    assert "剩余 11 小时" in html
    assert "京东店招" in filtered.content.decode()
    assert "保温杯的故事" not in filtered.content.decode()


def test_kefu_cannot_open_the_draft_pages(web_as, demo, qihua, stores):
    draft = make_draft(qihua, stores)
    assert web_as(demo["kefu"]).get("/content/drafts/").status_code == 403
    assert web_as(demo["kefu"]).get(f"/content/drafts/{draft.pk}/").status_code == 403
    assert web_as(demo["kefu_jd"]).get(f"/content/drafts/{draft.pk}/").status_code == 404


def test_create_from_intake_starts_the_clock_at_the_intake(web_as, demo, qihua, stores):
    item = intake_create(
        actor=demo["shichang"],
        source="marketing_group",
        classification="price",
        title="保温杯降价",
        content="售价改为 89 元",
        store=stores["tb-main"],
    )
    form = web_as(qihua).get(f"/content/drafts/new/?intake={item.pk}")
    assert "保温杯降价" in form.content.decode()

    response = web_as(qihua).post(
        "/content/drafts/new/",
        {
            "store": "tb-main",
            "kind": "blog",
            "priority": "important",
            "intake": item.pk,
            "title": "保温杯降价",
            "body": "售价改为 89 元",
        },
    )

    draft = ReleaseDraft.objects.get(intake=item)
    assert response.status_code == 302
    assert response["Location"] == f"/content/drafts/{draft.pk}/"
    assert draft.sla_started_at == item.submitted_at
    assert IntakeItem.objects.get(pk=item.pk).status == "compiled"


def test_detail_highlights_findings_and_offers_override(web_as, demo, qihua, stores):
    draft = make_draft(qihua, stores)
    draft_submit(actor=qihua, draft=draft)

    html = web_as(demo["jingli"]).get(f"/content/drafts/{draft.pk}/").content.decode()

    assert 'data-severity="block"' in html
    assert ">最好</mark>" in html
    assert 'name="override_reason"' in html
    writer_html = web_as(qihua).get(f"/content/drafts/{draft.pk}/").content.decode()
    assert 'name="override_reason"' not in writer_html


def test_approve_on_the_page_needs_the_override_reason(web_as, demo, qihua, stores):
    draft = make_draft(qihua, stores)
    draft_submit(actor=qihua, draft=draft)
    manager = web_as(demo["jingli"])

    manager.post(f"/content/drafts/{draft.pk}/approve/", {"comment": "好"})
    assert ReleaseDraft.objects.get(pk=draft.pk).status == "submitted"

    manager.post(
        f"/content/drafts/{draft.pk}/approve/", {"comment": "好", "override_reason": "引用检测报告"}
    )
    assert ReleaseDraft.objects.get(pk=draft.pk).status == "approved"

    web_as(qihua).post(f"/content/drafts/{draft.pk}/publish/")
    assert ReleaseDraft.objects.get(pk=draft.pk).status == "published"


def test_diff_between_revisions(web_as, qihua, stores):
    draft = make_draft(qihua, stores)
    draft_update(actor=qihua, draft=draft, body="第一段\n全网很好的杯子\n第三段\n新增一段")

    html = web_as(qihua).get(f"/content/drafts/{draft.pk}/diff/?a=1&b=2").content.decode()

    assert '<del class="bg-danger-subtle">最</del>' in html
    assert '<ins class="bg-success-subtle">很</ins>' in html
    assert '<ins class="bg-success-subtle">新增一段</ins>' in html


def test_intake_page_create_and_refusal(web_as, demo):
    page = web_as(demo["shangwu"])
    response = page.post(
        "/content/intake/",
        {
            "source": "commerce",
            "classification": "new_product",
            "store": "",
            "title": "新品：折叠水壶",
            "content": "硅胶折叠，可放入背包",
        },
    )
    assert response.status_code == 302
    assert IntakeItem.objects.get(title="新品：折叠水壶").submitted_by == demo["shangwu"]
    assert web_as(demo["kefu"]).get("/content/intake/").status_code == 403


def test_sla_report_and_excel_export(web_as, demo, qihua, stores):
    earlier = Publication.objects.count()
    earlier_met = Publication.objects.filter(is_sla_met=True).count()
    draft = make_draft(qihua, stores, body="无问题的正文")
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=demo["jingli"], draft=draft, comment="")
    publication = draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    html = web_as(demo["jingli"]).get("/content/sla/").content.decode()
    export = web_as(demo["jingli"]).get("/content/sla/export/")
    package = web_as(qihua).get(f"/content/publications/{publication.pk}/export/")

    assert 'data-met="1"' in html
    total, met = earlier + 1, earlier_met + 1
    assert f"共 {total} 次发布，按时 {met}，超时 {total - met}" in html
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "稿件"
    assert rows[1][0] == "保温杯的故事"
    assert rows[1][-1] == "按时"
    package_sheet = load_workbook(io.BytesIO(package.content)).active
    assert next(iter(package_sheet.values))[0] == "宝贝标题"
    assert web_as(demo["kefu"]).get("/content/sla/").status_code == 403


def test_workbench_lists_my_drafts_by_deadline_and_navigation(web_as, qihua, stores):
    make_draft(qihua, stores, title="较晚截止")
    make_draft(qihua, stores, title="较早截止", priority="important")

    html = web_as(qihua).get("/", follow=True).content.decode()

    assert html.index("发布稿件：较早截止") < html.index("发布稿件：较晚截止")
    assert "/content/drafts/" in html
    assert "/content/intake/" in html
