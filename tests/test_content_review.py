"""Review duties (R3.1, R4.1): 运营 flags a live description as inaccurate → an important
correction draft (12 h from the flag) for that page, owned by the page's 企划, linked and shown."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.content.models import PublicationFlag, ReleaseDraft
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    draft_update,
    publication_flag,
)
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.core.roles import RoleCode
from storeops.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.content_helpers import scanner  # noqa: F401

pytestmark = pytest.mark.usefixtures("scanner")
FLAG_TIME = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


def publish(qihua, jingli, store, *, title="保温杯详情", body="保温 12 小时", **extra):
    draft = draft_create(
        actor=qihua, store=store, title=title, body=body, priority="general", **extra
    )
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=jingli, draft=draft, comment="")
    return draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))


@pytest.fixture
def live(qihua, jingli, stores):
    listing = stores["tb-main"].listings.order_by("-id").first()
    return publish(qihua, jingli, stores["tb-main"], kind="listing", target=listing.pk)


def test_flag_opens_an_important_correction_draft_due_in_12_hours(yunying, qihua, live):
    with time_machine.travel(FLAG_TIME, tick=False):
        flag = publication_flag(actor=yunying, publication=live, reason="实际保温 8 小时")

    draft = flag.correction_draft
    assert draft.priority == "important"
    assert draft.status == "draft"
    assert draft.sla_started_at == FLAG_TIME
    assert draft.sla_deadline == FLAG_TIME + dt.timedelta(hours=12)
    assert (draft.kind, draft.target, draft.store_id) == (live.kind, live.target, live.store_id)
    assert draft.owner == qihua
    assert draft.current_revision.body == "保温 12 小时"  # starts from the live text
    assert list(draft.flags.all()) == [flag]
    event = AuditEvent.objects.get(action="content.publication.flag", object_id=str(flag.pk))
    assert event.actor == yunying
    assert event.after["reason"] == "实际保温 8 小时"
    assert event.after["correction_draft"] == draft.pk
    assert AuditEvent.objects.filter(
        action="content.draft.create", object_id=str(draft.pk)
    ).exists()
    note = Notification.objects.get(recipient=qihua, kind="content.publication_flagged")
    assert note.url == f"/content/drafts/{draft.pk}/"


def test_a_second_flag_joins_the_open_correction_draft(yunying, jingli, live):
    first = publication_flag(actor=yunying, publication=live, reason="容量写错")
    second = publication_flag(actor=jingli, publication=live, reason="颜色也不对")

    assert second.correction_draft_id == first.correction_draft_id
    assert ReleaseDraft.objects.filter(flags__publication=live).distinct().count() == 1


def test_publishing_the_correction_supersedes_the_flagged_version(yunying, qihua, jingli, live):
    flag = publication_flag(actor=yunying, publication=live, reason="容量写错")
    draft = flag.correction_draft
    draft_update(actor=qihua, draft=draft, body="保温 8 小时")
    draft_submit(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))
    draft_approve(actor=jingli, draft=ReleaseDraft.objects.get(pk=draft.pk), comment="")
    fixed = draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    live.refresh_from_db()
    assert live.is_live is False
    assert live.superseded_by == fixed
    with pytest.raises(Conflict) as refused:
        publication_flag(actor=yunying, publication=live, reason="旧版本")
    assert refused.value.code == "publication.not_live"


def test_owner_falls_back_to_the_stores_planner(yunying, jingli, stores, qihua):
    other = user_create(
        actor=None,
        username="qihua_tb_only",
        password=PASSWORD,
        first_name="临时企划",
        roles=[Role.objects.get(code=RoleCode.PLANNING)],
        stores=[stores["tb-main"]],
    )
    publication = publish(other, jingli, stores["tb-main"], kind="blog", title="博客文章")
    other.is_active = False
    other.save(update_fields=["is_active"])

    flag = publication_flag(actor=yunying, publication=publication, reason="日期写错")

    assert flag.correction_draft.owner == qihua  # the first active 企划 of tb-main


def test_flag_refusals_change_nothing(kefu, qihua, yunying, live):
    before = PublicationFlag.objects.count()
    with pytest.raises(Forbidden):
        publication_flag(actor=kefu, publication=live, reason="x")
    with pytest.raises(Forbidden):
        publication_flag(actor=qihua, publication=live, reason="x")  # 企划 writes, 运营 checks
    with pytest.raises(Invalid):
        publication_flag(actor=yunying, publication=live, reason="  ")
    assert PublicationFlag.objects.count() == before


def test_flag_api_permission_matrix(api_as, demo, live, stores):
    url = f"/api/v1/content/publications/{live.pk}/flags"
    jd_only = user_create(
        actor=None,
        username="yunying_jd",
        password=PASSWORD,
        first_name="京东运营",
        roles=[Role.objects.get(code=RoleCode.OPERATIONS)],
        stores=[stores["jd-main"]],
    )

    created = api_as(demo["yunying"]).post(url, {"reason": "尺寸写错"})

    assert created.status_code == 201
    body = created.json()
    assert body["priority"] == "important"
    assert body["owner"] == "qihua"
    assert body["publication"] == live.pk
    assert api_as(demo["jingli"]).post(url, {"reason": "再补一条"}).status_code == 201
    assert api_as(demo["qihua"]).post(url, {"reason": "x"}).status_code == 403
    assert api_as(demo["kefu"]).post(url, {"reason": "x"}).status_code == 403
    assert api_as(jd_only).post(url, {"reason": "x"}).status_code == 404
    assert api_as(None).post(url, {"reason": "x"}).status_code == 401
    assert api_as(demo["yunying"]).post(url, {"reason": ""}).status_code == 422
    assert (
        api_as(demo["yunying"])
        .post(f"/api/v1/content/publications/{2**40}/flags", {"reason": "x"})
        .status_code
        == 404
    )
    assert PublicationFlag.objects.filter(publication=live).count() == 2


def test_pages_show_the_flag_on_the_publication_draft_and_workbench(web_as, demo, qihua, live):
    yunying = web_as(demo["yunying"])
    page = yunying.get(f"/content/publications/{live.pk}/")
    assert page.status_code == 200
    assert 'data-testid="flag-form"' in page.content.decode()

    response = yunying.post(f"/content/publications/{live.pk}/flag/", {"reason": "材质写错"})
    flag = PublicationFlag.objects.get(publication=live)

    assert response.status_code == 302
    html = yunying.get(f"/content/publications/{live.pk}/").content.decode()
    assert "材质写错" in html
    assert f"/content/drafts/{flag.correction_draft_id}/" in html
    draft_html = web_as(qihua).get(f"/content/drafts/{flag.correction_draft_id}/").content.decode()
    assert 'data-testid="correction-of"' in draft_html
    assert "材质写错" in draft_html
    workbench = web_as(qihua).get("/workbench/").content.decode()
    assert f"描述纠错：{flag.correction_draft.title}" in workbench
    # 企划 sees the page but not the form; 客服 not even the page
    assert (
        'data-testid="flag-form"'
        not in web_as(qihua).get(f"/content/publications/{live.pk}/").content.decode()
    )
    assert (
        web_as(qihua).post(f"/content/publications/{live.pk}/flag/", {"reason": "x"}).status_code
        == 403
    )
    assert web_as(demo["kefu"]).get(f"/content/publications/{live.pk}/").status_code == 403
    assert PublicationFlag.objects.filter(publication=live).count() == 1


def test_a_blog_posts_correction_replaces_the_flagged_post(yunying, qihua, jingli, stores):
    post = publish(qihua, jingli, stores["tb-main"], kind="blog", title="清洗小窍门")
    draft = publication_flag(
        actor=yunying, publication=post, reason="浸泡时间写错"
    ).correction_draft
    draft_update(actor=qihua, draft=draft, body="浸泡 20 分钟")
    draft_submit(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))
    draft_approve(actor=jingli, draft=ReleaseDraft.objects.get(pk=draft.pk), comment="")

    fixed = draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    post.refresh_from_db()
    assert (post.is_live, post.superseded_by) == (False, fixed)
    assert ReleaseDraft.objects.get(pk=post.draft_id).status == "superseded"
