"""Files → validated, grouped orders, streaming, in bounded memory.

Stage 1 reads every file row by row, checks each cell (errors carry the user's line) and puts the
cleaned values into a private staging area (`staging.Staging`): order-level values once per
order number, line values per row. That is where Taobao's two files meet on 订单编号 — in dicts
for an import that fits in memory, in a throw-away SQLite file for a larger one (a million
orders), with the same answers either way.
Stage 2 streams the joined orders out of staging in order-number order, each with its lines and a
digest of everything the platform said about it (the re-import compares one value).

Speed (issue 5): a CSV row whose cells show no quirk takes `RowParser.parse_csv`'s fast path
(no per-cell cleaning; amounts, statuses memoised); any quirk or error falls back to `parse`,
which holds the exact rules and messages (tests/test_orders_import_fastpath.py holds the two
paths equal).

Nothing here touches the application database: the caller (`orders.services.imports`) writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from storeops.core.imports import MAX_ERRORS, ImportFileInvalid, clean_text
from storeops.orders.enums import AfterSalesMarker, LineStatus, OrderStatus
from storeops.orders.importing import cells, parallel
from storeops.orders.importing.layouts import ITEMS, ORDERS, SINGLE, Layout, detect_layout
from storeops.orders.importing.reading import ImportFile, is_blank, records
from storeops.orders.importing.staging import (  # noqa: F401 — re-exported for the writer
    L_COLS,
    LI,
    O_COLS,
    OI,
    StagedOrder,
    Staging,
)

MIN_DATE, MAX_DATE = cells.MIN_DATE, cells.MAX_DATE

ZERO = "0.00"

Progress = Callable[[int, int | None], None]


# --- errors --------------------------------------------------------------------------------------
@dataclass
class Errors:
    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    with_file: bool = False

    def add(self, line: int, field_name: str, message: Any, file_name: str = "") -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            error: dict[str, Any] = {"line": line, "field": field_name, "message": str(message)}
            if self.with_file and file_name:
                error["file"] = file_name
            self.items.append(error)

    def extend(self, items: list[dict[str, Any]], count: int) -> None:
        """Errors another process collected (see `parallel`), after these."""
        self.items.extend(items[: max(MAX_ERRORS - len(self.items), 0)])
        self.count += count


# --- stage 1: rows → staging ---------------------------------------------------------------------
@dataclass
class FilePlan:
    file: ImportFile
    index: int
    layout: Layout
    positions: dict[str, int]
    header_line: int
    rows: Iterator[tuple[int, list[Any]]]


def plan_file(
    file: ImportFile,
    index: int,
    *,
    platform: str,
    aliases: Mapping[str, Sequence[tuple[str, str]]],
) -> FilePlan:
    """Open a file, find its header (the first non-blank row), detect its layout, map columns."""
    rows = records(file)
    header_line, header = 0, None
    for line, record in rows:
        if not is_blank(record):
            header_line, header = line, record
            break
    if header is None:
        raise ImportFileInvalid(message=_("文件“%(name)s”是空的") % {"name": file.name})
    headers = [clean_text(h) for h in header]
    layout = detect_layout(headers, platform=platform, aliases=aliases)
    if layout is None:
        raise ImportFileInvalid(
            "orders.import.format_unknown",
            _("无法识别文件“%(name)s”的格式：表头不像淘宝、京东、拼多多、抖店的订单导出或通用模板")
            % {"name": file.name},
            {"file": file.name, "headers": headers[:60]},
        )
    mapping = layout.header_map(aliases.get(layout.platform, ()))
    from storeops.core.imports import normalise_header

    positions: dict[str, int] = {}
    for position, cell in enumerate(headers):
        name = mapping.get(normalise_header(cell))
        if name is not None:
            positions.setdefault(name, position)
    missing = [layout.label_of(name) for name in layout.required if name not in positions]
    if missing:
        raise ImportFileInvalid(
            "import.columns_missing",
            _("文件“%(name)s”（%(layout)s）缺少必需的列：%(columns)s")
            % {"name": file.name, "layout": layout.label, "columns": "、".join(missing)},
            {"file": file.name, "missing": missing},
        )
    return FilePlan(file, index, layout, positions, header_line, rows)


def _line_status(layout: Layout, raw: str) -> str:
    if not raw:
        return LineStatus.NORMAL.value
    if "退款成功" in raw or "已退款" in raw:
        return LineStatus.REFUNDED.value
    if "退款中" in raw or "申请退款" in raw:
        return LineStatus.REFUNDING.value
    status = layout.statuses.get(_status_key(raw))
    if status == OrderStatus.CLOSED:
        return LineStatus.CLOSED.value
    if status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        return LineStatus.SHIPPED.value
    return LineStatus.NORMAL.value


def _status_key(raw: str) -> str:
    from storeops.orders.importing.layouts import status_key

    return status_key(raw)


def _aftersales(raw: str) -> str:
    if not raw or any(w in raw for w in ("无售后", "售后取消", "关闭", "撤销", "取消")):
        return AfterSalesMarker.NONE.value
    if any(w in raw for w in ("成功", "完成", "已退款")):
        return AfterSalesMarker.REFUNDED.value
    return AfterSalesMarker.REQUESTED.value


def _dec(value: str | None) -> Decimal:
    return Decimal(value) if value else Decimal(0)


# The CSV fast path takes a row's cells as they are when, joined with _SEP, they show no
# quirk: no `="…"` wrapper, leading tab or apostrophe, quote, surrounding space (an ASCII space
# next to a separator; every other whitespace is not printable), NUL. Anything else (even a
# harmless `=` inside a title) goes through `parse`, so a false alarm only costs time.
_SEP = "¦"
# Cleaned by the fast path itself (not in the quirk check): wrapped ids and '-prefixed phones.
_SELF_CLEANED = frozenset({"order_no", "line_id", "receiver_phone", "receiver_mobile"})
AMOUNT_MEMO_MAX = 100_000


class _AmountMemo(dict[str, str | None]):
    """Amount cells repeat (prices, 0.00): each distinct text is parsed once."""

    def __missing__(self, key: str) -> str | None:
        value = cells.amount(key)
        if len(self) < AMOUNT_MEMO_MAX:
            self[key] = value
        return value


def _fast_time(stamp: str) -> str | None:
    """`cells.local_time` for a clean CSV cell; ValueError/CellError send the row to `parse`."""
    if not stamp:
        return None
    if len(stamp) == 19 and stamp[10] == " ":
        value = dt.datetime.fromisoformat(stamp)  # '2026-10-01 10:10+08' has a zone: slow path
        if value.tzinfo is None and MIN_DATE <= value < MAX_DATE:
            return stamp
        raise ValueError(stamp)
    return cells.local_time(stamp)


# Every field a layout may map, in the order RowParser unpacks them.
ALL_FIELDS = (
    "order_no",
    "buyer_id",
    "buyer_nick",
    "receiver_name",
    "receiver_phone",
    "receiver_mobile",
    "receiver_address",
    "province",
    "city",
    "district",
    "street",
    "buyer_message",
    "seller_remark",
    "flag",
    "goods_amount",
    "shipping_amount",
    "discount_amount",
    "paid_amount",
    "total_amount",
    "refund_amount",
    "created_at",
    "paid_at",
    "shipped_at",
    "finished_at",
    "status",
    "close_reason",
    "courier",
    "tracking_no",
    "aftersales",
    "line_id",
    "title",
    "attributes",
    "quantity",
    "unit_price",
    "line_discount",
    "merchant_code",
    "merchant_code_alt",
    "item_id",
    "sku_id",
    "line_status",
)


class RowParser:
    """Turns one record of a planned file into staged order and line tuples (or cell errors).

    Hot path (a million rows): one C `itemgetter` call picks every mapped cell (absent fields
    read a trailing None), then straight-line code; the slow paths only run for quirky cells.
    """

    def __init__(self, plan: FilePlan) -> None:
        self.plan = plan
        self.layout = plan.layout
        self.pos = plan.positions
        self.wants_order = plan.layout.kind in (ORDERS, SINGLE)
        self.wants_line = plan.layout.kind in (ITEMS, SINGLE)
        self.width = max(plan.positions.values()) + 1
        self.getter = itemgetter(*[plan.positions.get(f, -1) for f in ALL_FIELDS])
        self.has_created = "created_at" in plan.positions
        self.labels = {f: plan.layout.label_of(f) for f in ALL_FIELDS}
        self.status_memo: dict[str, str] = {}
        self.line_status_memo: dict[str, str] = {}
        self.amount_memo = _AmountMemo()
        # the fast path picks the order half and the line half of ALL_FIELDS separately
        self.order_no_at = plan.positions["order_no"]
        self.order_getter = itemgetter(*[plan.positions.get(f, -1) for f in ALL_FIELDS[1:29]])
        self.line_getter = itemgetter(*[plan.positions.get(f, -1) for f in ALL_FIELDS[29:]])
        # the cells the CSV fast path takes as they are (the others it cleans itself)
        plain = [p for f, p in plan.positions.items() if f not in _SELF_CLEANED]
        self.plain_getter: Callable[[list[Any]], Any]
        if len(plain) > 1:
            self.plain_getter = itemgetter(*plain)
        elif plain:
            self.plain_getter = lambda r, p=plain[0]: (r[p],)
        else:
            self.plain_getter = lambda _r: ()

    def label(self, name: str) -> str:
        return self.labels[name]

    def parse(
        self, record: list[Any], errors: list[tuple[str, str]]
    ) -> tuple[str | None, tuple[Any, ...] | None, tuple[Any, ...] | None]:
        short = self.width - len(record)
        if short > 0:
            record.extend([None] * short)
        record.append(None)
        (
            r_order_no,
            r_buyer_id,
            r_buyer_nick,
            r_receiver_name,
            r_receiver_phone,
            r_receiver_mobile,
            r_receiver_address,
            r_province,
            r_city,
            r_district,
            r_street,
            r_buyer_message,
            r_seller_remark,
            r_flag,
            r_goods,
            r_shipping,
            r_discount,
            r_paid,
            r_total,
            r_refund,
            r_created,
            r_paid_at,
            r_shipped_at,
            r_finished_at,
            r_status,
            r_close_reason,
            r_courier,
            r_tracking_no,
            r_aftersales,
            r_line_id,
            r_title,
            r_attributes,
            r_quantity,
            r_unit_price,
            r_line_discount,
            r_merchant_code,
            r_merchant_code_alt,
            r_item_id,
            r_sku_id,
            r_line_status,
        ) = self.getter(record)
        text = cells.text
        bounded = cells.bounded
        amount = cells.amount
        local_time = cells.local_time
        cell_error = cells.CellError
        labels = self.labels
        try:
            order_no: str | None = cells.order_number(r_order_no, labels["order_no"])
        except cell_error as exc:
            errors.append((labels["order_no"], str(exc)))
            order_no = text(r_order_no)[:64] or None  # still groups its rows
        order = line = None
        if self.wants_order:
            status_text = text(r_status)
            status = self.status_memo.get(status_text)
            if status is None:
                status = self.layout.statuses.get(_status_key(status_text))
                if status is not None:
                    status = str.__str__(status)  # the plain value (staged with marshal)
                    self.status_memo[status_text] = status
            if status is None:
                if status_text:
                    message = _("无法识别的订单状态“%(value)s”") % {"value": status_text[:40]}
                else:
                    message = _("订单状态不能为空")
                errors.append((labels["status"], message))
            values: dict[str, Any] = {}
            for name, raw_value, parse in (
                ("created_at", r_created, local_time),
                ("paid_at", r_paid_at, local_time),
                ("shipped_at", r_shipped_at, local_time),
                ("finished_at", r_finished_at, local_time),
                ("goods_amount", r_goods, amount),
                ("shipping_amount", r_shipping, amount),
                ("total_amount", r_total, amount),
                ("paid_amount", r_paid, amount),
                ("discount_amount", r_discount, amount),
                ("refund_amount", r_refund, amount),
            ):
                if raw_value is None or raw_value == "":
                    values[name] = None
                    continue
                try:
                    values[name] = parse(raw_value)
                except cell_error as exc:
                    errors.append((labels[name], str(exc)))
            try:
                flag = cells.flag(r_flag) if r_flag else ""
            except cell_error as exc:
                errors.append((labels["flag"], str(exc)))
            created_at = values.get("created_at")
            if created_at is None and self.has_created and not errors:
                errors.append((labels["created_at"], _("下单时间不能为空")))
            if errors:
                return order_no, None, None
            goods = values["goods_amount"]
            shipping = values["shipping_amount"]
            paid = values["paid_amount"]
            total = values["total_amount"]
            discount = values["discount_amount"]
            refund = values["refund_amount"] or ZERO
            if discount is None:
                gross = _dec(goods) + _dec(shipping)
                if paid is not None and paid != ZERO:
                    discount_value = gross - Decimal(paid)
                elif total is not None:
                    discount_value = gross - Decimal(total)
                else:
                    discount_value = Decimal(0)
                discount = ZERO if discount_value <= 0 else str(discount_value.quantize(cells.CENT))
            phone = bounded(r_receiver_mobile, 40) or bounded(r_receiver_phone, 40)
            address = bounded(r_receiver_address, 500)
            province = bounded(r_province, 40)
            city = bounded(r_city, 40)
            district = bounded(r_district, 40)
            street = bounded(r_street, 255)
            if address and not (province or city or district or street):
                province, city, district, street = cells.split_address(address)
            elif not address:
                address = "".join((province, city, district, street))[:500]
            aftersales = _aftersales(text(r_aftersales)) if r_aftersales else ""
            if refund != ZERO:
                paid_value = _dec(paid)
                aftersales = (
                    AfterSalesMarker.REFUNDED.value
                    if paid_value and Decimal(refund) >= paid_value
                    else AfterSalesMarker.PARTIALLY_REFUNDED.value
                )
            buyer_id = bounded(r_buyer_id, 100)
            buyer_nick = bounded(r_buyer_nick, 100)
            order = (
                buyer_id or buyer_nick,
                buyer_nick or buyer_id,
                bounded(r_receiver_name, 100),
                phone,
                cells.phone_last4(phone) if phone else "",
                province,
                city,
                district,
                street,
                address,
                bounded(r_buyer_message, 2000),
                bounded(r_seller_remark, 2000),
                flag,
                goods,  # None: the sum of the lines, in stage 2
                shipping or ZERO,
                discount,
                paid or ZERO,
                refund,
                created_at,
                values["paid_at"],
                values["shipped_at"],
                values["finished_at"],
                status,
                status_text[:60],
                bounded(r_close_reason, 255),
                bounded(r_courier, 40),
                bounded(r_tracking_no, 64),
                aftersales,
            )
        if self.wants_line:
            quantity = 1
            unit_price = line_discount = None
            try:
                quantity = cells.quantity(r_quantity)
            except cell_error as exc:
                errors.append((labels["quantity"], str(exc)))
            try:
                unit_price = amount(r_unit_price)
            except cell_error as exc:
                errors.append((labels["unit_price"], str(exc)))
            if r_line_discount:
                try:
                    line_discount = amount(r_line_discount)
                except cell_error as exc:
                    errors.append((labels["line_discount"], str(exc)))
            line_id = text(r_line_id) if r_line_id else ""
            if line_id and cells.damaged_number(line_id, r_line_id):
                errors.append(
                    (
                        labels["line_id"],
                        _("“%(value)s”已被 Excel 改坏，请从平台重新导出原始文件")
                        % {"value": line_id},
                    )
                )
            if errors:
                return order_no, None, None
            line_status = "normal"
            if r_line_status:
                line_status = self.line_status_memo.get(r_line_status)
                if line_status is None:
                    line_status = _line_status(self.layout, text(r_line_status))
                    self.line_status_memo[r_line_status] = line_status
            line = (
                line_id[:64],
                bounded(r_merchant_code, 64) or bounded(r_merchant_code_alt, 64),
                bounded(r_item_id, 64),
                bounded(r_sku_id, 64),
                bounded(r_title, 255),
                bounded(r_attributes, 255),
                quantity,
                unit_price or ZERO,
                line_discount or ZERO,
                line_status,
            )
        return order_no, order, line

    # -- the fast path for CSV records (every cell a str) --------------------------------------
    def parse_csv(
        self, record: list[Any], errors: list[tuple[str, str]]
    ) -> tuple[str | None, tuple[Any, ...] | None, tuple[Any, ...] | None]:
        """`parse` for a CSV record whose cells are already clean (the common case): no
        per-cell generic cleaning, memoised amounts and statuses. Any quirk (`="…"`, a leading
        tab or apostrophe, surrounding spaces, NUL) or any cell error falls back to `parse`,
        which has the exact semantics and the messages."""
        short = self.width - len(record)
        if short > 0:
            record.extend([""] * short)
        record.append("")
        joined = _SEP.join(self.plain_getter(record))
        if not (
            joined.isprintable()  # no NUL, tab, newline, NBSP, ideographic space, …
            and "=" not in joined
            and "'" not in joined
            and '"' not in joined
            and " ¦" not in joined
            and "¦ " not in joined
            and joined[:1] != " "
            and joined[-1:] != " "
        ):
            del record[-1]
            return self.parse(record, errors)
        try:
            return self._fast(record)
        except (cells.CellError, ValueError, KeyError):
            del record[-1]
            return self.parse(record, errors)

    def _fast(
        self, record: list[Any]
    ) -> tuple[str | None, tuple[Any, ...] | None, tuple[Any, ...] | None]:
        amounts = self.amount_memo
        raw_no = record[self.order_no_at]
        if raw_no[:2] == '="' and raw_no[-1:] == '"' and raw_no[2:-1].isalnum():
            order_no = raw_no[2:-1]  # the platform's own ="…" text (as cells.order_number)
        else:
            order_no = cells.order_number(raw_no, self.labels["order_no"])
        order = line = None
        if self.wants_order:
            (
                r_buyer_id,
                r_buyer_nick,
                r_receiver_name,
                r_receiver_phone,
                r_receiver_mobile,
                r_receiver_address,
                r_province,
                r_city,
                r_district,
                r_street,
                r_buyer_message,
                r_seller_remark,
                r_flag,
                r_goods,
                r_shipping,
                r_discount,
                r_paid,
                r_total,
                r_refund,
                r_created,
                r_paid_at,
                r_shipped_at,
                r_finished_at,
                r_status,
                r_close_reason,
                r_courier,
                r_tracking_no,
                r_aftersales,
            ) = self.order_getter(record)
            status = self.status_memo[r_status]  # KeyError: not seen yet → slow path once
            created_at = _fast_time(r_created)
            if created_at is None and self.has_created:
                raise KeyError
            paid_at = _fast_time(r_paid_at)
            shipped_at = _fast_time(r_shipped_at)
            finished_at = _fast_time(r_finished_at)
            goods = amounts[r_goods] if r_goods else None
            shipping = amounts[r_shipping] if r_shipping else None
            total = amounts[r_total] if r_total else None
            paid = amounts[r_paid] if r_paid else None
            discount = amounts[r_discount] if r_discount else None
            refund = (amounts[r_refund] if r_refund else None) or ZERO
            flag = cells.flag(r_flag) if r_flag else ""
            if (
                discount is None
                and (shipping is None or shipping == ZERO)
                and goods is not None
                and (paid if paid is not None and paid != ZERO else total) == goods
            ):
                discount = ZERO  # the common case, no Decimal: paid (or the total) is the goods
            if discount is None:
                gross = _dec(goods) + _dec(shipping)
                if paid is not None and paid != ZERO:
                    discount_value = gross - Decimal(paid)
                elif total is not None:
                    discount_value = gross - Decimal(total)
                else:
                    discount_value = Decimal(0)
                discount = ZERO if discount_value <= 0 else str(discount_value.quantize(cells.CENT))
            # phones are not in the quirk check: Taobao writes its mobiles as '138…
            mobile = r_receiver_mobile
            if mobile[:1] == "'" and mobile[1:].isdigit():
                phone = mobile[1:41]
            elif mobile.isdigit():
                phone = mobile[:40]
            else:
                phone = cells.bounded(mobile, 40)
            phone = phone or cells.bounded(r_receiver_phone, 40)
            if not phone:
                last4 = ""
            elif phone.isdigit():
                last4 = phone[-4:] if len(phone) >= 4 else ""
            else:
                last4 = cells.phone_last4(phone)
            address = r_receiver_address[:500]
            province = r_province[:40]
            city = r_city[:40]
            district = r_district[:40]
            street = r_street[:255]
            if address and not (province or city or district or street):
                province, city, district, street = cells.split_address(address)
            elif not address:
                address = "".join((province, city, district, street))[:500]
            aftersales = _aftersales(r_aftersales) if r_aftersales else ""
            if refund != ZERO:
                paid_value = _dec(paid)
                aftersales = (
                    AfterSalesMarker.REFUNDED.value
                    if paid_value and Decimal(refund) >= paid_value
                    else AfterSalesMarker.PARTIALLY_REFUNDED.value
                )
            buyer_id = r_buyer_id[:100]
            buyer_nick = r_buyer_nick[:100]
            order = (
                buyer_id or buyer_nick,
                buyer_nick or buyer_id,
                r_receiver_name[:100],
                phone,
                last4,
                province,
                city,
                district,
                street,
                address,
                r_buyer_message[:2000],
                r_seller_remark[:2000],
                flag,
                goods,
                shipping or ZERO,
                discount,
                paid or ZERO,
                refund,
                created_at,
                paid_at,
                shipped_at,
                finished_at,
                status,
                r_status[:60],
                r_close_reason[:255],
                r_courier[:40],
                r_tracking_no[:64],
                aftersales,
            )
        if self.wants_line:
            (
                r_line_id,
                r_title,
                r_attributes,
                r_quantity,
                r_unit_price,
                r_line_discount,
                r_merchant_code,
                r_merchant_code_alt,
                r_item_id,
                r_sku_id,
                r_line_status,
            ) = self.line_getter(record)
            if r_quantity.isdigit() and 1 <= (quantity := int(r_quantity)) <= 1_000_000:
                pass
            else:
                raise KeyError
            unit_price = amounts[r_unit_price] if r_unit_price else None
            line_discount = amounts[r_line_discount] if r_line_discount else None
            line_id = cells.text(r_line_id) if r_line_id else ""  # not in the quirk check
            if line_id and cells.damaged_number(line_id, r_line_id):
                raise KeyError
            line_status = self.line_status_memo[r_line_status] if r_line_status else "normal"
            line = (
                line_id[:64],
                r_merchant_code[:64] or r_merchant_code_alt[:64],
                r_item_id[:64],
                r_sku_id[:64],
                r_title[:255],
                r_attributes[:255],
                quantity,
                unit_price or ZERO,
                line_discount or ZERO,
                line_status,
            )
        return order_no, order, line


@dataclass
class Staged:
    layouts: list[Layout]
    platform: str
    orders: int  # distinct valid order numbers staged
    rows: int
    bad_unkeyed: int  # invalid rows whose order number could not be read


def stage(
    staging: Staging,
    files: Sequence[ImportFile],
    *,
    platform: str,
    aliases: Mapping[str, Sequence[tuple[str, str]]],
    errors: Errors,
    progress: Progress | None = None,
    total_rows: int | None = None,
) -> Staged:
    plans = [
        plan_file(f, i, platform=platform, aliases=aliases) for i, f in enumerate(files, start=1)
    ]
    kinds = {p.layout.kind for p in plans}
    platforms = {p.layout.platform for p in plans}
    if len(platforms) > 1:
        raise ImportFileInvalid(
            "orders.import.mixed_platforms",
            _("一次只能导入同一个平台的文件：%(layouts)s")
            % {"layouts": "、".join(f"{p.file.name}（{p.layout.label}）" for p in plans)},
        )
    if SINGLE in kinds and len(kinds) > 1:
        raise ImportFileInvalid(
            "orders.import.mixed_layouts",
            _("单文件订单导出不能与订单报表/宝贝报表混在一次导入中"),
        )
    if kinds & {ORDERS, ITEMS} and kinds != {ORDERS, ITEMS}:
        has = ORDERS if ORDERS in kinds else ITEMS
        raise ImportFileInvalid(
            "orders.import.pair_missing",
            _(
                "淘宝/天猫经典导出是两个文件：请同时选择订单报表（ExportOrderList）和宝贝报表（ExportOrderDetailList），现在只有%(has)s"
            )
            % {"has": _("订单报表") if has == ORDERS else _("宝贝报表")},
        )
    tally = _Tally()
    split, child = _fork_for_later_files(staging, plans, files, errors, total_rows)
    try:
        for plan in plans[:split]:
            _stage_file(plan, staging, errors, tally, progress=progress, total_rows=total_rows)
        if child is not None:
            handback = child.result()
            if handback is None or not staging.merge(
                handback["o"],
                handback["dups"],
                handback["l"],
                handback["staged"],
                duplicate_files={p.index for p in plans[split:] if p.layout.kind == ORDERS},
                keys=handback["keys"],
            ):  # the child could not finish: those files are read here after all
                for plan in plans[split:]:
                    again = plan_file(plan.file, plan.index, platform=platform, aliases=aliases)
                    _stage_file(
                        again, staging, errors, tally, progress=progress, total_rows=total_rows
                    )
            else:
                tally.rows += handback["rows"]
                tally.bad += handback["bad"]
                tally.bad_unkeyed += handback["bad_unkeyed"]
                errors.extend(handback["errors"], handback["error_count"])
    finally:
        if child is not None:
            child.close()
    rows_read, bad, bad_unkeyed = tally.rows, tally.bad, tally.bad_unkeyed
    staging.add_bad(bad)
    if kinds == {ORDERS, ITEMS}:
        _check_pair(staging, plans, errors)
    _check_duplicates(staging, plans, errors)
    staging.drop_bad()
    orders = staging.order_count()
    if progress is not None:
        progress(rows_read, total_rows)
    return Staged(
        layouts=[p.layout for p in plans],
        platform=plans[0].layout.platform,
        orders=orders,
        rows=rows_read,
        bad_unkeyed=bad_unkeyed,
    )


class _Tally:
    """What stage 1 counts across files: data rows, bad order numbers, bad rows without one."""

    __slots__ = ("bad", "bad_unkeyed", "rows")

    def __init__(self) -> None:
        self.rows = 0
        self.bad: list[str] = []
        self.bad_unkeyed = 0


class _TooManyRows(Exception):
    pass


_CHECK_EVERY = 5000  # rows between progress reports (and the child's look at its bound)


def _stage_file(
    plan: FilePlan,
    staging: Staging,
    errors: Errors,
    tally: _Tally,
    *,
    progress: Progress | None = None,
    total_rows: int | None = None,
    limit: int | None = None,
) -> None:
    """Every row of one planned file into `staging`; row errors into `errors`. `limit`: stop
    (`_TooManyRows`) once more rows than that have been read (the forked child's bound)."""
    parser = RowParser(plan)
    duplicates = plan.layout.kind == ORDERS
    name = plan.file.name
    file_index = plan.index
    parse = parser.parse_csv if plan.file.kind == "csv" else parser.parse
    put_order = staging.put_order
    put_line = staging.put_line
    bad = tally.bad
    rows_read = tally.rows
    every = _CHECK_EVERY
    row_errors: list[tuple[str, str]] = []
    try:
        for line, record in plan.rows:
            head = record[0] if record else None
            if not (type(head) is str and head.strip() not in ("", '=""')) and is_blank(record):
                continue  # (a row whose first cell has text is not blank: no call for it)
            rows_read += 1
            order_no, order, item = parse(record, row_errors)
            if row_errors:
                for field_name, message in row_errors:
                    errors.add(line, field_name, message, name)
                row_errors = []
                if order_no:
                    bad.append(order_no)
                else:
                    tally.bad_unkeyed += 1
                continue
            if order is not None:
                put_order(order_no, line, file_index, order, duplicates)
            if item is not None:
                put_line(order_no, rows_read, line, file_index, item)
            if not rows_read % every:
                if progress is not None:
                    progress(rows_read, total_rows)
                if limit is not None and rows_read > limit:
                    raise _TooManyRows
    finally:
        tally.rows = rows_read


def _fork_for_later_files(
    staging: Staging,
    plans: Sequence[FilePlan],
    files: Sequence[ImportFile],
    errors: Errors,
    total_rows: int | None,
) -> tuple[int, parallel.Stream | None]:
    """(index of the first file the child reads, the child) — or (all files, None) when this
    import is read in one process (see `parallel`)."""
    if len(plans) < 2 or not staging.in_memory or not parallel.available():
        return len(plans), None
    estimate = total_rows if total_rows is not None else count_lines(files)
    if estimate is None or not parallel.MIN_ROWS <= estimate <= staging.memory_rows:
        return len(plans), None
    split = parallel.split_point([p.file.size for p in plans])
    limit = staging.memory_rows
    later = list(plans[split:])
    with_file = errors.with_file

    def work() -> dict[str, Any]:
        own = Staging(memory_rows=1 << 62)  # never spills: `limit` stops the child first
        own_errors = Errors(with_file=with_file)
        tally = _Tally()
        for plan in later:
            _stage_file(plan, own, own_errors, tally, limit=limit)
        return {
            "o": own.o,
            "dups": own.dups,
            "l": own.l,
            "staged": own.rows,
            "keys": list(own.keys),
            "rows": tally.rows,
            "bad": tally.bad,
            "bad_unkeyed": tally.bad_unkeyed,
            "errors": own_errors.items,
            "error_count": own_errors.count,
        }

    child = parallel.start(work)
    return (split, child) if child is not None else (len(plans), None)


def _file_names(plans: Sequence[FilePlan]) -> dict[int, str]:
    return {p.index: p.file.name for p in plans}


def _check_pair(staging: Staging, plans: Sequence[FilePlan], errors: Errors) -> None:
    """Taobao's two files must agree: every item's order in the order report and vice versa."""
    names = _file_names(plans)
    orphans = staging.orphan_lines()
    for order_no, line, file_index in orphans:
        errors.add(
            line, "订单编号", _("订单 %(no)s 不在订单报表中") % {"no": order_no}, names[file_index]
        )
    lonely = staging.lonely_orders()
    for order_no, line, file_index in lonely:
        errors.add(
            line,
            "订单编号",
            _("订单 %(no)s 在宝贝报表中没有商品") % {"no": order_no},
            names[file_index],
        )
    if orphans or lonely:
        staging.add_bad([r[0] for r in (*orphans, *lonely)])


def _check_duplicates(staging: Staging, plans: Sequence[FilePlan], errors: Errors) -> None:
    names = _file_names(plans)
    dups = staging.duplicates()
    for order_no, line, file_index, dup_line, dup_file in dups:
        if file_index == dup_file:
            message = _("订单编号 %(no)s 与第 %(line)s 行重复") % {"no": order_no, "line": line}
        else:
            message = _("订单编号 %(no)s 已在文件“%(name)s”第 %(line)s 行出现") % {
                "no": order_no,
                "name": names[file_index],
                "line": line,
            }
        errors.add(dup_line, "订单编号", message, names[dup_file])
    if dups:
        staging.add_bad([d[0] for d in dups])


def count_rejected(staging: Staging, staged: Staged) -> int:
    return staging.bad_count() + staged.bad_unkeyed


# --- stage 2: staging → grouped orders ------------------------------------------------------------
def grouped(staging: Staging, *, chunk: int = 2000) -> Iterator[list[StagedOrder]]:
    """The valid orders with their lines, `chunk` orders at a time, in order-number order."""
    return staging.grouped(chunk=chunk)


def count_lines(files: Iterable[ImportFile]) -> int | None:
    """A cheap estimate of the data rows (newlines), for the progress bar; None for Excel."""
    total = 0
    for file in files:
        with file.open() as handle:
            head = handle.read(8)
            if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
                return None
            count = head.count(b"\n")
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                count += block.count(b"\n")
        total += max(count - 1, 0)
    return total
