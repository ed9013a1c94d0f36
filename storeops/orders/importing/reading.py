"""Read an export file as (line, cells) records, streaming: CSV (UTF-8 with or without BOM, else
GB18030 ⊇ GBK), .xlsx (openpyxl read-only) and .xls (xlrd). Lines are the user's own line numbers
(a quoted cell spanning lines counts them)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from storeops.core.imports import ImportFileInvalid, detect_format

SNIFF_BYTES = 1 << 20
csv.field_size_limit(min(sys.maxsize, 1 << 24))


@dataclass
class ImportFile:
    """One uploaded or named file: its name, its bytes' SHA-256, where to read it from."""

    name: str
    source: bytes | Path | Callable[[], IO[bytes]]
    sha256: str = ""
    size: int = 0
    kind: str = ""  # "csv", "xlsx" or "xls", once `records` has looked at the bytes

    @classmethod
    def from_path(cls, path: str | Path) -> ImportFile:
        path = Path(path)
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        return cls(name=path.name, source=path, sha256=digest.hexdigest(), size=size)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> ImportFile:
        return cls(name=name, source=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    def open(self) -> IO[bytes]:
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        if isinstance(self.source, Path):
            return self.source.open("rb")
        return self.source()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sample = head
    if len(head) >= SNIFF_BYTES:
        sample = head[: head.rfind(b"\n") + 1] or head
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv(stream: IO[bytes], head: bytes) -> Iterator[tuple[int, list[Any]]]:
    encoding = _encoding(head)
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    sample = head[:4096].decode(encoding, errors="ignore")
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(wrapper, delimiter=delimiter)
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


def _xlsx(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt workbook is the user's file, not our error
        raise ImportFileInvalid(message=_("无法读取 Excel 文件，请确认文件未损坏")) from exc
    try:
        for index, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield index, list(row)
    finally:
        book.close()


def _xls(data: bytes) -> Iterator[tuple[int, list[Any]]]:
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

    for index in range(sheet.nrows):
        yield index + 1, [value(c) for c in sheet.row(index)]


def records(file: ImportFile) -> Iterator[tuple[int, list[Any]]]:
    """Every record of the first sheet with its line number (blank ones included)."""
    stream = file.open()
    try:
        head = stream.read(SNIFF_BYTES)
        if not head.strip():
            raise ImportFileInvalid(message=_("文件“%(name)s”是空的") % {"name": file.name})
        kind = file.kind = detect_format(head, file.name)
        if kind == "xls":
            yield from _xls(head + stream.read())
            return
        stream.seek(0)
        if kind == "xlsx":
            yield from _xlsx(stream)
        else:
            yield from _csv(stream, head)
    finally:
        stream.close()


def is_blank(record: list[Any]) -> bool:
    for cell in record:
        if cell is None:
            continue
        if type(cell) is str:
            if cell.strip() not in ("", '=""'):
                return False
        else:
            return False
    return True
