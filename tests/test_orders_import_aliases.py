"""The editable alias profile per platform (issue 5): 运营 answers a renamed export column on a page
(or through the API), the next import reads it; switched off or deleted, it is not read; every
change is audited; built-in headers cannot be taken for another field."""

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import ImportAlias, Order
from storeops.orders.services import aliases
from storeops.orders.services.imports import order_import_files

RENAMED = (
    "平台订单号,下单时间,订单状态,商家编码,件数,单价\n"
    "ALIAS-{n},2026-11-26 10:00:00,待审核,GLT-CUP-500-BK,2,79.00\n"
)


def _import(actor, store, n):
    upload = [ImportFile.from_bytes("renamed.csv", RENAMED.format(n=n).encode())]
    return order_import_files(actor=actor, store=store, files=upload)


def _patch(client, path, payload):
    return client.client.patch(path, payload, content_type="application/json", **client.headers)


def _delete(client, path):
    return client.client.delete(path, **client.headers)


def test_an_alias_added_on_the_page_is_read_by_the_next_import(yunying, kefu, stores, web_as):
    store = stores["mall"]
    with pytest.raises(Invalid):
        _import(kefu, store, 1)  # 件数 is no header we know: the format is not recognised

    page = web_as(yunying).post(
        "/orders/import/aliases/", {"format": "generic", "alias": "件数", "field": "quantity"}
    )

    assert page.status_code == 302
    assert page["Location"].endswith("?format=generic")
    row = ImportAlias.objects.get(format="generic", alias="件数")
    assert (row.field, row.is_active) == ("quantity", True)
    event = AuditEvent.objects.get(action="orders.import_alias.create", object_id=str(row.pk))
    assert event.actor_id == yunying.pk
    assert event.after == {
        "format": "generic",
        "alias": "件数",
        "field": "quantity",
        "active": True,
    }
    assert _import(kefu, store, 2).created == 1
    line = Order.objects.get(store=store, platform_order_no="ALIAS-2").lines.get()
    assert line.quantity == 2


def test_switched_off_or_deleted_the_alias_is_no_longer_read(yunying, kefu, stores, web_as):
    store = stores["mall"]
    row = aliases.import_alias_create(
        actor=yunying, format="generic", alias="件数", field="quantity"
    )
    client = web_as(yunying)

    client.post(f"/orders/import/aliases/{row.pk}/toggle/", {"active": "0"})

    row.refresh_from_db()
    assert row.is_active is False
    with pytest.raises(Invalid):
        _import(kefu, store, 3)
    updated = AuditEvent.objects.get(action="orders.import_alias.update", object_id=str(row.pk))
    assert (updated.before["active"], updated.after["active"]) == (True, False)

    client.post(f"/orders/import/aliases/{row.pk}/toggle/", {"active": "1"})
    assert _import(kefu, store, 4).created == 1

    response = client.post(f"/orders/import/aliases/{row.pk}/delete/?format=generic")
    assert response.status_code == 302
    assert not ImportAlias.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(
        action="orders.import_alias.delete", object_id=str(row.pk)
    ).exists()
    with pytest.raises(Invalid):
        _import(kefu, store, 5)


def test_the_page_lists_built_in_headers_and_custom_aliases(yunying, web_as):
    aliases.import_alias_create(
        actor=yunying, format="taobao", alias="买家会员名称", field="buyer_id"
    )

    page = web_as(yunying).get("/orders/import/aliases/?format=taobao")

    text = page.content.decode()
    assert page.status_code == 200
    assert "买家会员名" in text  # a built-in Taobao header
    assert "买家会员名称" in text  # ours
    assert 'data-confirm="' in text  # deleting asks first


@pytest.mark.parametrize(
    ("alias", "field", "code"),
    [
        ("数量", "unit_price", "orders.import_alias.builtin"),  # the template's own 数量 column
        ("  ", "quantity", "text.invalid"),
        ("件数", "no_such_field", "orders.import_alias.field"),
    ],
)
def test_bad_aliases_are_refused_and_nothing_is_written(yunying, alias, field, code):
    before = ImportAlias.objects.count()
    with pytest.raises((Invalid, Conflict)) as caught:
        aliases.import_alias_create(actor=yunying, format="generic", alias=alias, field=field)
    assert caught.value.code in (code, "alias.required")
    assert ImportAlias.objects.count() == before


def test_the_same_header_after_normalising_is_refused(yunying):
    aliases.import_alias_create(actor=yunying, format="jd", alias="件数", field="quantity")
    with pytest.raises(Conflict) as caught:
        aliases.import_alias_create(actor=yunying, format="jd", alias="件数 *", field="title")
    assert caught.value.code == "orders.import_alias.exists"
    # another platform may use the same text
    aliases.import_alias_create(actor=yunying, format="pdd", alias="件数", field="quantity")


def test_kefu_may_not_edit_aliases(kefu, web_as):
    with pytest.raises(Forbidden):
        aliases.import_alias_create(actor=kefu, format="generic", alias="件数", field="quantity")
    assert web_as(kefu).get("/orders/import/aliases/").status_code == 403
    assert 'data-testid="alias-link"' not in web_as(kefu).get("/orders/import/").content.decode()


def test_api_lists_adds_changes_and_deletes(yunying, kefu, api_as):
    client = api_as(yunying)

    created = client.post(
        "/api/v1/orders/import-aliases",
        {"format": "douyin", "alias": "收件人手机", "field": "receiver_mobile"},
    )
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("format", "alias", "field", "is_active")} == {
        "format": "douyin",
        "alias": "收件人手机",
        "field": "receiver_mobile",
        "is_active": True,
    }
    profile = client.get("/api/v1/orders/import-aliases", format="douyin").json()
    mobile = next(f for f in profile["fields"] if f["field"] == "receiver_mobile")
    assert [c["alias"] for c in mobile["custom"]] == ["收件人手机"]
    assert "order_no" in {f["field"] for f in profile["fields"]}

    changed = _patch(client, f"/api/v1/orders/import-aliases/{body['id']}", {"is_active": False})
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False

    taken = client.post(
        "/api/v1/orders/import-aliases",
        {"format": "douyin", "alias": "收件人手机 ", "field": "title"},
    )
    assert taken.status_code == 409

    assert _delete(client, f"/api/v1/orders/import-aliases/{body['id']}").status_code == 204
    assert _delete(client, f"/api/v1/orders/import-aliases/{body['id']}").status_code == 404
    assert api_as(kefu).get("/api/v1/orders/import-aliases", format="douyin").status_code == 403
    assert client.get("/api/v1/orders/import-aliases", format="nope").status_code == 404
