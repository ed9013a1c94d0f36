"""Excel exports: cells a spreadsheet would run as a formula are neutralised (CSV/formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from storeops.core.clock import local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """Text starting with = + - @ (or a tab/CR) is prefixed with ' so Excel shows it as text."""
    if isinstance(value, dt.datetime):
        return local(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float, Decimal, dt.date)) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    # imported here: openpyxl takes ~0.15 s to import, and every command would pay for it
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):  # write-only: widths before the rows
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(len(str(header)) * 2, 12), 60
        )
    sheet.append(list(headers))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
