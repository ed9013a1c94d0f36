"""Builders for the fulfillment tests: a reviewed order with stock, allocated in a test warehouse."""

from __future__ import annotations

import itertools
from decimal import Decimal

from storeops.accounts.models import User
from storeops.catalog import services as catalog
from storeops.core import clock
from storeops.inventory import services as inventory
from storeops.inventory.models import Warehouse
from storeops.orders.models import Order, OrderLine

_SEQ = itertools.count(1)


def user(name: str) -> User:
    return User.objects.get(username=name)


def make_sku(
    name: str = "测试商品",
    *,
    code: str | None = None,
    barcode: str = "",
    weight: int = 200,
    is_combo: bool = False,
):
    actor = user("yunying")
    code = code or f"FUL-T-{next(_SEQ)}"
    product = catalog.product_create(actor=actor, name=name, attribute_names=[])
    sku = catalog.sku_create(
        actor=actor,
        product=product,
        merchant_code=code,
        price="39.00",
        standard_cost="12.00",
        is_combo=is_combo,
    )
    if barcode or weight:
        type(sku).objects.filter(pk=sku.pk).update(barcode=barcode, weight_g=weight)
        sku.refresh_from_db()
    return sku


def make_warehouse(stock: list[tuple[object, int]]) -> Warehouse:
    admin = user("admin")
    house = inventory.warehouse_create(actor=admin, code=f"F-WH-{next(_SEQ)}", name="配货测试仓")
    for sku, qty in stock:
        inventory.stock_receive(
            actor=user("cangku"), sku=sku, warehouse=house, quantity=qty, reference="期初"
        )
    return house


def make_order(store, lines, *, status: str = "reviewed", number: str | None = None) -> Order:
    """lines: [(sku, quantity)] — written as an import leaves them, already reviewed."""
    order = Order.objects.create(
        store=store,
        platform_order_no=number or f"F{880000000000000000 + next(_SEQ)}",
        buyer_nick="buyer-f",
        receiver_name="李四",
        receiver_phone="13900001111",
        receiver_phone_last4="1111",
        receiver_address="广东省 广州市 天河区 体育西路 1 号",
        goods_amount=Decimal("100.00"),
        paid_amount=Decimal("100.00"),
        created_at=clock.now(),
        paid_at=clock.now(),
        status=status,
    )
    for no, (sku, qty) in enumerate(lines, start=1):
        expansion = []
        if sku.is_combo:
            expansion = [
                {
                    "sku": c.component_id,
                    "code": c.component.merchant_code,
                    "quantity": c.quantity * qty,
                }
                for c in sku.components.select_related("component")
            ]
        OrderLine.objects.create(
            order=order,
            line_no=no,
            sku=sku,
            merchant_code=sku.merchant_code,
            title=sku.product.name,
            quantity=qty,
            unit_price=Decimal("39.00"),
            expansion=expansion,
        )
    return order
