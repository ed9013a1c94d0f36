"""The order list and search (pages and API): filters, keyset pages, the capped count, store
scoping, masking per role, the Excel export; the order page and its handling forms."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from storeops.core import clock
from storeops.orders import selectors_list as sel
from storeops.orders.models import Order
from tests.orders_handling_helpers import demo_sku, make_order


@pytest.fixture
def sample(stores):
    """Orders of our own in two stores, with a tag no seeded order has (buyer 'list-test')."""
    # noon, business time, two days ago: the four orders' minutes never straddle a midnight
    base = clock.start_of_business_day(clock.business_date() - dt.timedelta(days=2))
    base += dt.timedelta(hours=12)
    tb, jd = stores["tb-main"], stores["jd-main"]
    return {
        "a": make_order(tb, buyer="list-test", phone="13800001234", created_at=base),
        "b": make_order(
            tb,
            buyer="list-test",
            phone="13900005678",
            status="exception",
            exception_reason="unmatched_sku",
            created_at=base + dt.timedelta(minutes=1),
            flag="red",
        ),
        "c": make_order(
            jd, buyer="list-test", phone="13700001234", created_at=base + dt.timedelta(minutes=2)
        ),
        "evil": make_order(
            tb,
            buyer="list-test",
            number="3100000000000000012",
            created_at=base + dt.timedelta(minutes=3),
            seller_remark='=HYPERLINK("http://x")',
            message="@SUM(A1)",
        ),
    }


def _items(response):
    assert response.status_code == 200, response.content
    return [row["platform_order_no"] for row in response.json()["items"]]


def test_filters_by_buyer_phone_status_flag_and_store(api_as, kefu, sample):
    client = api_as(kefu)
    everything = _items(client.get("/api/v1/orders", buyer="list-test"))
    assert everything == [
        sample[k].platform_order_no for k in ("evil", "c", "b", "a")
    ]  # newest order time first
    assert _items(client.get("/api/v1/orders", buyer="list-test", phone_last4="1234")) == [
        sample["c"].platform_order_no,
        sample["a"].platform_order_no,
    ]
    assert _items(client.get("/api/v1/orders", buyer="list-test", status="exception")) == [
        sample["b"].platform_order_no
    ]
    assert _items(client.get("/api/v1/orders", buyer="list-test", flag="red")) == [
        sample["b"].platform_order_no
    ]
    assert _items(client.get("/api/v1/orders", buyer="list-test", store="jd-main")) == [
        sample["c"].platform_order_no
    ]
    found = client.get("/api/v1/orders", order_no=sample["evil"].platform_order_no)
    assert _items(found) == ["3100000000000000012"]
    assert found.json()["count"] == 1


def test_filters_by_sku_and_date(api_as, kefu, stores, sample):
    sku = demo_sku()
    client = api_as(kefu)
    by_sku = _items(client.get("/api/v1/orders", buyer="list-test", sku=sku.merchant_code))
    assert len(by_sku) == 4
    assert _items(client.get("/api/v1/orders", buyer="list-test", sku="NO-SUCH")) == []
    day = clock.business_date(sample["a"].created_at)
    later = (day + dt.timedelta(days=1)).isoformat()
    assert _items(client.get("/api/v1/orders", buyer="list-test", date_from=later)) == []
    assert (
        len(_items(client.get("/api/v1/orders", buyer="list-test", date_to=day.isoformat()))) == 4
    )


def test_keyset_pages_walk_every_order_once(api_as, kefu, sample):
    client = api_as(kefu)
    seen = []
    cursor = None
    while True:
        params = {"buyer": "list-test", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/orders", **params).json()
        seen += [row["platform_order_no"] for row in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert seen == [sample[k].platform_order_no for k in ("evil", "c", "b", "a")]
    assert client.get("/api/v1/orders", cursor="garbage").status_code == 422


def test_count_stops_at_the_cap(kefu, sample, monkeypatch):
    monkeypatch.setattr(sel, "COUNT_CAP", 2)
    page = sel.order_page(actor=kefu, filters=sel.OrderFilters(buyer="list-test"))
    assert (page.count, page.count_capped, page.count_label) == (2, True, "2+")


def test_store_scoping_on_list_detail_and_export(api_as, web_as, kefu_jd, sample, demo):
    client = api_as(kefu_jd)
    assert _items(client.get("/api/v1/orders", buyer="list-test")) == [
        sample["c"].platform_order_no
    ]
    assert client.get("/api/v1/orders", store="tb-main").status_code == 404
    assert client.get(f"/api/v1/orders/{sample['a'].pk}").status_code == 404
    rows = list(
        sel.order_export_rows(actor=demo["jingli"], filters=sel.OrderFilters(buyer="list-test"))
    )
    assert len(rows) == 4
    page = web_as(kefu_jd).get("/orders/", {"buyer": "list-test"})
    assert sample["c"].platform_order_no in page.content.decode()
    assert sample["a"].platform_order_no not in page.content.decode()


def test_personal_data_masked_except_for_kefu_and_warehouse(api_as, demo, sample):
    order_id = sample["a"].pk
    clear = api_as(demo["kefu"]).get(f"/api/v1/orders/{order_id}").json()["receiver"]
    assert (clear["name"], clear["phone"]) == ("张三丰", "13800001234")
    warehouse = api_as(demo["cangku"]).get(f"/api/v1/orders/{order_id}").json()["receiver"]
    assert warehouse["phone"] == "13800001234"
    for role in ("yunying", "caiwu", "jingli"):
        masked = api_as(demo[role]).get(f"/api/v1/orders/{order_id}").json()["receiver"]
        assert (masked["name"], masked["phone"], masked["street"]) == (
            "张**",
            "138****1234",
            "****",
        )
        assert masked["city"] == "杭州市"


def test_export_neutralises_formulas_and_keeps_ids_as_text(web_as, jingli, sample):
    response = web_as(jingli).get("/orders/export/", {"buyer": "list-test"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    by_no = {r[0].value: r for r in rows[1:]}
    evil = by_no["3100000000000000012"]
    assert evil[0].data_type == "s"  # the 19-digit id stays text, never a number
    assert evil[header.index("卖家备注")].value == '\'=HYPERLINK("http://x")'
    assert evil[header.index("买家留言")].value == "'@SUM(A1)"
    assert evil[header.index("收货电话")].value == "138****5678"
    assert "*" in evil[header.index("收货人")].value  # 经理 has no VIEW_PERSONAL_DATA
    assert evil[header.index("实付金额")].value == 100


def test_export_needs_the_permission(web_as, kefu):
    assert web_as(kefu).get("/orders/export/").status_code == 403


def test_pages_render_for_each_role(web_as, demo, sample):
    order = sample["b"]
    for name in ("kefu", "cangku", "yunying", "caiwu", "jingli"):
        client = web_as(demo[name])
        assert client.get("/orders/", {"status": "exception"}).status_code == 200
        detail = client.get(f"/orders/{order.pk}/")
        assert detail.status_code == 200
        assert "¥100.00" in detail.content.decode()
    assert web_as(demo["yunying"]).get("/orders/review-rules/").status_code == 200
    assert web_as(demo["kefu"]).get("/orders/reviews/").status_code == 200
    assert web_as(demo["kefu"]).get("/orders/new/").status_code == 200


def test_batch_review_and_remark_through_the_pages(web_as, kefu, sample):
    client = web_as(kefu)
    response = client.post("/orders/batch/", {"action": "review", "ids": [sample["a"].pk]})
    assert response.status_code == 302
    sample["a"].refresh_from_db()
    assert sample["a"].status == "reviewed"
    client.post(f"/orders/{sample['a'].pk}/remark/", {"remark": "加急"})
    sample["a"].refresh_from_db()
    assert sample["a"].seller_remark == "加急"
    page = client.get(f"/orders/{sample['a'].pk}/").content.decode()
    assert "备注：加急" in page
    assert "人工审单通过" in page


def test_manual_order_page_creates_once_per_form(web_as, kefu):
    client = web_as(kefu)
    data = {
        "store": "tb-main",
        "receiver_name": "赵六",
        "receiver_phone": "13511112222",
        "receiver_street": "长安街 1 号",
        "lines_text": f"{demo_sku().merchant_code} 1 10.00",
        "shipping_amount": "0",
        "discount_amount": "0",
        "idempotency_key": "form-key-1",
    }
    first = client.post("/orders/new/", data)
    second = client.post("/orders/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    order = Order.objects.get(receiver_name="赵六")
    assert order.goods_amount == Decimal("10.00")
    assert order.receiver_phone_last4 == "2222"


@pytest.mark.parametrize("few", [0, 1, 2000])
def test_both_search_paths_give_the_same_page(kefu, sample, monkeypatch, few):
    """A selective filter reads its few orders by key; past FEW_ORDERS each store is walked."""
    monkeypatch.setattr(sel, "FEW_ORDERS", few)
    sku = demo_sku().merchant_code
    for filters in (
        sel.OrderFilters(buyer="list-test", sku=sku),
        sel.OrderFilters(buyer="list-test", phone_last4="1234"),
    ):
        page = sel.order_page(actor=kefu, filters=filters, limit=1)
        second = sel.order_page(actor=kefu, filters=filters, cursor=page.next_cursor, limit=10)
        got = [o.platform_order_no for o in page.orders + second.orders]
        expected = [
            sample[k].platform_order_no
            for k in ("evil", "c", "b", "a")
            if not filters.phone_last4 or sample[k].receiver_phone_last4 == "1234"
        ]
        assert got == expected
        assert page.count == len(expected)
