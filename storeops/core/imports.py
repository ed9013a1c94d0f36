"""The import pipeline every importer shares: read → map columns → validate rows → apply → report.

It knows no domain. A caller declares its columns (canonical name, Chinese label, aliases, required),
a row validator that turns a `SourceRow` into a typed record or row errors, and an apply step that
writes a batch of valid records. The whole file is applied in ONE transaction: a file with any row
error is rejected as a whole (nothing written), unless `skip_invalid` applies the valid rows and
reports the invalid ones. Errors carry the line in the user's own file.

Reading streams: CSV (UTF-8 with or without BOM, else GB18030, which covers GBK), .xlsx
(openpyxl read-only) and .xls (xlrd), so a large marketplace export is never held in memory twice.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeops.core.errors import Invalid

MAX_ERRORS = 1000  # a file with more errors lists the first thousand and says how many there were
BATCH_SIZE = 1000
PROGRESS_EVERY = 500
SNIFF_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound document (BIFF .xls)


class ImportFileInvalid(Invalid):
    """The file as a whole cannot be read: not a spreadsheet, empty, required columns missing."""

    default_code = "import.file_invalid"


# --- columns and headers ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str  # the canonical field name the validator reads
    label: str  # the Chinese header written by exports and named in messages
    aliases: tuple[str, ...] = ()
    required: bool = False


_HEADER_NOISE = re.compile(r"[\s*]+")
_HEADER_SUFFIX = re.compile(r"[(（]\s*(必填|选填)\s*[)）]$")


def normalise_header(value: Any) -> str:
    """One spelling per header: NFKC (full-width → half-width), no BOM, spaces or `*` marks."""
    text = unicodedata.normalize("NFKC", str(value or "")).replace("\ufeff", "")
    text = _HEADER_SUFFIX.sub("", text.strip())
    return _HEADER_NOISE.sub("", text).lower()


def header_map(columns: Sequence[Column]) -> dict[str, str]:
    """normalised header or alias → canonical name."""
    found: dict[str, str] = {}
    for column in columns:
        for spelling in (column.label, column.name, *column.aliases):
            found.setdefault(normalise_header(spelling), column.name)
    return found


# --- cells ---------------------------------------------------------------------------------------
_WRAPPED = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
_SPACES = "\u3000\xa0\ufeff"


def is_wrapped(raw: Any) -> bool:
    """A `="…"` cell: the platform's own way of keeping a long number as text."""
    return isinstance(raw, str) and _WRAPPED.match(raw.strip(" \t" + _SPACES)) is not None


def clean_text(raw: Any) -> str:
    """The text a user meant: no `="…"` wrapper, leading tab or apostrophe, surrounding spaces."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, (int, Decimal)):
        return str(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip(" \t\r\n" + _SPACES)
    match = _WRAPPED.match(text)
    if match:
        text = match.group(1)
    while text[:1] in ("'", "\t"):
        text = text[1:]
    return text.strip(" \t\r\n" + _SPACES)


_MONEY_NOISE = re.compile(r"[\s,，¥￥]|元$|^RMB", re.IGNORECASE)


def parse_decimal(raw: Any, *, places: int = 2, minimum: Decimal | None = Decimal(0)) -> Decimal:
    """Money and measures: `1,299.00元`, `￥59`, `59.9` → Decimal. ValueError with a Chinese reason."""
    if isinstance(raw, float):
        raw = repr(raw)
    text = clean_text(raw)
    text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", text))
    if text.endswith("元"):
        text = text[:-1]
    if not text:
        raise ValueError(_("不能为空"))
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("不是有效的数字：%(value)s") % {"value": clean_text(raw)}) from exc
    if not value.is_finite():
        raise ValueError(_("不是有效的数字：%(value)s") % {"value": clean_text(raw)})
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        raise ValueError(_("最多 %(places)s 位小数") % {"places": places})
    if minimum is not None and value < minimum:
        raise ValueError(_("不能小于 %(minimum)s") % {"minimum": minimum})
    return value.quantize(quantum)


def parse_int(raw: Any, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int:
    value = parse_decimal(raw, places=0, minimum=None)
    number = int(value)
    if not minimum <= number <= maximum:
        raise ValueError(
            _("应在 %(minimum)s 到 %(maximum)s 之间") % {"minimum": minimum, "maximum": maximum}
        )
    return number


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "n", "no", "false", "0", "", "×", "不是"}


def parse_bool(raw: Any) -> bool:
    text = clean_text(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("请填写“是”或“否”"))


# --- reading -------------------------------------------------------------------------------------
@dataclass
class SourceRow:
    """One data row: its line in the user's file and the raw cell values by canonical name."""

    line: int
    values: dict[str, Any]

    def text(self, name: str) -> str:
        return clean_text(self.values.get(name))

    def raw(self, name: str) -> Any:
        return self.values.get(name)


