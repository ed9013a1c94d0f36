"""Pick lists (per order and per wave) and packing slips as PDF: the CJK TrueType font embedded
(Debian `fonts-wqy-zenhei`), Code128 barcodes for order numbers and merchant codes."""

from __future__ import annotations

import io
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from storeops.core import clock
from storeops.core.errors import DomainError
from storeops.fulfillment.models import Allocation, Wave
from storeops.fulfillment.selectors import allocation_lines

FONT_NAME = "WenQuanYiZenHei"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/local/share/fonts/wqy-zenhei.ttc",
)


class FontMissing(DomainError):
    status = 500
    default_code = "pdf.font_missing"


def font_path() -> Path:
    configured = getattr(settings, "STOREOPS_CJK_FONT", "")
    for candidate in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        message=_(
            "找不到中文字体 wqy-zenhei.ttc（请安装 Debian 软件包 fonts-wqy-zenhei），无法生成 PDF"
        ),
        details={"searched": list(FONT_CANDIDATES)},
    )


def _register_font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=0))
    return FONT_NAME


def _styles() -> dict[str, ParagraphStyle]:
    font = _register_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=10, textColor=colors.grey
        ),
        "big": ParagraphStyle("big", fontName=font, fontSize=12, leading=15),
    }


def _esc(text: Any) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _barcode(
    value: str, *, height: float = 10 * mm, bar_width: float = 0.33 * mm, readable: bool = True
) -> Any:
    return code128.Code128(
        value,
        barHeight=height,
        barWidth=bar_width,
        humanReadable=readable,
        fontName="Helvetica",
        fontSize=7,
    )


def _code_cell(code: str, styles: dict[str, Any]) -> list[Any]:
    """A merchant code in a table cell: the bars, then the code in words a picker can read (the
    barcode's own caption is drawn outside a table cell's height and overlaps the row below)."""
    return [
        _barcode(code, height=8 * mm, bar_width=0.28 * mm, readable=False),
        Paragraph(_esc(code), styles["small"]),
    ]


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#adb5bd")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _doc(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="storeops",
    )


def _spec(sku: Any) -> str:
    return " ".join(str(v) for v in (sku.attributes or {}).values())


