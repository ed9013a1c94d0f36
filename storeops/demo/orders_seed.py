"""Demo orders: N realistic orders across the demo stores, written through the order import
(our generic template), so a million go in with the same set-based path in minutes.

Order numbers are deterministic per store (`seq` 1…n behind a store prefix), so seeding again
adds only what is missing up to N: `seed-demo --orders N` is idempotent.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storeops.core import clock

# store code → (share of the orders, order-number prefix, width of the sequence)
ORDER_STORES = {
    "tb-main": (0.40, "39", 17),
    "tm-flagship": (0.20, "38", 17),
    "jd-main": (0.15, "29", 10),
    "pdd-main": (0.12, "261001-", 15),
    "dy-main": (0.10, "68", 17),
    "mall": (0.03, "M9", 9),
}
HEADER = [
    "平台订单号",
    "下单时间",
    "付款时间",
    "发货时间",
    "完成时间",
    "订单状态",
    "买家ID",
    "买家昵称",
    "收货人",
    "收货人电话",
    "省",
    "市",
    "区",
    "详细地址",
    "买家留言",
    "卖家备注",
    "旗帜",
    "商品金额",
    "运费",
    "优惠金额",
    "实付金额",
    "快递公司",
    "运单号",
    "商家编码",
    "商品标题",
    "商品属性",
    "数量",
    "单价",
]
PLACES = (
    ("浙江省", "杭州市", "西湖区"),
    ("浙江省", "宁波市", "鄞州区"),
    ("广东省", "深圳市", "南山区"),
    ("广东省", "广州市", "天河区"),
    ("北京市", "北京市", "朝阳区"),
    ("上海市", "上海市", "浦东新区"),
    ("江苏省", "南京市", "玄武区"),
    ("江苏省", "苏州市", "工业园区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("山东省", "青岛市", "市南区"),
    ("河南省", "郑州市", "金水区"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
MESSAGES = ("", "", "", "", "", "", "", "", "请尽快发货", "送人的，不要放发票", "周末送货")
REMARKS = ("", "", "", "", "", "", "", "", "", "老客户，送赠品", "已电话确认地址")
FLAGS = ("", "", "", "", "", "", "", "", "红", "黄", "绿", "蓝", "紫")
COURIERS = (("中通", "7{}"), ("圆通", "YT{}"), ("韵达", "4{}"), ("顺丰", "SF{}"), ("极兔", "JT{}"))
CHUNK = 100_000  # orders per import (keeps one transaction, and SQLite's WAL, bounded)


def _rows(
    rng: random.Random,
    *,
    prefix: str,
    width: int,
    first: int,
    last: int,
    skus: list[tuple[str, str, str]],
    now: dt.datetime,
) -> Iterator[list[str]]:
    for seq in range(first, last + 1):
        number = f"{prefix}{seq:0{width}d}"
        age_hours = rng.random() ** 1.6 * 24 * 120  # more recent orders than old ones
        created = now - dt.timedelta(hours=age_hours)
        roll = rng.random()
        if age_hours < 48:
            status = "待付款" if roll < 0.08 else "待审核" if roll < 0.85 else "已发货"
        elif age_hours < 24 * 8:
            status = "已发货" if roll < 0.8 else "已完成" if roll < 0.96 else "已关闭"
        else:
            status = "已完成" if roll < 0.95 else "已关闭"
        paid = None if status == "待付款" else created + dt.timedelta(minutes=rng.randint(1, 30))
        shipped = None
        finished = None
        if status in ("已发货", "已完成"):
            shipped = created + dt.timedelta(hours=rng.randint(4, 40))
        if status == "已完成":
            finished = created + dt.timedelta(days=rng.randint(3, 10))
        buyer = rng.randint(1, 20_000)
        province, city, district = PLACES[buyer % len(PLACES)]
        name = SURNAMES[buyer % len(SURNAMES)] + GIVEN[(buyer * 7) % len(GIVEN)]
        phone = f"1{3 + buyer % 6}{(buyer * 7919) % 1_000_000_000:09d}"
        lines = rng.choice((1, 1, 1, 2, 2, 3))
        picked = []
        goods = 0
        for _line in range(lines):
            code, title, price = (
                ("DEMO-UNMAPPED", "旧款赠品", "5.00") if rng.random() < 0.004 else rng.choice(skus)
            )
            quantity = rng.choice((1, 1, 1, 1, 2, 3))
            goods += round(float(price) * 100) * quantity
            picked.append((code, title, price, quantity))
        shipping = 0 if goods >= 4900 or rng.random() < 0.7 else 800
        discount = rng.choice((0, 0, 0, 500, 1000)) if goods > 3000 else 0
        total = goods + shipping - discount
        courier, pattern = rng.choice(COURIERS)
        tracking = pattern.format(rng.randint(10**12, 10**13 - 1)) if shipped else ""

        def stamp(moment: dt.datetime | None) -> str:
            return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

        common = [
            # written as the platforms do (`="…"`): a bare 19-digit number ending in 0000 would be
            # taken for Excel damage and refused, as it must be for a user's file
            f'="{number}"',
            stamp(created),
            stamp(paid),
            stamp(shipped),
            stamp(finished),
            status,
            f"buyer{buyer:05d}",
            f"买家{buyer:05d}",
            name,
            phone,
            province,
            city,
            district,
            f"幸福路 {buyer % 300 + 1} 号 {buyer % 20 + 1} 单元",
            rng.choice(MESSAGES),
            rng.choice(REMARKS),
            rng.choice(FLAGS),
            f"{goods / 100:.2f}",
            f"{shipping / 100:.2f}",
            f"{discount / 100:.2f}",
            f"{0 if status == '待付款' else total / 100:.2f}",
            courier if shipped else "",
            tracking,
        ]
        for code, title, price, quantity in picked:
            yield [*common, code, title, "", str(quantity), price]


def seed_orders(
    *,
    users: dict[str, Any],
    stores: dict[str, Any],
    count: int,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Bring the demo stores up to `count` demo orders in all; returns how many were added."""
    from storeops.catalog.models import Sku
    from storeops.orders.importing.reading import ImportFile
    from storeops.orders.models import Order
    from storeops.orders.services.imports import order_import_files

    if count <= 0:
        return 0
    skus = [
        (code, f"格润莱特 {name}", str(price))
        for code, name, price in Sku.objects.filter(is_active=True)
        .exclude(price__isnull=True)
        .values_list("merchant_code", "product__name", "price")
    ] or [("DEMO-UNMAPPED", "演示商品", "9.90")]
    actor = users["yunying"]
    now = clock.now()
    added = 0
    allotted = 0
    codes = [c for c in ORDER_STORES if c in stores]
    for index, code in enumerate(codes):
        share, prefix, width = ORDER_STORES[code]
        target = count - allotted if index == len(codes) - 1 else round(count * share)
        allotted += target
        store = stores[code]
        have = Order.objects.filter(store=store, platform_order_no__startswith=prefix).count()
        rng = random.Random(f"{code}:{have}")  # noqa: S311 — demo data, not secrets
        first = have + 1
        while first <= target:
            last = min(target, first + CHUNK - 1)
            with tempfile.TemporaryDirectory(prefix="demo-orders-") as tmp:
                path = Path(tmp) / f"{code}-orders.csv"
                with path.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(HEADER)
                    writer.writerows(
                        _rows(
                            rng,
                            prefix=prefix,
                            width=width,
                            first=first,
                            last=last,
                            skus=skus,
                            now=now,
                        )
                    )
                result = order_import_files(
                    actor=actor,
                    store=store,
                    files=[ImportFile.from_path(path)],
                    platform="generic",
                    channel="demo",
                )
            if not result.applied:
                raise RuntimeError(f"demo orders for {code} refused: {result.errors[:3]}")
            added += result.created
            if progress is not None:
                progress(f"{code}: {last}/{target}")
            first = last + 1
    return added
