"""Publishing a listing draft writes the approved title and price to the catalog listing (R5.1),
and the publication's package downloads as the platform's upload sheet (xlsx and CSV)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.catalog.models import Listing
from storeops.content.models import ReleaseDraft
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    draft_update,
)
from storeops.core.errors import Conflict, Invalid
from tests.content_helpers import scanner  # noqa: F401

DRAFTS = "/api/v1/content/drafts"
pytestmark = pytest.mark.usefixtures("scanner")


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


@pytest.fixture
def listing(stores):
    return stores["tb-main"].listings.order_by("id").first()


def approved(qihua, jingli, draft):
    draft_submit(actor=qihua, draft=draft)
    return draft_approve(actor=jingli, draft=draft, comment="同意")


def test_publish_writes_approved_title_and_price_to_the_listing(qihua, jingli, listing):
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title="格润莱特保温杯 双层真空 500ml",
        body="新款上市",
        priority="important",
        price="88.50",
    )
    approved(qihua, jingli, draft)

    publication = draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    listing.refresh_from_db()
    assert listing.title == "格润莱特保温杯 双层真空 500ml"
    assert listing.price == Decimal("88.50")
    assert publication.package["price"] == "88.50"
    event = AuditEvent.objects.get(action="catalog.listing.update", object_id=str(listing.pk))
    assert event.after["price"] == "88.50"
    assert event.actor_id == qihua.pk
    publish = AuditEvent.objects.get(action="content.draft.publish", object_id=str(draft.pk))
    assert publish.after["listing_written"]["changed"] is True


def test_without_a_new_price_the_listing_keeps_its_price(qihua, jingli, listing):
    old_price = listing.price
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title="只改标题的稿件",
        body="正文",
        priority="general",
    )
    approved(qihua, jingli, draft)
    draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    listing.refresh_from_db()
    assert listing.title == "只改标题的稿件"
    assert listing.price == old_price


def test_a_price_changed_after_approval_needs_a_new_approval(qihua, jingli, listing):
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title="改价稿件",
        body="正文",
        priority="general",
        price="99.00",
    )
    approved(qihua, jingli, draft)
    old_price = Listing.objects.get(pk=listing.pk).price

    draft = draft_update(actor=qihua, draft=draft, price="9.90")

    assert draft.status == "draft"
    assert draft.current_revision.number == 2
    with pytest.raises(Conflict):
        draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))
    assert Listing.objects.get(pk=listing.pk).price == old_price


def test_price_only_on_listing_drafts_and_title_fits_the_listing(qihua, listing, stores):
    with pytest.raises(Invalid) as not_listing:
        draft_create(
            actor=qihua,
            store=stores["tb-main"],
            kind="blog",
            title="博客",
            body="",
            priority="general",
            price="10",
        )
    with pytest.raises(Invalid) as too_long:
        draft_create(
            actor=qihua,
            store=listing.store,
            kind="listing",
            target=listing.pk,
            title="长" * 121,
            body="",
            priority="general",
        )
    assert not_listing.value.code == "draft.price_not_listing"
    assert too_long.value.code == "draft.title_too_long"


def test_api_takes_and_returns_the_price(api_as, qihua, listing):
    client = api_as(qihua)
    created = client.post(
        DRAFTS,
        {
            "store": "tb-main",
            "kind": "listing",
            "title": "接口改价",
            "body": "正文",
            "priority": "general",
            "target": listing.pk,
            "price": "66.60",
        },
    )
    negative = client.post(
        DRAFTS,
        {"store": "tb-main", "kind": "listing", "title": "负价", "target": listing.pk, "price": -1},
    )

    assert created.status_code == 201
    assert created.json()["price"] == "66.60"
    assert negative.status_code == 422
    fetched = client.get(f"{DRAFTS}/{created.json()['id']}").json()
    assert fetched["price"] == "66.60"


def test_package_downloads_as_csv_with_bom_and_neutralised_cells(
    web_as, demo, qihua, jingli, listing
):
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title="=HYPERLINK 标题",
        body="正文",
        priority="general",
        price="12.30",
    )
    approved(qihua, jingli, draft)
    publication = draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))

    response = web_as(qihua).get(f"/content/publications/{publication.pk}/export/?format=csv")

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["宝贝标题", "一口价", "商家编码"]
    assert rows[1][0] == "'=HYPERLINK 标题"
    assert rows[1][1] == "12.30"
    assert (
        web_as(demo["kefu"]).get(f"/content/publications/{publication.pk}/export/").status_code
        == 403
    )