def _order_block(allocation: Allocation, styles: dict[str, ParagraphStyle]) -> list[Any]:
    order = allocation.order
    head = Table(
        [
            [
                Paragraph(
                    _esc(_("拣货单"))
                    + f" · {_esc(allocation.store.name)}<br/>"
                    + _esc(_("订单号"))
                    + f"：{_esc(order.platform_order_no)}",
                    styles["title"],
                ),
                _barcode(order.platform_order_no, height=12 * mm),
            ]
        ],
        colWidths=[100 * mm, 86 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    meta = _("仓库：%(wh)s　配货单：%(id)s　配货时间：%(at)s") % {
        "wh": allocation.warehouse.name,
        "id": allocation.pk,
        "at": clock.local(allocation.allocated_at).strftime("%Y-%m-%d %H:%M"),
    }
    rows: list[list[Any]] = [
        [_("商家编码条码"), _("商品"), _("规格"), _("数量"), _("拣货")],
    ]
    for line in allocation_lines(allocation):
        name = _esc(line.sku.product.name)
        if line.combo_code:
            name += "<br/>" + _esc(_("组合装 %(code)s 的组件") % {"code": line.combo_code})
        rows.append(
            [
                _code_cell(line.sku.merchant_code, styles),
                Paragraph(name, styles["body"]),
                Paragraph(_esc(_spec(line.sku)), styles["body"]),
                Paragraph(f"<b>{line.quantity}</b>", styles["big"]),
                "□",
            ]
        )
    parts: list[Any] = [head, Paragraph(_esc(meta), styles["small"]), Spacer(1, 3 * mm)]
    parts.append(_table(rows, [62 * mm, 62 * mm, 32 * mm, 16 * mm, 14 * mm]))
    if order.buyer_message:
        parts += [
            Spacer(1, 2 * mm),
            Paragraph(_esc(_("买家留言：")) + _esc(order.buyer_message), styles["body"]),
        ]
    if order.seller_remark:
        parts.append(Paragraph(_esc(_("卖家备注：")) + _esc(order.seller_remark), styles["body"]))
    return parts


def pick_list_pdf(allocations: list[Allocation]) -> bytes:
    """One page per order: its lines (combos as their components) with merchant-code barcodes."""
    styles = _styles()
    buffer = io.BytesIO()
    story: list[Any] = []
    for index, allocation in enumerate(allocations):
        if index:
            story.append(PageBreak())
        story += _order_block(allocation, styles)
    _doc(buffer, _("拣货单")).build(story)
    return buffer.getvalue()


def wave_pick_list_pdf(wave: Wave, allocations: list[Allocation]) -> bytes:
    """波次拣货单: first the SKUs summed over every order (pick once per SKU), then a sorting
    table (which order gets how many), then each order's own list for verification."""
    styles = _styles()
    buffer = io.BytesIO()
    totals: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for allocation in allocations:
        for line in allocation_lines(allocation):
            entry = totals.setdefault(line.sku_id, {"sku": line.sku, "quantity": 0, "orders": []})
            entry["quantity"] += line.quantity
            entry["orders"].append((allocation.order.platform_order_no, line.quantity))
    ordered = sorted(totals.values(), key=lambda e: e["sku"].merchant_code)
    story: list[Any] = [
        Table(
            [
                [
                    Paragraph(_esc(_("波次拣货单")) + f" W{wave.pk}", styles["title"]),
                    _barcode(f"W{wave.pk}", height=12 * mm),
                ]
            ],
            colWidths=[100 * mm, 86 * mm],
        ),
        Paragraph(
            _esc(
                _("仓库：%(wh)s　订单数：%(n)s　SKU 数：%(s)s　生成：%(at)s")
                % {
                    "wh": wave.warehouse.name,
                    "n": len(allocations),
                    "s": len(ordered),
                    "at": clock.local(wave.created_at).strftime("%Y-%m-%d %H:%M"),
                }
            ),
            styles["small"],
        ),
        Spacer(1, 3 * mm),
    ]
    rows: list[list[Any]] = [
        [_("商家编码条码"), _("商品"), _("规格"), _("合计"), _("分拣（订单号×数量）")]
    ]
    for entry in ordered:
        sku = entry["sku"]
        split = "<br/>".join(f"{_esc(no)} × {qty}" for no, qty in entry["orders"])
        rows.append(
            [
                _code_cell(sku.merchant_code, styles),
                Paragraph(_esc(sku.product.name), styles["body"]),
                Paragraph(_esc(_spec(sku)), styles["body"]),
                Paragraph(f"<b>{entry['quantity']}</b>", styles["big"]),
                Paragraph(split, styles["small"]),
            ]
        )
    story.append(_table(rows, [58 * mm, 50 * mm, 26 * mm, 14 * mm, 38 * mm]))
    for allocation in allocations:
        story.append(PageBreak())
        story += _order_block(allocation, styles)
    _doc(buffer, _("波次拣货单")).build(story)
    return buffer.getvalue()


def packing_slip_pdf(allocation: Allocation) -> bytes:
    """发货清单 for the box: the store, the order number (barcode), what is inside. No phone or
    address: the platform's waybill carries those."""
    styles = _styles()
    buffer = io.BytesIO()
    order = allocation.order
    story: list[Any] = [
        Table(
            [
                [
                    Paragraph(
                        _esc(allocation.store.name) + "<br/>" + _esc(_("发货清单")), styles["title"]
                    ),
                    _barcode(order.platform_order_no, height=12 * mm),
                ]
            ],
            colWidths=[100 * mm, 86 * mm],
        ),
        Paragraph(
            _esc(
                _("订单号：%(no)s　下单时间：%(at)s")
                % {
                    "no": order.platform_order_no,
                    "at": clock.local(order.created_at).strftime("%Y-%m-%d %H:%M"),
                }
            ),
            styles["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    rows: list[list[Any]] = [[_("商家编码"), _("商品"), _("规格"), _("数量")]]
    for line in allocation_lines(allocation):
        name = _esc(line.sku.product.name)
        if line.combo_code:
            name += "<br/>" + _esc(_("组合装 %(code)s") % {"code": line.combo_code})
        rows.append(
            [
                line.sku.merchant_code,
                Paragraph(name, styles["body"]),
                Paragraph(_esc(_spec(line.sku)), styles["body"]),
                str(line.quantity),
            ]
        )
    story.append(_table(rows, [45 * mm, 85 * mm, 40 * mm, 16 * mm]))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(_esc(_("感谢您的购买！如有问题请联系店铺客服。")), styles["body"]),
    ]
    _doc(buffer, _("发货清单")).build(story)
    return buffer.getvalue()
