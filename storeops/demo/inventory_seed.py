"""Demo stock (issue 6): two warehouses and stock for every demo SKU, through the inventory services;
a few shipments (the sales figures inventory keeps), safety stock on some SKUs, one adjustment
waiting for approval; one finished stocktake of the east warehouse
(one variance approved by 经理), a purchase order partly received, and one store selling 80 % of
the pool. Idempotent: does nothing once the main warehouse exists."""

from __future__ import annotations

from typing import Any

from storeops.catalog.models import Sku
from storeops.inventory import services
from storeops.inventory.models import Warehouse

DEMO_WAREHOUSES = (  # code, name, address
    ("GZ-MAIN", "广州主仓", "广州市白云区太和镇物流园 A3 栋"),
    ("SH-EAST", "上海华东仓", "上海市嘉定区马陆镇仓储中心 7 号库"),
)


def seed_inventory(*, users: dict[str, Any]) -> None:
    if Warehouse.objects.filter(code=DEMO_WAREHOUSES[0][0]).exists():
        return
    admin, cangku, kefu = users["admin"], users["cangku"], users["kefu"]
    houses = [
        services.warehouse_create(actor=admin, code=code, name=name, address=address)
        for code, name, address in DEMO_WAREHOUSES
    ]
    main, east = houses
    skus = list(Sku.objects.filter(is_combo=False, is_active=True).order_by("id"))
    for index, sku in enumerate(skus):
        services.stock_receive(
            actor=cangku,
            sku=sku,
            warehouse=main,
            quantity=20 + (index * 7) % 60,
            reference=f"PO-2026-{100 + index}",
            reason="期初入库",
        )
        if index % 2 == 0:
            services.stock_receive(
                actor=cangku,
                sku=sku,
                warehouse=east,
                quantity=5 + index % 15,
                reference=f"PO-2026-{300 + index}",
                reason="期初入库",
            )
    for index, sku in enumerate(skus[:6]):  # a few sales, recorded as shipments
        reservation = services.stock_reserve(
            actor=kefu, sku=sku, warehouse=main, quantity=1 + index % 3, reference=f"DEMO-{index}"
        )
        services.reservation_ship(actor=cangku, reservation=reservation)
    for index, sku in enumerate(skus[:8]):
        services.stock_rule_set(
            actor=users["yunying"],
            sku=sku,
            safety_stock=10 + 5 * index,
            upper_limit=200,
            lead_time_days=7,
            responsible=users["yunying"],
        )
    if skus:
        services.adjustment_request(
            actor=cangku, sku=skus[0], warehouse=main, quantity=-2, reason="外箱破损，2 件报损"
        )
    _seed_stocktake_and_purchasing(users=users, main=main, east=east, skus=skus)


def _seed_stocktake_and_purchasing(
    *, users: dict[str, Any], main: Warehouse, east: Warehouse, skus: list[Sku]
) -> None:
    from storeops.accounts.models import Store

    # the weekly count duty per warehouse (R3.2); the hourly stocktake check ensures it too
    services.stocktake_obligations_ensure()
    kefu, cangku = users["kefu"], users["cangku"]
    stocktake = services.stocktake_start(actor=kefu, warehouse=east)
    for index, line in enumerate(stocktake.lines.select_related("sku").order_by("sku_id")):
        on_hand = line.sku.stock_levels.get(warehouse=east).on_hand
        counted = on_hand - 1 if index == 0 else on_hand  # one unit missing
        services.stocktake_count(actor=kefu, stocktake=stocktake, sku=line.sku, quantity=counted)
    stocktake = services.stocktake_submit(actor=kefu, stocktake=stocktake)
    if stocktake.status == "submitted":
        services.stocktake_decide(
            actor=users["jingli"], stocktake=stocktake, approve=True, comment="已复核，确认盘亏"
        )
    if len(skus) >= 2:
        order = services.purchase_create(
            actor=users["yunying"],
            supplier="义乌市恒达日用品厂",
            warehouse=main,
            lines=[(skus[0], 60, "11.50"), (skus[1], 40, None)],
            note="月度补货",
        )
        first = order.lines.order_by("id").first()
        services.purchase_receive(actor=cangku, order=order, quantities={first.pk: 30})
    store = Store.objects.filter(is_active=True).order_by("id").first()
    if store is not None:
        services.store_share_set(
            actor=users["admin"], store=store, mode="ratio", ratio_percent="80", safety_buffer=2
        )
