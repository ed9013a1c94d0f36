"""R2.4 / R2.12: the blog-writing habit is a weekly duty per store for its 企划; publishing a blog
post completes the week, whoever of the team wrote it."""

from __future__ import annotations

import pytest

from storeops.audit.models import AuditEvent
from storeops.content.services import draft_approve, draft_create, draft_publish, draft_submit
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.models import Obligation
from storeops.governance.selectors import occurrence_current
from storeops.storefront.services import BLOG_OBLIGATION_KIND, blog_obligations_ensure
from storeops.storefront.tasks import blog_obligations_ensure_task

pytestmark = pytest.mark.django_db


def test_every_active_store_has_one_weekly_blog_duty_for_its_planner(demo, stores):
    duties = Obligation.objects.filter(kind=BLOG_OBLIGATION_KIND)
    assert sorted(duties.values_list("store__code", flat=True)) == sorted(
        s.code for s in stores.values() if s.is_active
    )
    assert {d.owner.username for d in duties} == {"qihua"}
    assert {d.policy_id for d in duties} == {"R2.12"}
    # running again (the daily task) creates nothing
    assert blog_obligations_ensure() == 0
    assert blog_obligations_ensure_task.call_local() == 0
    assert duties.count() == len([s for s in stores.values() if s.is_active])


def test_publishing_a_blog_post_completes_the_weeks_duty(demo, stores):
    store = stores["jd-main"]
    duty = Obligation.objects.get(kind=BLOG_OBLIGATION_KIND, store=store)
    week = occurrence_current(duty)
    assert week is not None

    draft = draft_create(
        actor=demo["yunying"],
        store=store,
        kind="blog",
        title="夏季杯具保养小贴士",
        body="玻璃杯用温水清洗，避免骤冷骤热。",
        priority="general",
        target=None,
    )
    draft_submit(actor=demo["yunying"], draft=draft)
    draft_approve(actor=demo["jingli"], draft=draft, comment="好")
    publication = draft_publish(actor=demo["qihua"], draft=draft)

    week.refresh_from_db()
    assert week.status == OccurrenceStatus.DONE
    assert week.evidence == f"/content/publications/{publication.pk}/"
    assert week.done_by == demo["qihua"]
    assert AuditEvent.objects.filter(
        action="governance.occurrence.complete", object_id=str(week.pk)
    ).exists()


def test_a_page_that_is_not_a_blog_post_leaves_the_duty_open(demo, stores):
    from storeops.storefront.services import page_create
    from tests.storefront_helpers import publish_page

    store = stores["pdd-main"]
    week = occurrence_current(Obligation.objects.get(kind=BLOG_OBLIGATION_KIND, store=store))
    page = page_create(actor=demo["qihua"], store=store, kind="store_page", name="会员专区")
    publish_page(page, writer=demo["qihua"], approver=demo["jingli"])

    week.refresh_from_db()
    assert week.status != OccurrenceStatus.DONE
