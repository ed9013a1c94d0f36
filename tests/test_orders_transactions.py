"""Transaction handling (R2.8): 改价 limit and approval, remarks, flags, shipping, closing, manual
orders through the API with Idempotency-Key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.governance.enums import PolicyKey
from storeops.governance.selectors import approval_for
from storeops.governance.services import approval_decide, policy_set
from storeops.orders.models import IdempotencyRecord, Order, OrderEvent, PriceAdjustment
from storeops.orders.services import transactions as tx
from tests.orders_handling_helpers import demo_sku, make_order


def _unpaid(store, **extra):
    # payable 100.00: one line 90.00 + shipping 10.00
    return make_order(
        store,
        status="pending_payment",
        lines=[(demo_sku(), 1, "90.00")],
        goods="90.00",
        shipping="10.00",
        paid="0.00",
        **extra,
    )


# --- 改价 ------------------------------------------------------------------------------------------
def test_kefu_adjusts_within_the_limit_at_once(stores, kefu):
    order = _unpaid(stores["tb-main"])
    line = order.lines.get()
    adjustment = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="81.00",
        reason="老客户优惠",
    )
    order.refresh_from_db()
    line.refresh_from_db()
    assert adjustment.status == "applied"
    assert (line.unit_price, order.goods_amount) == (Decimal("81.00"), Decimal("81.00"))
    assert adjustment.percent == Decimal("9.00")
    event = AuditEvent.objects.get(action="orders.order.adjust_price", object_id=str(order.pk))
    assert event.after["reason"] == "老客户优惠"
    timeline = OrderEvent.objects.get(order=order, kind="price_adjusted")
    assert "¥90.00 → ¥81.00" in timeline.message


def test_exactly_the_limit_is_allowed(stores, kefu):
    order = _unpaid(stores["tb-main"])
    adjustment = tx.price_adjust(
        actor=kefu, order_id=order.pk, target="shipping", new_amount="0.00", reason="包邮"
    )
    order.refresh_from_db()
    assert (adjustment.status, adjustment.percent) == ("applied", Decimal("10.00"))
    assert order.shipping_amount == Decimal("0.00")


def test_a_change_over_ten_percent_waits_for_a_manager(stores, kefu, jingli):
    order = _unpaid(stores["tb-main"])
    line = order.lines.get()
    adjustment = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="70.00",
        reason="质量瑕疵补偿",
    )
    assert (adjustment.status, adjustment.percent) == ("pending_approval", Decimal("20.00"))
    line.refresh_from_db()
    assert line.unit_price == Decimal("90.00")

    with pytest.raises(Conflict) as caught:
        tx.price_adjustment_apply(actor=kefu, adjustment_id=adjustment.pk)
    assert caught.value.code == "approval.missing"
    line.refresh_from_db()
    assert line.unit_price == Decimal("90.00")

    approval = approval_for(adjustment)
    assert [s.approver_roles for s in approval.steps.all()] == [",manager,"]
    approval_decide(actor=jingli, approval=approval, approve=True, comment="同意")
    tx.price_adjustment_apply(actor=kefu, adjustment_id=adjustment.pk)

    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.unit_price, order.goods_amount) == (Decimal("70.00"), Decimal("70.00"))
    adjustment.refresh_from_db()
    assert adjustment.status == "applied"


def test_the_limit_is_cumulative_and_comes_from_the_policy(stores, kefu, admin):
    order = _unpaid(stores["tb-main"])
    line = order.lines.get()
    first = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="84.00",
        reason="a",
    )
    second = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="78.00",
        reason="b",
    )
    assert (first.status, second.status) == ("applied", "pending_approval")
    assert second.percent == Decimal("12.00")

    policy_set(actor=admin, key=PolicyKey.PRICE_ADJUST_LIMIT_PERCENT_CUSTOMER_SERVICE, value="15")
    third = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="78.00",
        reason="c",
    )
    assert third.status == "applied"


def test_a_manager_adjusts_over_the_limit_directly(stores, jingli):
    order = _unpaid(stores["tb-main"])
    adjustment = tx.price_adjust(
        actor=jingli,
        order_id=order.pk,
        target="line",
        line_id=order.lines.get().pk,
        new_amount="45.00",
        reason="清仓",
    )
    assert adjustment.status == "applied"


def test_a_stale_approval_does_not_apply(stores, kefu, jingli):
    order = _unpaid(stores["tb-main"])
    line = order.lines.get()
    adjustment = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="60.00",
        reason="x",
    )
    approval_decide(actor=jingli, approval=approval_for(adjustment), approve=True, comment="")
    tx.price_adjust(
        actor=jingli,
        order_id=order.pk,
        target="line",
        line_id=line.pk,
        new_amount="88.00",
        reason="y",
    )
    with pytest.raises(Conflict) as caught:
        tx.price_adjustment_apply(actor=kefu, adjustment_id=adjustment.pk)
    assert caught.value.code == "price_adjustment.stale"


def test_price_adjust_refusals(stores, kefu, kefu_jd, cangku):
    paid = make_order(stores["tb-main"], status="pending_review")
    with pytest.raises(Conflict) as caught:
        tx.price_adjust(actor=kefu, order_id=paid.pk, target="shipping", new_amount="0", reason="x")
    assert caught.value.code == "order.price_adjust_paid"
    order = _unpaid(stores["tb-main"])
    with pytest.raises(Invalid):
        tx.price_adjust(
            actor=kefu, order_id=order.pk, target="shipping", new_amount="5", reason=" "
        )
    with pytest.raises(NotFound):
        tx.price_adjust(
            actor=kefu_jd, order_id=order.pk, target="shipping", new_amount="5", reason="x"
        )
    with pytest.raises(Forbidden):
        tx.price_adjust(
            actor=cangku, order_id=order.pk, target="shipping", new_amount="5", reason="x"
        )
    assert not PriceAdjustment.objects.filter(order=order).exists()


# --- remarks, flags, shipping, closing -----------------------------------------------------------
def test_remark_and_flag_are_audited_and_on_the_timeline(stores, kefu):
    order = make_order(stores["tb-main"])
    tx.order_remark_set(actor=kefu, order_id=order.pk, remark="送礼，不放发票")
    tx.order_flag_set(actor=kefu, order_id=order.pk, flag="red")
    order.refresh_from_db()
    assert (order.seller_remark, order.flag) == ("送礼，不放发票", "red")
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == ["remark", "flag"]
    assert AuditEvent.objects.filter(action="orders.order.flag", object_id=str(order.pk)).exists()
    with pytest.raises(Invalid):
        tx.order_flag_set(actor=kefu, order_id=order.pk, flag="black")


def test_ship_needs_a_reviewed_order_a_known_courier_and_a_number(stores, cangku):
    order = make_order(stores["tb-main"], status="reviewed")
    with pytest.raises(Invalid) as caught:
        tx.order_ship(
            actor=cangku, order_id=order.pk, courier="不存在快递", tracking_no="SF1234567890123"
        )
    assert caught.value.details["field"] == "courier"
    with pytest.raises(Invalid):
        tx.order_ship(actor=cangku, order_id=order.pk, courier="顺丰", tracking_no="=1+1")
    tx.order_ship(actor=cangku, order_id=order.pk, courier="顺丰", tracking_no="SF1234567890123")
    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_no) == (
        "shipped",
        "顺丰",
        "SF1234567890123",
    )
    assert order.shipped_at is not None
    assert OrderEvent.objects.filter(order=order, kind="shipped").exists()

    waiting = make_order(stores["tb-main"], status="pending_review")
    with pytest.raises(Conflict):
        tx.order_ship(
            actor=cangku, order_id=waiting.pk, courier="顺丰", tracking_no="SF1234567890124"
        )


def test_close_refuses_a_shipped_order(stores, kefu):
    shipped = make_order(stores["tb-main"], status="shipped")
    with pytest.raises(Conflict):
        tx.order_close(actor=kefu, order_id=shipped.pk, reason="买家取消")
    order = make_order(stores["tb-main"])
    tx.order_close(actor=kefu, order_id=order.pk, reason="买家取消")
    order.refresh_from_db()
    assert (order.status, order.close_reason) == ("closed", "买家取消")


# --- manual orders and Idempotency-Key -----------------------------------------------------------
def _body(**extra):
    return {
        "store": "tb-main",
        "receiver_name": "王五",
        "receiver_phone": "13900001111",
        "receiver_province": "上海市",
        "receiver_city": "上海市",
        "receiver_district": "浦东新区",
        "receiver_street": "世纪大道 1 号",
        "lines": [{"merchant_code": demo_sku().merchant_code, "quantity": 2}],
        "shipping_amount": "8.00",
        **extra,
    }


def test_create_needs_an_idempotency_key(api_as, kefu):
    response = api_as(kefu).post("/api/v1/orders", _body())
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"field": "Idempotency-Key"}


def test_same_key_same_body_answers_the_first_response(api_as, kefu):
    client = api_as(kefu)
    first = client.post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = client.post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    created = first.json()
    assert created["platform_order_no"].startswith("M")
    assert created["status"] == "pending_payment"
    sku = demo_sku()
    assert Decimal(created["goods_amount"]) == sku.price * 2
    assert Order.objects.filter(pk=created["id"]).count() == 1
    assert Order.objects.filter(source="api", cs_agent=kefu).count() == 1


def test_same_key_other_body_is_422_and_creates_nothing(api_as, kefu):
    client = api_as(kefu)
    client.post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="k-2")
    count = Order.objects.count()
    other = client.post("/api/v1/orders", _body(is_paid=True), HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency.key_reused"
    assert Order.objects.count() == count


def test_a_failed_create_keeps_no_key(api_as, kefu):
    client = api_as(kefu)
    bad = client.post(
        "/api/v1/orders",
        _body(lines=[{"merchant_code": "NO-SUCH-CODE", "quantity": 1}]),
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert bad.status_code == 422
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()


def test_keys_are_per_user_and_store_scoped(api_as, kefu, kefu_jd):
    api_as(kefu).post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="shared")
    response = api_as(kefu_jd).post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 404  # kefu_jd does not work in tb-main
    denied = api_as(kefu_jd).post(
        "/api/v1/orders", _body(store="jd-main"), HTTP_IDEMPOTENCY_KEY="x"
    )
    assert denied.status_code == 201


def test_old_idempotency_keys_are_forgotten(api_as, kefu):
    import datetime as dt

    from storeops.core import clock

    api_as(kefu).post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="old-key")
    api_as(kefu).post("/api/v1/orders", _body(), HTTP_IDEMPOTENCY_KEY="new-key")
    IdempotencyRecord.objects.filter(key="old-key").update(
        created_at=clock.now() - dt.timedelta(days=8)
    )
    assert tx.idempotency_purge() >= 1
    assert list(
        IdempotencyRecord.objects.filter(key__in=["old-key", "new-key"]).values_list(
            "key", flat=True
        )
    ) == ["new-key"]


def test_the_manager_decides_on_the_approvals_page_and_kefu_applies_on_the_order_page(
    stores, kefu, jingli, web_as
):
    order = _unpaid(stores["tb-main"])
    kefu_page = web_as(kefu)
    response = kefu_page.post(
        f"/orders/{order.pk}/price/",
        {"target": f"line:{order.lines.get().pk}", "new_amount": "60.00", "reason": "大客户"},
    )
    assert response.status_code == 302
    adjustment = PriceAdjustment.objects.get(order=order)
    approval = approval_for(adjustment)
    assert approval.url == f"/orders/{order.pk}/"
    manager = web_as(jingli)
    page = manager.get(f"/governance/approvals/{approval.pk}/")
    assert page.status_code == 200
    assert "60.00" in page.content.decode()
    manager.post(
        f"/governance/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    approval.refresh_from_db()
    assert approval.status == "approved"
    kefu_page.post(f"/orders/price-adjustments/{adjustment.pk}/apply/", {"order": order.pk})
    order.refresh_from_db()
    assert order.goods_amount == Decimal("60.00")
    detail = kefu_page.get(f"/orders/{order.pk}/").content.decode()
    assert "改价：第 1 行单价 ¥90.00 → ¥60.00" in detail


def test_a_pending_adjustment_can_be_withdrawn_and_then_not_applied(stores, kefu, web_as):
    order = _unpaid(stores["tb-main"])
    adjustment = tx.price_adjust(
        actor=kefu,
        order_id=order.pk,
        target="line",
        line_id=order.lines.get().pk,
        new_amount="50.00",
        reason="x",
    )
    response = web_as(kefu).post(
        f"/orders/price-adjustments/{adjustment.pk}/cancel/", {"order": order.pk}
    )
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == "cancelled"
    assert approval_for(adjustment).status == "cancelled"
    with pytest.raises(Conflict) as caught:
        tx.price_adjustment_apply(actor=kefu, adjustment_id=adjustment.pk)
    assert caught.value.code == "price_adjustment.not_pending"
    assert AuditEvent.objects.filter(
        action="orders.price_adjustment.cancel", object_id=str(adjustment.pk)
    ).exists()
