"""Concurrency claims of the storefront app, with real threads on PostgreSQL: two managers approving
the same proposal at once give one approval and one execution task (the proposal row is locked);
two variants of one promotion zone swapped in at once leave exactly one live."""

from __future__ import annotations

import datetime as dt

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

    def second(username, role):
        return user_create(
            actor=None,
            username=username,
            password=None,
            roles=[Role.objects.get(code=role)],
            stores=[stores["tb-main"]],
        )

    return {
        **demo,
        "shop": stores["tb-main"],
        "jingli2": second("jingli2", RoleCode.MANAGER),
        "qihua2": second("qihua2", RoleCode.PLANNING),
    }


def test_two_managers_approving_at_once_give_one_task(people):
    from storeops.core import clock
    from storeops.core.errors import DomainError
    from storeops.governance.models import Obligation
    from storeops.storefront import services
    from tests.storefront_helpers import png_bytes

    page = services.page_create(
        actor=people["qihua"], store=people["shop"], kind="store_page", name="并发审批页"
    )
    proposal = services.proposal_create(
        actor=people["kefu"], page=page, title="并发方案", description="两位经理同时批准"
    )
    services.proposal_image_add(
        actor=people["kefu"], proposal=proposal, kind="mockup", content=png_bytes()
    )
    services.proposal_submit(actor=people["kefu"], proposal=proposal)
    due = clock.business_date() + dt.timedelta(days=7)

    results = race(
        *(
            lambda manager=manager: services.proposal_approve(
                actor=people[manager], proposal=proposal, owner=people["qihua"], due_date=due
            )
            for manager in ("jingli", "jingli2")
        )
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], DomainError)
    assert (
        Obligation.objects.filter(kind="storefront.redesign", store=people["shop"])
        .filter(title__contains="并发方案")
        .count()
        == 1
    )


def test_two_variants_swapped_in_at_once_leave_one_live(people):
    from storeops.content.models import Publication
    from storeops.content.services import draft_approve, draft_submit
    from storeops.core.errors import Conflict
    from storeops.storefront import selectors, services

    zone = services.page_create(
        actor=people["qihua"], store=people["shop"], kind="promotion_zone", name="并发促销区"
    )
    variants = []
    for name in ("甲方案", "乙方案"):
        variant = services.variant_create(
            actor=people["qihua"], zone=zone, name=name, title=name, body=f"{name}内容"
        )
        draft = selectors.variant_latest_draft(variant)
        draft_submit(actor=people["qihua"], draft=draft)
        draft = draft_approve(actor=people["yunying"], draft=draft, comment="")
        draft_approve(actor=people["jingli"], draft=draft, comment="")
        variants.append(variant)

    results = race(
        lambda: services.variant_activate(actor=people["qihua"], variant=variants[0]),
        lambda: services.variant_activate(actor=people["qihua2"], variant=variants[1]),
    )

    assert (
        Publication.objects.filter(kind="promotion_zone", target=zone.pk, is_live=True).count() == 1
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) for r in refused), results
    live = [v for v in selectors.zone_variants(zone) if v.state == "live"]
    assert len(live) == 1
