"""Fast cell parsing for order exports: the common case costs a `strip()`, the quirks fall back to
`core.imports` (`="…"`, leading tab or apostrophe, 元 and thousands separators)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from storeops.core.imports import clean_text, is_wrapped, parse_decimal
from storeops.orders.importing.layouts import FLAG_WORDS

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits 12, 2 places
_QUIRK_START = frozenset("='\"\t")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?[eE][+-]?\d+$")
_DIGITS = re.compile(r"^\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user (Chinese)."""


def text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        stripped = value.strip()
        if stripped and (stripped[0] in _QUIRK_START or stripped[-1] == '"'):
            if stripped[:2] == '="' and stripped[-1] == '"' and '"' not in stripped[2:-1]:
                inner = stripped[2:-1].strip()  # the platform's ="…" text wrapper
                if not inner or inner[0] not in _QUIRK_START:
                    return inner.replace("\x00", "")
            return clean_text(stripped)
        return stripped.replace("\x00", "")
    return clean_text(value)


def bounded(value: Any, limit: int) -> str:
    """Text cut to the column's length (NUL removed: PostgreSQL cannot store it)."""
    if value is None:
        return ""
    result = text(value)
    return result if len(result) <= limit else result[:limit]


def damaged_number(cleaned: str, raw: Any) -> bool:
    """Excel's damage to a long id: scientific notation, or 18–19 digits ending in ≥ 4 zeros.

    A wrapped `="…"` value is the platform's own text and always trusted.
    """
    if is_wrapped(raw):
        return False
    if isinstance(raw, float):
        return not (raw.is_integer() and abs(raw) < 1e15)
    if _SCIENTIFIC.match(cleaned):
        return True
    return (
        18 <= len(cleaned) <= 19 and cleaned.endswith("0000") and _DIGITS.match(cleaned) is not None
    )


def order_number(raw: Any, label: str) -> str:
    if type(raw) is str and raw[:2] == '="' and raw[-1:] == '"' and raw[2:-1].isalnum():
        return raw[2:-1]  # the platform's own ="…" text: trusted, whatever its digits
    value = text(raw)
    if not value:
        raise CellError(_("%(label)s不能为空") % {"label": label})
    if damaged_number(value, raw):
        raise CellError(
            _(
                "%(label)s“%(value)s”已被 Excel 改坏（科学计数法或末尾变成 0），"
                "请从平台重新导出原始文件直接导入，不要用 Excel 打开后保存"
            )
            % {"label": label, "value": value}
        )
    if len(value) > 64 or _CONTROL.search(value):
        raise CellError(_("%(label)s“%(value)s”格式不对") % {"label": label, "value": value[:64]})
    return value


_PLAIN_AMOUNT = re.compile(r"\d{1,10}(?:\.\d{1,2})?")


def amount(raw: Any) -> str | None:
    """Money as a 2-place string, or None for an empty cell."""
    if raw is None or raw == "":
        return None
    if type(raw) is str:
        value_text = raw.strip()
        if not value_text:
            return None
        if _PLAIN_AMOUNT.fullmatch(value_text):  # the common case: `59`, `59.9`, `59.90`
            head, _dot, tail = value_text.partition(".")
            return f"{int(head)}.{(tail + '00')[:2]}"
        try:
            value = Decimal(value_text)
        except InvalidOperation:
            value = _slow_amount(raw)
    elif isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        value = _slow_amount(raw)
    if not value.is_finite():
        raise CellError(_("不是有效的金额：%(value)s") % {"value": text(raw)})
    if value < 0:
        raise CellError(_("金额不能为负数"))
    if value > MAX_AMOUNT:
        raise CellError(_("金额过大：%(value)s") % {"value": text(raw)})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CellError(_("金额最多 2 位小数：%(value)s") % {"value": text(raw)})
    return str(value.quantize(CENT))


def _slow_amount(raw: Any) -> Decimal:
    try:
        return parse_decimal(raw, places=6, minimum=None).normalize()
    except ValueError as exc:
        raise CellError(_("不是有效的金额：%(value)s") % {"value": text(raw)}) from exc


