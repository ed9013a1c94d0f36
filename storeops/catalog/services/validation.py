"""Field rules shared by the services and the import: merchant codes, barcodes, attributes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from storeops.core.errors import Invalid

MERCHANT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
BARCODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
GTIN_LENGTHS = (8, 12, 13, 14)
MONEY_MAX = Decimal("9999999999.99")


def merchant_code_clean(value: Any) -> str:
    """ASCII letters and digits, then also - _ . / ; at most 64 (e.g. GLT-CUP-500-BK)."""
    code = str(value or "").strip()
    if not code:
        raise Invalid(
            "sku.merchant_code_required", _("商家编码不能为空"), {"field": "merchant_code"}
        )
    if not MERCHANT_CODE.match(code):
        raise Invalid(
            "sku.merchant_code_invalid",
            _("商家编码只能由英文字母、数字和 - _ . / 组成（以字母或数字开头，最多 64 位）"),
            {"field": "merchant_code"},
        )
    return code


def gtin_check_digit_ok(code: str) -> bool:
    """GS1 check digit of an EAN-8/UPC-A/EAN-13/GTIN-14."""
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def barcode_clean(value: Any) -> str:
    """ASCII letters, digits and - (internal codes are allowed). A code that looks like a GTIN
    (8, 12, 13 or 14 digits) must carry a valid check digit: a wrong one is nearly always a typo,
    and a scanner would then never find the SKU."""
    code = str(value or "").strip()
    if not code:
        return ""
    if not BARCODE.match(code):
        raise Invalid(
            "sku.barcode_invalid",
            _("条码只能由英文字母、数字和 - 组成，最多 32 位"),
            {"field": "barcode"},
        )
    if code.isdigit() and len(code) in GTIN_LENGTHS and not gtin_check_digit_ok(code):
        raise Invalid(
            "sku.barcode_check_digit",
            _("条码 %(code)s 的校验位不正确（EAN/UPC），请核对") % {"code": code},
            {"field": "barcode"},
        )
    return code


def money_clean(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception as exc:
        raise Invalid("invalid", _("%(label)s无效") % {"label": label}, {"field": field}) from exc
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise Invalid("invalid", _("%(label)s无效") % {"label": label}, {"field": field})
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("invalid", _("%(label)s最多两位小数") % {"label": label}, {"field": field})
    return amount.quantize(Decimal("0.01"))


def attribute_names_clean(names: Sequence[Any]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        text = str(name or "").strip()
        if not text or len(text) > 20 or any(c in text for c in ":;："):
            raise Invalid(
                "product.attribute_name_invalid",
                _("规格项名称无效：%(name)s") % {"name": text},
                {"field": "attribute_names"},
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def attributes_clean(attributes: Mapping[str, Any], names: Sequence[str]) -> dict[str, str]:
    """A SKU's values for the product's attribute names; every name needs a value, no others."""
    values = {str(k).strip(): str(v or "").strip() for k, v in (attributes or {}).items()}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise Invalid(
            "sku.attribute_unknown",
            _("商品没有这些规格项：%(names)s") % {"names": "、".join(unknown)},
            {"field": "attributes"},
        )
    missing = [n for n in names if not values.get(n)]
    if missing:
        raise Invalid(
            "sku.attribute_missing",
            _("请填写规格：%(names)s") % {"names": "、".join(missing)},
            {"field": "attributes"},
        )
    for value in values.values():
        if len(value) > 40 or any(c in value for c in ";；"):
            raise Invalid(
                "sku.attribute_invalid",
                _("规格值无效：%(value)s") % {"value": value},
                {"field": "attributes"},
            )
    return {n: values[n] for n in names}


def attribute_key(attributes: Mapping[str, str], names: Sequence[str]) -> str:
    """`颜色:黑色;容量:500ml` in the product's attribute order: unique within the product."""
    return ";".join(f"{n}:{attributes[n]}" for n in names if n in attributes)


def attributes_parse(text: str) -> dict[str, str]:
    """`颜色:黑色;容量:500ml` (also full-width ：；) → {"颜色": "黑色", "容量": "500ml"}."""
    result: dict[str, str] = {}
    normalised = text.replace("：", ":").replace("；", ";")
    for part in normalised.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(_("规格格式应为“颜色:黑色;容量:500ml”"))
        result[name.strip()] = value.strip()
    return result