@dataclass
class Table:
    columns: list[str]  # canonical names found in the header, in file order
    total: int | None  # data rows expected (for the progress bar); None when unknown
    rows: Iterator[SourceRow]
    ignored_headers: list[str] = field(default_factory=list)


Source = bytes | str | Path | IO[bytes]


def _open_binary(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, (str, Path)):
        return open(source, "rb")  # closed when the process ends or the generator is collected
    return source


def detect_format(head: bytes, filename: str = "") -> str:
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if filename.lower().endswith((".xlsx", ".xls")) or b"\x00" in head[:4096]:
        raise ImportFileInvalid(message=_("文件不是有效的 Excel 或 CSV 表格"))
    return "csv"


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sample = head
    if len(head) >= SNIFF_BYTES:  # do not judge by a character cut in half at the end
        sample = head[: head.rfind(b"\n") + 1] or head
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_records(stream: IO[bytes], head: bytes) -> Iterator[tuple[int, list[Any]]]:
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    sample = head[:4096].decode(encoding, errors="ignore")
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ImportFileInvalid(
            message=_("第 %(line)s 行附近的文字编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV")
            % {"line": line}
        ) from exc
    except csv.Error as exc:
        raise ImportFileInvalid(
            message=_("第 %(line)s 行格式有误：%(error)s") % {"line": line, "error": exc}
        ) from exc


def _xlsx_records(stream: IO[bytes]) -> tuple[Iterator[tuple[int, list[Any]]], int | None]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt zip or workbook: the user's file, not our error
        raise ImportFileInvalid(message=_("无法读取 Excel 文件，请确认文件未损坏")) from exc
    sheet = book.worksheets[0]
    total = sheet.max_row

    def records() -> Iterator[tuple[int, list[Any]]]:
        try:
            for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield index, list(row)
        finally:
            book.close()

    return records(), total


def _xls_records(data: bytes) -> tuple[Iterator[tuple[int, list[Any]]], int | None]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as exc:
        raise ImportFileInvalid(message=_("无法读取 Excel 文件，请确认文件未损坏")) from exc

    def value(cell: Any) -> Any:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return cell.value

    def records() -> Iterator[tuple[int, list[Any]]]:
        for index in range(sheet.nrows):
            yield index + 1, [value(c) for c in sheet.row(index)]

    return records(), sheet.nrows


def _is_blank(values: Iterable[Any]) -> bool:
    return all(clean_text(v) == "" for v in values)


