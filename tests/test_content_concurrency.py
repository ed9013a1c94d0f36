"""Concurrency claims of the content app, with real threads on PostgreSQL: two planners publishing
the same approved draft at once give one publication and one refusal (the draft row is locked);
two drafts of the same page published at once leave exactly one live publication."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(10)
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


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


def approved_draft(people, title, target=987654):
    from storeops.content.services import draft_approve, draft_create, draft_submit

    draft = draft_create(
        actor=people["qihua"],
        store=people["shop"],
        kind="store_page",
        title=title,
        body="夏季专题页",
        priority="general",
        target=target,
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

    assert Publication.objects.filter(target=987654, is_live=True).count() == 1
    from storeops.core.errors import Conflict

    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) for r in refused), results
