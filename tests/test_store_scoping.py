"""Store scope: a user sees only the stores they work in; another store's data does not exist."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from openpyxl import load_workbook

from storeops.audit.services import audit_record
from storeops.core.errors import Forbidden, NotFound
from storeops.core.permissions import has_perm, require

ALL_CODES = ["dy-main", "jd-main", "mall", "pdd-main", "tb-main", "tm-flagship"]


@pytest.fixture
def store_events(stores, admin):
    """One event in tb-main, one in jd-main, one in no store."""
    with transaction.atomic():
        return {
            "tb": audit_record(
                actor=admin,
                action="accounts.store.note",
                object_type="accounts.store",
                object_id=stores["tb-main"].pk,
                object_repr="淘宝店备注",
                store=stores["tb-main"],
                after={"note": "tb"},
            ),
            "jd": audit_record(
                actor=admin,
                action="accounts.store.remark",
                object_type="accounts.store",
                object_id=stores["jd-main"].pk,
                object_repr="京东店备注",
                store=stores["jd-main"],
                after={"note": "jd"},
            ),
            "none": audit_record(
                actor=admin,
                action="accounts.company.note",
                object_type="accounts.company",
                object_id="1",
                object_repr="公司备注",
                after={"note": "company"},
            ),
        }


def test_kefu_jd_lists_only_jd_main(kefu_jd, stores, api_as):
    # given 京东客服, who works in jd-main only; when they list their stores
    response = api_as(kefu_jd).get("/api/v1/stores")
    # then jd-main is the one store
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["items"] == [
        {
            "id": stores["jd-main"].pk,
            "code": "jd-main",
            "platform": "jd",
            "platform_label": "京东",
            "name": "格润莱特京东自营店",
            "is_main_store": False,
        }
    ]


def test_kefu_who_works_everywhere_lists_all_six(kefu, api_as):
    body = api_as(kefu).get("/api/v1/stores").json()
    assert [s["code"] for s in body["items"]] == ALL_CODES
    assert body["count"] == 6


def test_me_shows_only_jd_main(kefu_jd, api_as):
    body = api_as(kefu_jd).get("/api/v1/me").json()
    assert [s["code"] for s in body["stores"]] == ["jd-main"]


def test_workbench_shows_only_jd_main(kefu_jd, web_as):
    page = web_as(kefu_jd).get("/workbench/").content.decode()
    shown = [code for code in ALL_CODES if f"<code>{code}</code>" in page]
    assert shown == ["jd-main"]


def test_workbench_of_kefu_shows_all_stores(kefu, web_as):
    page = web_as(kefu).get("/workbench/").content.decode()
    assert [code for code in ALL_CODES if f"<code>{code}</code>" in page] == ALL_CODES


def test_audit_api_hides_events_of_another_store(shenji_jd, shenji, store_events, api_as):
    # given events in tb-main, jd-main and no store, and an auditor of jd-main only
    tb, jd, none = store_events["tb"], store_events["jd"], store_events["none"]
    # when they list the audit log
    body = api_as(shenji_jd).get("/api/v1/audit/events", limit=200).json()
    ids = [e["id"] for e in body["items"]]
    # then the tb-main event is not there; jd-main's and the store-less one are
    assert tb.pk not in ids
    assert jd.pk in ids
    assert none.pk in ids
    assert {e["store_id"] for e in body["items"]} == {None, jd.store_id}
    # and among the admin's events exactly two remain, while an auditor of every store sees three
    # (the seeded demo has admin events of its own: look at this test's three)
    ours = {tb.pk, jd.pk, none.pk}
    mine = api_as(shenji_jd).get("/api/v1/audit/events", actor="admin").json()["items"]
    assert [e["id"] for e in mine if e["id"] in ours] == [none.pk, jd.pk]
    every = api_as(shenji).get("/api/v1/audit/events", actor="admin").json()["items"]
    assert [e["id"] for e in every if e["id"] in ours] == [none.pk, jd.pk, tb.pk]


def test_audit_filter_cannot_probe_another_stores_event(shenji_jd, store_events, api_as):
    tb = store_events["tb"]
    body = (
        api_as(shenji_jd)
        .get("/api/v1/audit/events", object_type="accounts.store", object_id=tb.object_id)
        .json()
    )
    assert body == {"items": [], "next": None}


def test_audit_page_hides_events_of_another_store(shenji_jd, store_events, web_as):
    page = web_as(shenji_jd).get("/audit/events/").content.decode()
    assert 'data-action="accounts.store.note"' not in page
    assert "淘宝店备注" not in page
    assert 'data-action="accounts.store.remark"' in page
    assert 'data-action="accounts.company.note"' in page


def test_audit_export_hides_events_of_another_store(shenji_jd, store_events, web_as):
    response = web_as(shenji_jd).get("/audit/events/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert store_events["tb"].pk not in ids
    assert store_events["jd"].pk in ids
    assert store_events["none"].pk in ids


def test_require_in_another_store_is_not_found(kefu_jd, stores):
    # given 京东客服, who may enter orders but works in jd-main only
    assert has_perm(kefu_jd, "web.module_orders", store=stores["jd-main"]) is True
    assert has_perm(kefu_jd, "web.module_orders", store=stores["tb-main"]) is False
    # when a service checks them in tb-main, then the store does not exist for them (404)
    with pytest.raises(NotFound) as refused:
        require(kefu_jd, "web.module_orders", store=stores["tb-main"])
    assert refused.value.status == 404
    assert refused.value.code == "not_found"
    assert not isinstance(refused.value, Forbidden)


def test_require_in_another_store_is_not_found_even_without_the_permission(kefu_jd, stores):
    # a missing permission must not reveal that the other store exists
    with pytest.raises(NotFound):
        require(kefu_jd, "audit.view_event", store=stores["tb-main"])
    with pytest.raises(Forbidden) as refused:
        require(kefu_jd, "audit.view_event", store=stores["jd-main"])
    assert refused.value.status == 403


def test_require_in_own_store_passes(kefu_jd, stores):
    assert require(kefu_jd, "web.module_orders", store=stores["jd-main"]) is None
