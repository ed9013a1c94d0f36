"""Small builders shared by the catalog tests."""

from __future__ import annotations

import io

from PIL import Image

from storeops.catalog import services


def png(width: int = 800, height: int = 800, color: str = "#3a7") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_product(actor, name="测试保温杯", code="T-CUP-1", **extra):
    product = services.product_create(
        actor=actor, name=name, attribute_names=extra.pop("attribute_names", ["颜色"])
    )
    sku = services.sku_create(
        actor=actor,
        product=product,
        merchant_code=code,
        attributes=extra.pop("attributes", {"颜色": "黑色"}),
        price=extra.pop("price", "59.00"),
        **extra,
    )
    return product, sku


def fill_description(actor, product, text="内容"):
    from storeops.catalog.selectors import description_modules

    services.description_save(
        actor=actor,
        product=product,
        bodies={m.code: f"{m.name}{text}" for m in description_modules()},
    )
