"""Builders for the orders handling tests (review queue, transactions, list): orders written
directly, as an import would leave them, in a store and state the test chooses."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from storeops.catalog.models import Sku
from storeops.core import clock
from storeops.orders.models import Order, OrderLine

_SEQ = itertools.count(1)


def demo_sku() -> Sku:
    return Sku.objects.filter(is_combo=False).order_by("id").first()


def make_order(
    store,
    *,
    status="pending_review",
    lines=None,
    number=None,
    buyer="buyer-a",
    name="张三丰",
    phone="13812345678",
    street="文三路 100 号",
    message="",
    paid="100.00",
    goods="100.00",
    shipping="0.00",
    created_at=None,
    **extra,
):
    """lines: [(sku or None, quantity, unit_price)]; None = an unmatched code."""
    sku = demo_sku()
    lines = lines if lines is not None else [(sku, 1, Decimal(goods))]
    order = Order.objects.create(
        store=store,
        platform_order_no=number or f"T{990000000000000000 + next(_SEQ)}",
        buyer_id=buyer,
        buyer_nick=buyer,
        receiver_name=name,
        receiver_phone=phone,
        receiver_phone_last4=phone[-4:] if phone else "",
        receiver_province="浙江省",
        receiver_city="杭州市",
        receiver_district="西湖区",
        receiver_street=street,
        receiver_address=f"浙江省 杭州市 西湖区 {street}",
        buyer_message=message,
        goods_amount=Decimal(goods),
        shipping_amount=Decimal(shipping),
        paid_amount=Decimal(paid),
        created_at=created_at or clock.now() - dt.timedelta(hours=1),
        paid_at=None if status == "pending_payment" else clock.now(),
        status=status,
        **extra,
    )
    for no, (line_sku, qty, price) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            line_no=no,
            sku=line_sku,
            merchant_code=line_sku.merchant_code if line_sku else f"UNKNOWN-{no}",
            title="测试商品",
            quantity=qty,
            unit_price=Decimal(price),
            status="normal" if line_sku else "unmatched",
        )
    return order