def open_table(source: Source, *, columns: Sequence[Column], filename: str = "") -> Table:
    """Open a CSV/XLSX/XLS file, find the header (the first non-blank row) and map its columns.

    Raises ImportFileInvalid (422) naming the missing required columns by their Chinese labels.
    """
    stream = _open_binary(source)
    head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise ImportFileInvalid(message=_("文件是空的"))
    kind = detect_format(head, filename)
    total: int | None = None
    if kind == "xls":
        records, total = _xls_records(head + stream.read())
    else:
        stream.seek(0)
        if kind == "xlsx":
            records, total = _xlsx_records(stream)
        else:
            records = _csv_records(stream, head)
            total = head.rstrip(b"\r\n").count(b"\n") + 1 if len(head) < SNIFF_BYTES else None

    aliases = header_map(columns)
    header_line, header = 0, None
    for line, record in records:
        if not _is_blank(record):
            header_line, header = line, record
            break
    if header is None:
        raise ImportFileInvalid(message=_("文件是空的"))
    positions: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        name = aliases.get(normalise_header(cell))
        if name is None:
            if clean_text(cell):
                ignored.append(clean_text(cell))
            continue
        positions.setdefault(name, index)
    missing = [c.label for c in columns if c.required and c.name not in positions]
    if missing:
        raise ImportFileInvalid(
            "import.columns_missing",
            _("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)},
            {"missing": missing},
        )

    def rows() -> Iterator[SourceRow]:
        for line, record in records:
            if _is_blank(record):
                continue
            values = {
                name: record[index] if index < len(record) else None
                for name, index in positions.items()
            }
            yield SourceRow(line=line, values=values)

    if total is not None:
        total = max(total - header_line, 0)
    return Table(columns=list(positions), total=total, rows=rows(), ignored_headers=ignored)


# --- running -------------------------------------------------------------------------------------
@dataclass
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": str(self.message)}


@dataclass
class ImportResult:
    """The `--json` shape of ARCHITECTURE.md, counted in the importer's main record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    applied: bool = False
    rows: int = 0

    def add_error(self, line: int, field_name: str, message: Any) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, field_name, str(message)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }


class RowInvalid(Exception):
    """Raised by a validator (or an apply step) for one row; may carry several field errors."""

    def __init__(self, errors: Sequence[tuple[str, Any]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))


Validator = Callable[[SourceRow], Any]
Applier = Callable[[list[Any], ImportResult], None]
Progress = Callable[[int, int | None], None]


class _Rejected(Exception):
    pass


def run_import(
    table: Table,
    *,
    validate: Validator,
    apply: Applier,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Validate every row, apply valid records in batches inside ONE savepoint, report.

    `validate(row)` returns a record or raises RowInvalid. `apply(batch, result)` writes a batch
    of records and counts them as created/updated/unchanged (a record it cannot apply: add_error
    and count it in `rejected`). With errors and not `skip_invalid`, the savepoint is rolled back
    and every count but `rejected` is zero: nothing was written. The caller's own transaction
    (its audit event) stays in charge of the outer commit.
    """
    result = ImportResult()
    invalid_rows = 0
    try:
        with transaction.atomic():
            batch: list[Any] = []
            for row in table.rows:
                result.rows += 1
                try:
                    batch.append(validate(row))
                except RowInvalid as exc:
                    invalid_rows += 1
                    for field_name, message in exc.errors:
                        result.add_error(row.line, field_name, message)
                if len(batch) >= batch_size and (skip_invalid or not result.error_count):
                    apply(batch, result)
                    batch = []
                if progress is not None and result.rows % PROGRESS_EVERY == 0:
                    progress(result.rows, table.total)
            if batch and (skip_invalid or not result.error_count):
                apply(batch, result)
            if progress is not None:
                progress(result.rows, result.rows)
            if result.error_count and not skip_invalid:
                raise _Rejected
    except _Rejected:
        result.rejected = result.rows
        result.created = result.updated = result.unchanged = 0
        result.applied = False
        return result
    result.rejected += invalid_rows
    result.applied = True
    return result


def read_all(source: Source, *, columns: Sequence[Column], filename: str = "") -> list[SourceRow]:
    """Every data row at once: for small files and tests."""
    return list(open_table(source, columns=columns, filename=filename).rows)


def check_unique(
    seen: dict[str, int], key: str, line: int, field_name: str, label: str
) -> tuple[str, str] | None:
    """A natural key met twice in one file: the second row names the first one's line."""
    first = seen.setdefault(key, line)
    if first != line:
        return field_name, _("%(label)s 与第 %(line)s 行重复") % {"label": label, "line": first}
    return None


__all__ = [
    "Column",
    "ImportFileInvalid",
    "ImportResult",
    "RowError",
    "RowInvalid",
    "SourceRow",
    "Table",
    "check_unique",
    "clean_text",
    "is_wrapped",
    "normalise_header",
    "open_table",
    "parse_bool",
    "parse_decimal",
    "parse_int",
    "read_all",
    "run_import",
]


class TerminalProgress:
    """A small progress bar for the import commands, on stderr and only when it is a terminal."""

    def __init__(self, stream: IO[str], *, label: str = "导入", width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = min(self.width, self.width * done // max(total, 1))
            bar = "█" * filled + "░" * (self.width - filled)
            self.stream.write(f"\r{self.label} {bar} {done}/{total}")
        else:
            self.stream.write(f"\r{self.label} {done} 行")
        if total is not None and done >= total:
            self.stream.write("\n")
        self.stream.flush()
