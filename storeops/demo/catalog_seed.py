"""The demo company's catalog (格润莱特 small appliances and homeware), built through the catalog's
services: categories for the main stores, ~30 products with SKUs, combos, listings, platform
mappings, images and four-module descriptions (some left incomplete so the work lists show them).

Kept fast: the test suite seeds the demo for many tests. One small image is generated once and
its bytes reused; the whole catalog is skipped when its first product already exists.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from storeops.catalog import services as catalog
from storeops.catalog.enums import ImageKind, ListingStatus
from storeops.catalog.models import Category, Product, Sku
from storeops.catalog.selectors import description_modules, photo_standard_get, positioning_tags

CATEGORY_TREE = {
    "厨房电器": ("电热水壶", "榨汁机", "空气炸锅", "电饭煲"),
    "杯壶": ("保温杯", "玻璃杯", "焖烧杯"),
    "生活家居": ("收纳", "清洁"),
    "套装组合": (),
}
COLOURS = {"黑色": "BK", "白色": "WH", "粉色": "PK", "绿色": "GN"}

# style code, name, category, attribute name, values (value, code suffix, price), cost ratio,
# weight g, tags, best seller
PRODUCTS: tuple[tuple[Any, ...], ...] = (
    (
        "GLT-CUP-500",
        "不锈钢真空保温杯 500ml",
        "杯壶/保温杯",
        "颜色",
        ("黑色", "白色", "粉色", "绿色"),
        "79.00",
        350,
        ("引流款",),
        True,
    ),
    (
        "GLT-CUP-350",
        "迷你随行保温杯 350ml",
        "杯壶/保温杯",
        "颜色",
        ("黑色", "粉色"),
        "59.00",
        260,
        ("新品",),
        False,
    ),
    (
        "GLT-CUP-1000",
        "大容量运动保温壶 1L",
        "杯壶/保温杯",
        "颜色",
        ("黑色", "绿色"),
        "129.00",
        560,
        ("利润款",),
        False,
    ),
    (
        "GLT-GLASS-400",
        "双层防烫玻璃杯 400ml",
        "杯壶/玻璃杯",
        "颜色",
        ("白色",),
        "39.00",
        300,
        ("引流款",),
        False,
    ),
    (
        "GLT-GLASS-TEA",
        "茶水分离玻璃泡茶杯",
        "杯壶/玻璃杯",
        "颜色",
        ("白色", "绿色"),
        "69.00",
        380,
        ("利润款",),
        False,
    ),
    (
        "GLT-JAR-800",
        "焖烧杯 800ml",
        "杯壶/焖烧杯",
        "颜色",
        ("白色", "粉色"),
        "99.00",
        520,
        ("形象款",),
        False,
    ),
    (
        "GLT-KETTLE-17",
        "电热水壶 1.7L",
        "厨房电器/电热水壶",
        "颜色",
        ("白色", "黑色"),
        "129.00",
        1200,
        ("引流款",),
        True,
    ),
    (
        "GLT-KETTLE-TH",
        "恒温电热水壶 1.5L",
        "厨房电器/电热水壶",
        "颜色",
        ("白色",),
        "199.00",
        1350,
        ("利润款",),
        False,
    ),
    (
        "GLT-KETTLE-TRV",
        "便携旅行电热水壶 0.6L",
        "厨房电器/电热水壶",
        "颜色",
        ("白色", "粉色"),
        "149.00",
        700,
        ("新品",),
        False,
    ),
    (
        "GLT-JUICER-P",
        "便携榨汁杯",
        "厨房电器/榨汁机",
        "颜色",
        ("粉色", "绿色", "白色"),
        "99.00",
        650,
        ("引流款", "活动款"),
        True,
    ),
    (
        "GLT-JUICER-S",
        "原汁机 慢速榨汁机",
        "厨房电器/榨汁机",
        "颜色",
        ("白色",),
        "699.00",
        5200,
        ("形象款",),
        False,
    ),
    (
        "GLT-BLENDER",
        "多功能破壁料理机",
        "厨房电器/榨汁机",
        "颜色",
        ("白色", "黑色"),
        "459.00",
        4300,
        ("利润款",),
        False,
    ),
    (
        "GLT-FRYER-4",
        "空气炸锅 4L",
        "厨房电器/空气炸锅",
        "颜色",
        ("黑色", "白色"),
        "299.00",
        3900,
        ("引流款",),
        True,
    ),
    (
        "GLT-FRYER-6",
        "可视空气炸锅 6L",
        "厨房电器/空气炸锅",
        "颜色",
        ("黑色",),
        "459.00",
        5100,
        ("利润款",),
        False,
    ),
    (
        "GLT-FRYER-2",
        "迷你空气炸锅 2L",
        "厨房电器/空气炸锅",
        "颜色",
        ("粉色", "绿色"),
        "199.00",
        2400,
        ("新品",),
        False,
    ),
    (
        "GLT-RICE-3",
        "智能电饭煲 3L",
        "厨房电器/电饭煲",
        "颜色",
        ("白色",),
        "259.00",
        3200,
        ("利润款",),
        False,
    ),
    (
        "GLT-RICE-MINI",
        "迷你电饭煲 1.2L",
        "厨房电器/电饭煲",
        "颜色",
        ("白色", "粉色"),
        "159.00",
        1800,
        ("引流款",),
        False,
    ),
    (
        "GLT-BOX-3",
        "厨房保鲜收纳盒 三件套",
        "生活家居/收纳",
        "颜色",
        ("白色",),
        "49.00",
        600,
        ("引流款",),
        False,
    ),
    (
        "GLT-BOX-RICE",
        "密封米桶 10kg",
        "生活家居/收纳",
        "颜色",
        ("白色", "绿色"),
        "89.00",
        1500,
        ("利润款",),
        False,
    ),
    (
        "GLT-SHELF",
        "调料置物架",
        "生活家居/收纳",
        "颜色",
        ("黑色", "白色"),
        "69.00",
        1100,
        ("活动款",),
        False,
    ),
    (
        "GLT-MOP",
        "旋转拖把套装",
        "生活家居/清洁",
        "颜色",
        ("绿色",),
        "119.00",
        2600,
        ("引流款",),
        False,
    ),
    (
        "GLT-CLOTH",
        "超细纤维抹布 10 条装",
        "生活家居/清洁",
        "颜色",
        ("白色",),
        "29.00",
        300,
        ("引流款",),
        False,
    ),
    (
        "GLT-BRUSH",
        "电动清洁刷",
        "生活家居/清洁",
        "颜色",
        ("白色", "粉色"),
        "139.00",
        700,
        ("新品",),
        False,
    ),
    (
        "GLT-CUP-KIDS",
        "儿童吸管保温杯",
        "杯壶/保温杯",
        "颜色",
        ("粉色", "绿色"),
        "89.00",
        320,
        ("活动款",),
        False,
    ),
    (
        "GLT-CUP-CAR",
        "车载保温杯 450ml",
        "杯壶/保温杯",
        "颜色",
        ("黑色",),
        "99.00",
        380,
        ("利润款",),
        False,
    ),
    (
        "GLT-GLASS-SET",
        "耐热玻璃杯 6 只装",
        "杯壶/玻璃杯",
        "颜色",
        ("白色",),
        "79.00",
        1400,
        ("活动款",),
        False,
    ),
    (
        "GLT-KETTLE-GLS",
        "玻璃电热水壶 1.8L",
        "厨房电器/电热水壶",
        "颜色",
        ("白色",),
        "169.00",
        1500,
        ("形象款",),
        False,
    ),
    (
        "GLT-FRYER-PAPER",
        "空气炸锅专用烘焙纸 100 张",
        "厨房电器/空气炸锅",
        "颜色",
        ("白色",),
        "19.90",
        200,
        ("引流款",),
        False,
    ),
)
COMBOS = (
    ("GLT-SET-COUPLE", "情侣保温杯套装", (("GLT-CUP-500-BK", 1), ("GLT-CUP-500-PK", 1)), "149.00"),
    (
        "GLT-SET-BREAKFAST",
        "早餐组合：榨汁杯 + 电热水壶",
        (("GLT-JUICER-P-GN", 1), ("GLT-KETTLE-17-WH", 1)),
        "209.00",
    ),
)
INCOMPLETE_DESCRIPTIONS = {
    "GLT-BRUSH",
    "GLT-CUP-KIDS",
    "GLT-SHELF",
    "GLT-FRYER-PAPER",
    "GLT-JAR-800",
}
# Photographed so far (R2.7: best sellers first); the rest show on the "photos missing" list.
WITH_PHOTOS = {
    "GLT-CUP-500",
    "GLT-KETTLE-17",
    "GLT-JUICER-P",
    "GLT-FRYER-4",
    "GLT-CUP-350",
    "GLT-GLASS-400",
}
LISTING_STORES = ("tb-main", "tm-flagship")
TEMPLATE_TEXT = {
    "service_logistics": "全国包邮（偏远地区除外），48 小时内发货；7 天无理由退换，1 年质保，质量问题换新。",
    "specifications": "品牌：格润莱特\n型号：\n容量/尺寸：\n材质：\n额定功率：\n包装清单：",
}


def ean13(serial: int) -> str:
    body = f"690123{serial:06d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _image_bytes(width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "#e8f1ec")
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 5, height // 5, width * 4 // 5, height * 4 // 5), fill="#2f7d5b")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def seed_catalog(*, users: dict[str, Any], stores: dict[str, Any]) -> None:
    if Product.objects.filter(style_code=PRODUCTS[0][0]).exists():
        return
    yunying, qihua, meigong = users["yunying"], users["qihua"], users["meigong"]
    positioning_tags()
    modules = description_modules()

    categories: dict[tuple[str, str], Category] = {}
    for store_code in LISTING_STORES:
        store = stores[store_code]
        for top, children in CATEGORY_TREE.items():
            parent = catalog.category_create(actor=yunying, store=store, name=top)
            categories[(store_code, top)] = parent
            for child in children if store_code == "tb-main" else ():
                categories[(store_code, f"{top}/{child}")] = catalog.category_create(
                    actor=yunying, store=store, name=child, parent=parent
                )
    for top in ("厨房电器", "杯壶"):
        catalog.description_template_save(
            actor=qihua, category=categories[("tb-main", top)], bodies=TEMPLATE_TEXT
        )

    standard = photo_standard_get()
    picture = _image_bytes(standard.min_width, standard.min_height)
    serial = 0
    products: list[tuple[Product, str, str]] = []
    for style, name, path, attribute, values, price, weight, tags, best in PRODUCTS:
        product = catalog.product_create(
            actor=yunying,
            name=name,
            style_code=style,
            category=categories[("tb-main", path)],
            attribute_names=[attribute],
            tags=tags,
            is_best_seller=best,
        )
        for value in values:
            serial += 1
            catalog.sku_create(
                actor=yunying,
                product=product,
                merchant_code=f"{style}-{COLOURS[value]}",
                barcode=ean13(serial),
                attributes={attribute: value},
                price=price,
                standard_cost=(Decimal(price) * Decimal("0.42")).quantize(Decimal("0.01")),
                weight_g=weight,
            )
        products.append((product, style, path))
        if style not in INCOMPLETE_DESCRIPTIONS:
            catalog.description_save(
                actor=qihua,
                product=product,
                bodies={
                    m.code: f"{name}｜{m.name}：格润莱特品质之选，{path.split('/')[-1]}。"
                    for m in modules
                },
            )
        else:
            catalog.description_save(
                actor=qihua, product=product, bodies={modules[0].code: f"{name}：卖点待完善。"}
            )
        if style in WITH_PHOTOS:
            count_main = standard.min_main_images if best or serial % 3 else 1
            for _index in range(count_main):
                catalog.image_upload(
                    actor=meigong,
                    product=product,
                    kind=ImageKind.MAIN,
                    content=picture,
                    filename="main.png",
                )
            for _index in range(standard.min_detail_images):
                catalog.image_upload(
                    actor=meigong,
                    product=product,
                    kind=ImageKind.DETAIL,
                    content=picture,
                    filename="detail.png",
                )

    combo_category = categories[("tb-main", "套装组合")]
    for style, name, parts, price in COMBOS:
        product = catalog.product_create(
            actor=yunying, name=name, style_code=style, category=combo_category, tags=("活动款",)
        )
        combo = catalog.sku_create(
            actor=yunying, product=product, merchant_code=style, price=price, is_combo=True
        )
        components = [(Sku.objects.get(merchant_code=code), qty) for code, qty in parts]
        catalog.combo_set_components(actor=yunying, combo=combo, components=components)
        catalog.description_save(
            actor=qihua, product=product, bodies={m.code: f"{name}｜{m.name}" for m in modules}
        )
        products.append((product, style, "套装组合"))

    for index, (product, style, path) in enumerate(products):
        for store_code in LISTING_STORES:
            if store_code != "tb-main" and index % 3:
                continue
            store_path = path if store_code == "tb-main" else path.split("/")[0]
            listing = catalog.listing_create(
                actor=yunying,
                store=stores[store_code],
                product=product,
                category=categories[(store_code, store_path)],
            )
            if style not in INCOMPLETE_DESCRIPTIONS:
                catalog.listing_set_status(
                    actor=yunying, listing=listing, status=ListingStatus.ON_SALE
                )
        if index < 6:  # Taobao item ids for the first products
            for position, sku in enumerate(product.skus.order_by("id")):
                catalog.mapping_create(
                    actor=yunying,
                    store=stores["tb-main"],
                    sku=sku,
                    platform_item_id=f"6{index + 1:011d}",
                    platform_sku_id=f"5{index + 1:06d}{position:05d}",
                )