def quantity(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    else:
        value = text(raw)
        if value.isdigit():
            number = int(value)
        else:
            try:
                decimal = parse_decimal(raw, places=0, minimum=None)
            except ValueError as exc:
                raise CellError(_("数量应为正整数：%(value)s") % {"value": value}) from exc
            number = int(decimal)
    if not 1 <= number <= 1_000_000:
        raise CellError(_("数量应在 1 到 1000000 之间"))
    return number


_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
)
MIN_DATE = dt.datetime(2000, 1, 1)  # noqa: DTZ001 — platform times are local, made aware on write
MAX_DATE = dt.datetime(2100, 1, 1)  # noqa: DTZ001


def local_time(raw: Any) -> str | None:
    """A platform time (Asia/Shanghai, naive) as 'YYYY-MM-DD HH:MM:SS', or None when empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        value = raw.replace(tzinfo=None, microsecond=0)
    elif isinstance(raw, dt.date):
        value = dt.datetime(raw.year, raw.month, raw.day)  # noqa: DTZ001
    else:
        stamp = text(raw)
        if not stamp or stamp in ("-", "0000-00-00 00:00:00", "null", "NULL"):
            return None
        try:
            value = dt.datetime.fromisoformat(stamp)
        except ValueError:
            value = _slow_time(stamp)
        else:
            if len(stamp) == 19 and stamp[10] == " " and value.tzinfo is None:
                if not MIN_DATE <= value < MAX_DATE:
                    raise CellError(_("时间超出范围：%(value)s") % {"value": stamp})
                return stamp  # already 'YYYY-MM-DD HH:MM:SS'
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
        value = value.replace(microsecond=0)
    if not MIN_DATE <= value < MAX_DATE:
        raise CellError(_("时间超出范围：%(value)s") % {"value": text(raw)})
    return value.isoformat(" ")


def _slow_time(stamp: str) -> dt.datetime:
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(stamp, pattern)  # noqa: DTZ007 — local, see above
        except ValueError:
            continue
    raise CellError(_("不是有效的时间：%(value)s") % {"value": stamp})


def flag(raw: Any) -> str:
    value = text(raw).lower()
    if value in ("", "0", "无", "none", "灰", "灰旗"):
        return ""
    found = FLAG_WORDS.get(value) or FLAG_WORDS.get(value[:1])
    if found is None:
        raise CellError(_("无法识别的旗帜：%(value)s") % {"value": value})
    return found


_POSTCODE = re.compile(r"[(（]\s*\d{6}\s*[)）]\s*$|\s+\d{6}$")
_ADMIN = re.compile(
    r"^(?P<province>[^省市自治区]{2,7}(?:省|自治区|特别行政区)|北京市?|天津市?|上海市?|重庆市?)"
    r"(?P<city>[^市州盟]{1,10}?(?:市|自治州|州|盟|地区))?"
    r"(?P<district>[^区县旗]{1,10}?(?:区|县|旗|市))?"
)


def split_address(raw: str) -> tuple[str, str, str, str]:
    """Taobao/JD give one string, `省 市 区 详细地址(邮编)`: split it, keep the rest as street."""
    if raw[-1:] == ")" and raw[-8:-7] == "(" and raw[-7:-1].isdigit() and raw[-7:-1].isascii():
        address = raw[:-8].strip()  # `…(310000)`, as _POSTCODE would take it off
    else:
        address = _POSTCODE.sub("", raw).strip()
    parts = address.split()
    if len(parts) >= 4:
        return parts[0][:40], parts[1][:40], parts[2][:40], " ".join(parts[3:])[:255]
    compact = "".join(parts)
    match = _ADMIN.match(compact)
    if match is None:
        return "", "", "", compact[:255]
    province = match.group("province") or ""
    city = match.group("city") or ""
    district = match.group("district") or ""
    return province[:40], city[:40], district[:40], compact[match.end() :][:255]


def phone_last4(phone: str) -> str:
    main = re.split(r"[-转,，#]", phone, maxsplit=1)[0]
    digits = main.rstrip()
    tail = digits[-4:]
    return tail if len(tail) == 4 and tail.isdigit() else ""
