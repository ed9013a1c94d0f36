"""Freshness (R3.3): every listing on sale is refreshed every `copy_refresh_days` (15): duties per
store for 企划, the 待更新商品 board oldest first, an alert per overdue listing, resolved by a new
publication of that listing or a new photo. All on a frozen clock."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from storeops.accounts.models import Role
from storeops.accounts.services import store_create, user_create
from storeops.catalog import services as catalog
from storeops.catalog.enums import ListingStatus
from storeops.content.models import ReleaseDraft
from storeops.content.selectors import FRESHNESS_KIND, freshness_board
from storeops.content.services import (
    draft_approve,
    draft_create,
    draft_publish,
    draft_submit,
    freshness_check,
    freshness_obligations_ensure,
)
from storeops.core import clock
from storeops.core.roles import RoleCode
from storeops.governance.models import Obligation
from storeops.governance.services import policy_set
from storeops.notifications.models import Alert
from tests.catalog_helpers import fill_description, make_product, png
from tests.conftest import PASSWORD
from tests.content_helpers import scanner  # noqa: F401

pytestmark = pytest.mark.usefixtures("scanner")


@pytest.fixture
def qihua(demo):
    return demo["qihua"]


@pytest.fixture
def start():
    return clock.now().replace(microsecond=0) + dt.timedelta(hours=1)


def on_sale(yunying, qihua, store, name, code):
    product, _sku = make_product(yunying, name=name, code=code)
    fill_description(qihua, product)
    listing = catalog.listing_create(actor=yunying, store=store, product=product, price="59.00")
    return catalog.listing_set_status(actor=yunying, listing=listing, status=ListingStatus.ON_SALE)


def publish_listing(qihua, jingli, listing, body):
    draft = draft_create(
        actor=qihua,
        store=listing.store,
        kind="listing",
        target=listing.pk,
        title=listing.title,
        body=body,
        priority="general",
    )
    draft_submit(actor=qihua, draft=draft)
    draft_approve(actor=jingli, draft=draft, comment="")
    return draft_publish(actor=qihua, draft=ReleaseDraft.objects.get(pk=draft.pk))


@pytest.fixture
def four(yunying, qihua, jingli, stores, start):
    """C never published; A published on day 1; B on day 6; D photographed on day 10."""
    tb = stores["tb-main"]
    with time_machine.travel(start, tick=False):
        listings = {
            key: on_sale(yunying, qihua, tb, f"保鲜测试{key}", f"T-FRESH-{key}") for key in "ABCD"
        }
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        publish_listing(qihua, jingli, listings["A"], "第一版文案")
    with time_machine.travel(start + dt.timedelta(days=6), tick=False):
        publish_listing(qihua, jingli, listings["B"], "第一版文案")
    with time_machine.travel(start + dt.timedelta(days=10), tick=False):
        catalog.image_upload(actor=qihua, product=listings["D"].product, kind="main", content=png())
    return listings


def stale_alerts(listing):
    return Alert.objects.filter(dedupe_key=f"content.listing_stale:{listing.pk}")


def test_board_sorts_oldest_refresh_first_and_marks_overdue(qihua, four, stores, start):
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        rows = freshness_board(actor=qihua, store=stores["tb-main"])

    mine = [r for r in rows if r.pk in {listing.pk for listing in four.values()}]
    assert [r.product.name for r in mine] == ["保鲜测试C", "保鲜测试A", "保鲜测试B", "保鲜测试D"]
    by_name = {r.product.name: r for r in mine}
    assert (by_name["保鲜测试C"].age_days, by_name["保鲜测试C"].is_overdue) == (20, True)
    assert (by_name["保鲜测试A"].age_days, by_name["保鲜测试A"].overdue_days) == (19, 4)
    assert (by_name["保鲜测试B"].age_days, by_name["保鲜测试B"].is_overdue) == (14, False)
    assert (by_name["保鲜测试D"].age_days, by_name["保鲜测试D"].days_left) == (10, 5)
    assert by_name["保鲜测试A"].last_publication_id is not None
    assert by_name["保鲜测试C"].last_publication_id is None
    ages = [r.age_days for r in rows]
    assert ages == sorted(ages, reverse=True)  # overdue first, across the whole board


def test_check_alerts_each_overdue_listing_once_to_the_stores_planners(qihua, four, start):
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        first = freshness_check()
        again = freshness_check()

    assert stale_alerts(four["C"]).count() == 1
    assert stale_alerts(four["A"]).count() == 1
    assert not stale_alerts(four["B"]).exists()
    assert not stale_alerts(four["D"]).exists()
    alert = stale_alerts(four["A"]).get()
    assert alert.resolved_at is None
    assert alert.store_id == four["A"].store_id
    assert qihua.notifications.filter(alert=alert).exists()
    assert first["raised"] >= 2
    assert again["raised"] == 0


def test_a_new_publication_or_photo_resolves_the_alert(qihua, jingli, four, start):
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        freshness_check()
        publish_listing(qihua, jingli, four["A"], "半月更新后的文案")
        catalog.image_upload(actor=qihua, product=four["C"].product, kind="main", content=png())
        assert stale_alerts(four["A"]).get().resolved_at is not None  # at once, on publish
        assert stale_alerts(four["C"]).get().resolved_at is None
        result = freshness_check()

    assert stale_alerts(four["C"]).get().resolved_at is not None
    assert result["resolved"] >= 1


def test_off_shelf_listings_are_not_on_the_board_nor_alerted(yunying, qihua, four, start):
    catalog.listing_set_status(actor=yunying, listing=four["C"], status=ListingStatus.OFF_SHELF)
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        freshness_check()
        rows = freshness_board(actor=qihua)

    assert four["C"].pk not in [r.pk for r in rows]
    assert not stale_alerts(four["C"]).exists()


def test_one_obligation_per_store_from_the_policy_idempotent(demo, stores):
    policy_set(actor=demo["admin"], key="copy_refresh_days", value=10)
    store = store_create(
        actor=None, code="xhs-test", platform="own_mall", name="测试新店", is_main_store=False
    )
    planner = user_create(
        actor=None,
        username="qihua_new",
        password=PASSWORD,
        first_name="新店企划",
        roles=[Role.objects.get(code=RoleCode.PLANNING)],
        stores=[store],
    )
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        created = freshness_obligations_ensure()
        again = freshness_obligations_ensure()

    obligation = Obligation.objects.get(kind=FRESHNESS_KIND, store=store)
    assert created >= 1
    assert again == 0
    assert obligation.owner == planner
    assert obligation.schedule == "every 10 days from 2026-12-01 09:00"
    assert obligation.due_hours == 240
    assert obligation.policy_id == "R3.3"
    for code in ("tb-main", "jd-main"):  # every store with a 企划 has exactly one
        assert Obligation.objects.filter(kind=FRESHNESS_KIND, store=stores[code]).count() == 1


def test_board_page_and_export_permission_matrix(web_as, demo, four, start):
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        for name in ("qihua", "yunying", "jingli", "shenji"):
            assert web_as(demo[name]).get("/content/freshness/").status_code == 200, name
        for name in ("kefu", "cangku", "caiwu"):
            assert web_as(demo[name]).get("/content/freshness/").status_code == 403, name
        page = web_as(demo["qihua"]).get(
            "/content/freshness/", {"store": "tb-main", "overdue": "1"}
        )
        export = web_as(demo["qihua"]).get("/content/freshness/export/", {"store": "tb-main"})

    html = page.content.decode()
    assert f'data-listing="{four["C"].pk}" class="table-danger" data-overdue="1"' in html
    assert f'data-listing="{four["B"].pk}"' not in html  # only overdue ones
    assert f"target={four['C'].pk}" in html  # 写更新稿 link
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][0] == "店铺"
    names = [r[1] for r in rows[1:]]
    assert names.index("保鲜测试C") < names.index("保鲜测试A") < names.index("保鲜测试D")
    assert web_as(demo["qihua"]).get("/content/freshness/").status_code == 200


def test_write_an_update_draft_from_the_board(web_as, qihua, four):
    listing = four["C"]

    form = web_as(qihua).get(
        "/content/drafts/new/", {"store": "tb-main", "target": listing.pk, "title": listing.title}
    )

    html = form.content.decode()
    assert f'name="target" value="{listing.pk}"' in html
    assert f'value="{listing.title}"' in html
    assert '<option value="listing" selected>' in html
