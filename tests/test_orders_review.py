"""The review queue (审单): auto-review rules, manual and batch review, exceptions, merge, split."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.orders.enums import ORDER_TRANSITIONS, OrderStatus, order_transition_check
from storeops.orders.models import Order, OrderEvent
from storeops.orders.services import review as svc
from tests.orders_handling_helpers import demo_sku, make_order

S = OrderStatus


def _rules(actor, store, **overrides):
    values = {
        "is_enabled": True,
        "require_address_complete": True,
        "require_no_buyer_message": True,
        "require_known_skus": True,
        "check_blacklist": True,
        "amount_limit": Decimal("500.00"),
    }
    values.update(overrides)
    return svc.review_rules_update(actor=actor, store=store, **values)


# --- the transition table: every refused transition is a 409 -----------------------------------
REFUSED = [
    (current, new)
    for current in S.values
    for new in S.values
    if current != new and new not in ORDER_TRANSITIONS[current]
]


@pytest.mark.parametrize(("current", "new"), REFUSED)
def test_every_transition_not_in_the_table_is_refused(current, new):
    with pytest.raises(Conflict) as caught:
        order_transition_check(current, new)
    assert caught.value.code == "order.transition_refused"
    assert caught.value.status == 409


def test_the_services_refuse_through_the_table(stores, kefu, cangku):
    shipped = make_order(stores["tb-main"], status=S.SHIPPED)
    with pytest.raises(Conflict) as caught:
        svc.order_mark_exception(actor=kefu, order_id=shipped.pk, reason="other")
    assert caught.value.code == "order.transition_refused"
    shipped.refresh_from_db()
    assert shipped.status == S.SHIPPED


# --- auto-review rules ---------------------------------------------------------------------------
def test_auto_review_passes_a_clean_order_and_holds_the_rest_with_reasons(stores, yunying):
    store = stores["tb-main"]
    _rules(yunying, store)
    svc.blacklist_add(actor=yunying, store=store, buyer="bad-buyer", reason="恶意退款")
    clean = make_order(store)
    unmatched = make_order(store, lines=[(None, 1, "10.00")])
    no_address = make_order(store, street="")
    message = make_order(store, message="请发顺丰")
    expensive = make_order(store, paid="800.00", goods="800.00")
    blacklisted = make_order(store, buyer="bad-buyer")
    ids = [clean.pk, unmatched.pk, no_address.pk, message.pk, expensive.pk, blacklisted.pk]

    result = svc.order_auto_review(actor=yunying, store=store, order_ids=ids)

    got = {o.pk: (o.status, o.exception_reason) for o in Order.objects.filter(pk__in=ids)}
    assert got == {
        clean.pk: (S.REVIEWED, ""),
        unmatched.pk: (S.EXCEPTION, "unmatched_sku"),
        no_address.pk: (S.EXCEPTION, "address_incomplete"),
        message.pk: (S.PENDING_REVIEW, "buyer_message"),
        expensive.pk: (S.PENDING_REVIEW, "amount_over_limit"),
        blacklisted.pk: (S.EXCEPTION, "blacklisted_buyer"),
    }
    assert result.reviewed == [clean.pk]
    assert OrderEvent.objects.filter(order=clean, kind="reviewed").count() == 1
    assert "金额超限" in OrderEvent.objects.get(order=expensive).message
    event = AuditEvent.objects.filter(action="orders.order.auto_review", store_id=store.pk).first()
    assert event.after["reviewed"] == 1
    assert event.after["held"] == 5


def test_a_disabled_rule_is_not_checked(stores, yunying):
    store = stores["tb-main"]
    _rules(yunying, store, require_no_buyer_message=False, amount_limit=None)
    order = make_order(store, message="请尽快发货", paid="9999.00")
    svc.order_auto_review(actor=yunying, store=store, order_ids=[order.pk])
    order.refresh_from_db()
    assert order.status == S.REVIEWED


def test_rules_off_leave_the_queue_alone(stores, yunying):
    store = stores["tb-main"]
    _rules(yunying, store, is_enabled=False)
    order = make_order(store)
    result = svc.order_auto_review(actor=yunying, store=store, order_ids=[order.pk])
    order.refresh_from_db()
    assert (order.status, result.reviewed) == (S.PENDING_REVIEW, [])


def test_rules_are_per_store_and_need_the_permission(stores, kefu, yunying):
    with pytest.raises(Forbidden):
        _rules(kefu, stores["tb-main"])
    _rules(yunying, stores["tb-main"])
    other = make_order(stores["jd-main"])
    svc.order_auto_review(actor=yunying, store=stores["jd-main"], order_ids=[other.pk])
    other.refresh_from_db()
    assert other.status == S.PENDING_REVIEW  # jd-main has no rules enabled


# --- manual and batch review ---------------------------------------------------------------------
def test_manual_review_moves_to_reviewed_audited_with_timeline(stores, kefu):
    order = make_order(stores["tb-main"], status=S.EXCEPTION, exception_reason="other")
    svc.order_review(actor=kefu, order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.exception_reason) == (S.REVIEWED, "")
    event = AuditEvent.objects.get(action="orders.order.review", object_id=str(order.pk))
    assert event.before == {"status": "exception"}
    assert OrderEvent.objects.filter(order=order, kind="reviewed", actor=kefu).exists()


def test_an_order_with_unmatched_goods_cannot_be_reviewed(stores, kefu):
    order = make_order(stores["tb-main"], lines=[(demo_sku(), 1, "5.00"), (None, 1, "5.00")])
    with pytest.raises(Conflict) as caught:
        svc.order_review(actor=kefu, order_id=order.pk)
    assert caught.value.code == "order.unmatched_lines"
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW


def test_review_is_refused_outside_the_store_and_without_permission(stores, kefu_jd, cangku):
    order = make_order(stores["tb-main"])
    with pytest.raises(NotFound):
        svc.order_review(actor=kefu_jd, order_id=order.pk)
    with pytest.raises(Forbidden):
        svc.order_review(actor=cangku, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW
    assert not AuditEvent.objects.filter(action="orders.order.review", object_id=str(order.pk))


def test_batch_review_reviews_what_it_can_and_reports_the_rest(stores, kefu):
    good = make_order(stores["tb-main"])
    shipped = make_order(stores["tb-main"], status=S.SHIPPED)
    result = svc.order_review_batch(actor=kefu, order_ids=[good.pk, shipped.pk])
    assert result["reviewed"] == [good.pk]
    assert [r["id"] for r in result["refused"]] == [shipped.pk]
    assert result["refused"][0]["code"] == "order.not_reviewable"


def test_unreview_gives_the_order_back_to_the_queue(stores, kefu):
    order = make_order(stores["tb-main"], status=S.REVIEWED)
    with pytest.raises(Invalid):
        svc.order_unreview(actor=kefu, order_id=order.pk, reason="")
    svc.order_unreview(actor=kefu, order_id=order.pk, reason="买家改地址")
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW


# --- merge and split -----------------------------------------------------------------------------
def test_merge_orders_of_one_buyer_and_address(stores, kefu):
    store = stores["tb-main"]
    first = make_order(store, buyer="m-buyer", paid="30.00", goods="30.00")
    second = make_order(store, buyer="m-buyer", paid="20.00", goods="20.00", message="加急")
    first.created_at = second.created_at.replace(year=second.created_at.year - 1)
    first.save()

    target = svc.order_merge(actor=kefu, order_ids=[second.pk, first.pk])

    assert target.pk == first.pk
    target.refresh_from_db()
    second.refresh_from_db()
    assert target.paid_amount == Decimal("50.00")
    assert target.lines.count() == 2
    assert [line.line_no for line in target.lines.order_by("line_no")] == [1, 2]
    assert (second.status, second.merged_into_id) == (S.CLOSED, first.pk)
    assert second.lines.count() == 0
    assert target.buyer_message == "加急"
    assert AuditEvent.objects.filter(action="orders.order.merge", object_id=str(first.pk)).exists()
    assert OrderEvent.objects.filter(order=second, kind="merged").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"buyer": "someone-else"}, "order.merge_buyer"),
        ({"street": "另一条路 1 号"}, "order.merge_address"),
        ({"status": "shipped"}, "order.merge_status"),
    ],
)
def test_merge_refuses_different_buyer_address_or_state(stores, kefu, change, code):
    store = stores["tb-main"]
    first = make_order(store, buyer="m2")
    second = make_order(store, **{"buyer": "m2", **change})
    with pytest.raises(Conflict) as caught:
        svc.order_merge(actor=kefu, order_ids=[first.pk, second.pk])
    assert caught.value.code == code
    second.refresh_from_db()
    assert second.merged_into_id is None


def test_merge_refuses_two_stores(stores, kefu):
    first = make_order(stores["tb-main"], buyer="m3")
    second = make_order(stores["tm-flagship"], buyer="m3")
    with pytest.raises(Conflict) as caught:
        svc.order_merge(actor=kefu, order_ids=[first.pk, second.pk])
    assert caught.value.code == "order.merge_stores"


def test_split_moves_lines_and_amounts_to_a_new_order(stores, kefu):
    sku = demo_sku()
    order = make_order(
        stores["tb-main"],
        lines=[(sku, 1, "60.00"), (sku, 2, "20.00")],
        goods="100.00",
        paid="90.00",
        shipping="10.00",
        discount_amount=Decimal("20.00"),
    )
    second_line = order.lines.get(line_no=2)

    new = svc.order_split(actor=kefu, order_id=order.pk, line_ids=[second_line.pk])

    order.refresh_from_db()
    assert new.platform_order_no == f"{order.platform_order_no}-1"
    assert new.split_from_id == order.pk
    assert (new.goods_amount, new.paid_amount, new.discount_amount) == (
        Decimal("40.00"),
        Decimal("36.00"),
        Decimal("8.00"),
    )
    assert (order.goods_amount, order.paid_amount, order.discount_amount) == (
        Decimal("60.00"),
        Decimal("54.00"),
        Decimal("12.00"),
    )
    assert order.shipping_amount == Decimal("10.00")
    assert list(new.lines.values_list("line_no", "quantity")) == [(1, 2)]
    assert new.status == order.status == S.PENDING_REVIEW
    assert AuditEvent.objects.filter(action="orders.order.split", object_id=str(order.pk)).exists()


def test_split_keeps_at_least_one_line(stores, kefu):
    order = make_order(stores["tb-main"])
    with pytest.raises(Invalid) as caught:
        svc.order_split(actor=kefu, order_id=order.pk, line_ids=[order.lines.get().pk])
    assert caught.value.code == "order.split_all"


def test_an_import_runs_the_store_rules_after_it_commits(
    stores, kefu, yunying, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from storeops.orders.importing.reading import ImportFile
    from storeops.orders.services.imports import order_import_files

    store = stores["tb-main"]
    _rules(yunying, store, amount_limit=None)
    fixtures = Path(__file__).parent / "fixtures" / "orders"
    files = [
        ImportFile.from_path(fixtures / "taobao_v1_ExportOrderList.csv"),
        ImportFile.from_path(fixtures / "taobao_v1_ExportOrderDetailList.csv"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        order_import_files(actor=kefu, store=store, files=files)
    orders = Order.objects.filter(store=store, platform_order_no__startswith="31000000000000000")
    got = {o.platform_order_no: (o.status, o.exception_reason) for o in orders}
    assert got["3100000000000000033"] == (S.EXCEPTION, "unmatched_sku")  # left to a person
    for order in orders.exclude(platform_order_no="3100000000000000033"):
        if order.status in (S.SHIPPED, S.COMPLETED, S.CLOSED, S.PENDING_PAYMENT):
            continue  # not in the review queue
        expected = (S.PENDING_REVIEW, "buyer_message") if order.buyer_message else (S.REVIEWED, "")
        assert got[order.platform_order_no] == expected
    assert any(status == S.REVIEWED for status, _reason in got.values())


def test_rules_and_blacklist_pages(web_as, yunying, stores):
    client = web_as(yunying)
    response = client.post(
        "/orders/review-rules/?store=pdd-main",
        {
            "store": "pdd-main",
            "is_enabled": "on",
            "require_known_skus": "on",
            "amount_limit": "300",
        },
    )
    assert response.status_code == 302
    from storeops.orders.models import BlacklistedBuyer, ReviewRuleSet

    rules = ReviewRuleSet.objects.get(store=stores["pdd-main"])
    assert (rules.is_enabled, rules.require_address_complete, rules.amount_limit) == (
        True,
        False,
        Decimal("300.00"),
    )
    client.post(
        "/orders/review-rules/",
        {"store": "pdd-main", "kind": "blacklist", "buyer": "刷单号", "reason": "刷单"},
    )
    entry = BlacklistedBuyer.objects.get(store=stores["pdd-main"], buyer="刷单号")
    page = client.get("/orders/review-rules/?store=pdd-main").content.decode()
    assert "刷单号" in page
    client.post(f"/orders/review-rules/blacklist/{entry.pk}/remove/")
    assert not BlacklistedBuyer.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="orders.blacklist.remove").exists()
