"""Small builders shared by the inventory tests: a warehouse and SKUs with a standard cost."""

from __future__ import annotations

import itertools

from storeops.accounts.models import User
from storeops.catalog import services as catalog
from storeops.inventory import services
from storeops.inventory.models import Movement, Reservation, StockLevel, Warehouse

_counter = itertools.count(1)


def yunying() -> User:
    return User.objects.get(username="yunying")


def make_sku(code: str | None = None, *, cost: str = "10.00", price: str = "29.00"):
    actor = yunying()
    n = next(_counter)
    code = code or f"INV-T-{n}"
    product = catalog.product_create(actor=actor, name=f"库存测试品 {code}", attribute_names=[])
    return catalog.sku_create(
        actor=actor, product=product, merchant_code=code, price=price, standard_cost=cost
    )


def make_warehouse(code: str | None = None, name: str = "测试仓") -> Warehouse:
    code = code or f"T-WH-{next(_counter)}"
    admin = User.objects.get(username="admin")
    return services.warehouse_create(actor=admin, code=code, name=name)


def level(sku, warehouse) -> StockLevel:
    return StockLevel.objects.get(sku=sku, warehouse=warehouse)


def ledger_sums(sku, warehouse) -> tuple[int, int]:
    rows = Movement.objects.filter(sku=sku, warehouse=warehouse)
    return (
        sum(m.on_hand_delta for m in rows),
        sum(m.reserved_delta for m in rows),
    )


def active_reserved(sku, warehouse) -> int:
    return sum(
        r.quantity
        for r in Reservation.objects.filter(sku=sku, warehouse=warehouse, status="active")
    )
