"""Concurrency claims of the content app, with real threads on PostgreSQL: two planners publishing
the same approved draft at once give one publication and one refusal (the draft row is locked);
two drafts of the same page published at once leave exactly one live publication; two flags on
one page at once open one correction draft; two freshness checks create one duty per store."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(demo, stores):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")
    from storeops.accounts.models import Role
    from storeops.accounts.services import user_create
    from storeops.core.roles import RoleCode

    second = user_create(
        actor=None,
        username="qihua2",
        password=None,
        roles=[Role.objects.get(code=RoleCode.PLANNING)],
        stores=[stores["tb-main"]],
    )
    return {
        "shop": stores["tb-main"],
        "qihua": demo["qihua"],
        "qihua2": second,
        "jingli": demo["jingli"],
    }


def page(people):
    """A listing's detail page (store pages are checked against the storefront's own rows)."""
    return people["shop"].listings.order_by("id").last()


def approved_draft(people, title):
    from storeops.content.services import draft_approve, draft_create, draft_submit

    draft = draft_create(
        actor=people["qihua"],
        store=people["shop"],
        kind="listing",
        title=title,
        body="夏季专题页",
        priority="general",
        target=page(people).pk,
    )
    draft_submit(actor=people["qihua"], draft=draft)
    return draft_approve(actor=people["jingli"], draft=draft, comment="")


def test_two_planners_publishing_the_same_draft_give_one_publication(people):
    from storeops.content.models import Publication
    from storeops.content.services import draft_publish
    from storeops.core.errors import Conflict

    draft = approved_draft(people, "夏季专题")

    results = race(
        lambda: draft_publish(actor=people["qihua"], draft=draft),
        lambda: draft_publish(actor=people["qihua2"], draft=draft),
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1
    assert isinstance(refused[0], Conflict)
    assert Publication.objects.filter(draft=draft).count() == 1


def test_two_versions_of_one_page_published_at_once_leave_one_live(people):
    from storeops.content.models import Publication
    from storeops.content.services import draft_publish

    first = approved_draft(people, "专题 A")
    second = approved_draft(people, "专题 B")

    results = race(
        lambda: draft_publish(actor=people["qihua"], draft=first),
        lambda: draft_publish(actor=people["qihua2"], draft=second),
    )

    assert (
        Publication.objects.filter(kind="listing", target=page(people).pk, is_live=True).count()
        == 1
    )
    from storeops.core.errors import Conflict

    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) for r in refused), results


def test_two_flags_at_once_open_one_correction_draft(people, demo):
    from storeops.content.models import PublicationFlag, ReleaseDraft
    from storeops.content.services import draft_publish, publication_flag

    publication = draft_publish(actor=people["qihua"], draft=approved_draft(people, "标记专题"))

    results = race(
        lambda: publication_flag(actor=demo["yunying"], publication=publication, reason="容量错"),
        lambda: publication_flag(actor=demo["jingli"], publication=publication, reason="颜色错"),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    flags = PublicationFlag.objects.filter(publication=publication)
    assert flags.count() == 2
    assert len({f.correction_draft_id for f in flags}) == 1
    assert ReleaseDraft.objects.filter(flags__publication=publication).distinct().count() == 1


def test_two_freshness_checks_at_once_create_one_duty_per_store(people):
    from storeops.accounts.services import store_create
    from storeops.content.selectors import FRESHNESS_KIND
    from storeops.content.services import freshness_obligations_ensure
    from storeops.governance.models import Obligation

    store = store_create(
        actor=None, code="race-shop", platform="own_mall", name="并发新店", is_main_store=False
    )
    people["qihua2"].stores.add(store)

    results = race(freshness_obligations_ensure, freshness_obligations_ensure)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Obligation.objects.filter(kind=FRESHNESS_KIND, store=store).count() == 1
