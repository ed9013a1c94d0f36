"""Reviews (评价): the platform's review export imported idempotently and atomically; every 差评
opens one follow-up duty for a 客服, completed by the reply."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from storeops.audit.models import AuditEvent
from storeops.core.errors import Forbidden, NotFound
from storeops.governance.enums import OccurrenceStatus
from storeops.governance.selectors import occurrence_current
from storeops.orders.models import OrderEvent, OrderReview
from storeops.orders.services import reviews as svc
from tests.orders_handling_helpers import make_order

HEADER = "订单编号,评价结果,评价内容,评价时间,买家昵称,宝贝标题,解释内容\n"


def _csv(rows, encoding="utf-8-sig"):
    return (HEADER + "".join(",".join(r) + "\n" for r in rows)).encode(encoding)


@pytest.fixture
def orders(stores, kefu):
    return {
        "good": make_order(stores["tb-main"], status="completed", cs_agent=kefu),
        "bad": make_order(stores["tb-main"], status="completed", cs_agent=kefu),
    }


def _rows(orders):
    return [
        [
            f'="{orders["good"].platform_order_no}"',
            "好评",
            "很好用",
            "2026-11-20 10:00:00",
            "买家甲",
            "保温杯",
            "",
        ],
        [
            orders["bad"].platform_order_no,
            "差评",
            "漏发了杯盖",
            "2026-11-21 11:00:00",
            "买家乙",
            "保温杯",
            "",
        ],
        [
            "3100000000000000099",
            "中评",
            "一般",
            "2026-11-21 12:00:00",
            "买家丙",
            "水杯",
            "感谢反馈",
        ],
    ]


def test_import_records_ratings_and_opens_one_follow_up_per_negative(stores, kefu, orders):
    result = svc.review_import(
        actor=kefu, store=stores["tb-main"], source=_csv(_rows(orders)), filename="评价.csv"
    )
    assert (result.applied, result.created, result.unchanged) == (True, 3, 0)
    reviews = {r.platform_order_no: r for r in OrderReview.objects.filter(store=stores["tb-main"])}
    good = reviews[orders["good"].platform_order_no]
    bad = reviews[orders["bad"].platform_order_no]
    other = reviews["3100000000000000099"]
    assert (good.rating, good.order_id, good.follow_up_id) == ("positive", orders["good"].pk, None)
    assert (bad.rating, bad.content) == ("negative", "漏发了杯盖")
    assert bad.follow_up.owner == kefu  # the order's own 客服
    assert bad.follow_up.policy_id == "R2.8"
    assert occurrence_current(bad.follow_up).status == OccurrenceStatus.OPEN
    assert (other.rating, other.order_id, other.reply) == ("neutral", None, "感谢反馈")
    assert OrderEvent.objects.filter(order=orders["bad"], kind="review").exists()
    event = AuditEvent.objects.filter(action="orders.review.import").first()
    assert event.after["created"] == 3
    assert event.after["negative_follow_ups"] == 1


def test_importing_the_same_export_again_changes_nothing(stores, kefu, orders):
    svc.review_import(actor=kefu, store=stores["tb-main"], source=_csv(_rows(orders)))
    again = svc.review_import(actor=kefu, store=stores["tb-main"], source=_csv(_rows(orders)))
    assert (again.created, again.unchanged) == (0, 3)
    bad = OrderReview.objects.get(platform_order_no=orders["bad"].platform_order_no)
    assert bad.follow_up is not None
    assert (
        OrderReview.objects.filter(platform_order_no=orders["bad"].platform_order_no).count() == 1
    )


def test_a_file_with_a_bad_row_is_rejected_whole(stores, kefu, orders):
    rows = [*_rows(orders), ["3100000000000000100", "超级好评", "", "", "", "", ""]]
    result = svc.review_import(actor=kefu, store=stores["tb-main"], source=_csv(rows))
    assert not result.applied
    assert [(e.line, e.field) for e in result.errors] == [(5, "rating")]
    assert not OrderReview.objects.filter(store=stores["tb-main"]).exists()


def test_gbk_xlsx_and_stars(stores, kefu, orders):
    gbk = _csv(_rows(orders)[:1], encoding="gb18030")
    assert svc.review_import(actor=kefu, store=stores["tb-main"], source=gbk).created == 1
    book = Workbook()
    sheet = book.active
    sheet.append(["订单号", "评分", "评价内容", "评价时间"])
    sheet.append([orders["bad"].platform_order_no, "1", "太差", "2026-11-22 08:00:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = svc.review_import(
        actor=kefu, store=stores["tb-main"], source=buffer.getvalue(), filename="jd.xlsx"
    )
    assert result.created == 1
    assert OrderReview.objects.get(content="太差").rating == "negative"


def test_reply_completes_the_follow_up(stores, kefu, orders):
    svc.review_import(actor=kefu, store=stores["tb-main"], source=_csv(_rows(orders)))
    bad = OrderReview.objects.get(platform_order_no=orders["bad"].platform_order_no)
    occurrence = occurrence_current(bad.follow_up)
    svc.review_reply(actor=kefu, review_id=bad.pk, reply="已补发杯盖，抱歉")
    bad.refresh_from_db()
    occurrence.refresh_from_db()
    assert bad.reply == "已补发杯盖，抱歉"
    assert bad.replied_by == kefu
    assert occurrence.status == OccurrenceStatus.DONE
    assert AuditEvent.objects.filter(action="orders.review.reply", object_id=str(bad.pk)).exists()


def test_reviews_are_store_scoped_and_need_the_permission(stores, kefu, kefu_jd, cangku, orders):
    with pytest.raises(NotFound):
        svc.review_import(actor=kefu_jd, store=stores["tb-main"], source=_csv(_rows(orders)))
    with pytest.raises(Forbidden):
        svc.review_import(actor=cangku, store=stores["tb-main"], source=_csv(_rows(orders)))
    svc.review_import(actor=kefu, store=stores["tb-main"], source=_csv(_rows(orders)))
    bad = OrderReview.objects.get(platform_order_no=orders["bad"].platform_order_no)
    with pytest.raises(NotFound):
        svc.review_reply(actor=kefu_jd, review_id=bad.pk, reply="x")


def test_review_api_and_page(api_as, web_as, kefu, stores, orders):
    client = api_as(kefu)
    response = client.client.post(
        "/api/v1/orders/reviews/import",
        {"store": "tb-main", "file": io.BytesIO(_csv(_rows(orders)))},
        **client.headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    listed = client.get("/api/v1/orders/reviews", store="tb-main", rating="negative").json()
    assert [r["platform_order_no"] for r in listed["items"]] == [orders["bad"].platform_order_no]
    page = web_as(kefu).get("/orders/reviews/", {"rating": "negative"}).content.decode()
    assert "漏发了杯盖" in page
