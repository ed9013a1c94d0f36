"""The shared import pipeline: encodings, formats, header and cell quirks, line numbers, atomicity."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from storeops.core.imports import (
    Column,
    ImportFileInvalid,
    RowInvalid,
    TerminalProgress,
    clean_text,
    is_wrapped,
    normalise_header,
    open_table,
    parse_bool,
    parse_decimal,
    read_all,
    run_import,
)

COLUMNS = (
    Column("order_no", "订单编号", ("订单号",), required=True),
    Column("amount", "金额", ("实付金额",), required=True),
    Column("note", "备注"),
)
FIXTURES = Path(__file__).parent / "fixtures"


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_chinese_encoding(encoding):
    data = csv_bytes("订单编号,金额,备注\n1001,59.90,尽快发货\n", encoding)
    rows = read_all(data, columns=COLUMNS)
    assert [(r.line, r.text("order_no"), r.text("note")) for r in rows] == [(2, "1001", "尽快发货")]


def test_headers_with_trailing_and_full_width_spaces_bom_and_aliases():
    data = "\ufeff订单号 ,\u3000实付金额\u3000,备注*\n1001,1,\n".encode()
    table = open_table(data, columns=COLUMNS)
    assert table.columns == ["order_no", "amount", "note"]
    assert normalise_header(" 重量（克） ") == normalise_header("重量(克)")
    assert normalise_header("商品名称（必填）") == "商品名称"


def test_missing_required_columns_are_named():
    with pytest.raises(ImportFileInvalid) as exc:
        open_table("订单编号,备注\n1,x\n".encode(), columns=COLUMNS)
    assert exc.value.code == "import.columns_missing"
    assert "金额" in exc.value.message
    assert exc.value.details == {"missing": ["金额"]}


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "a.csv"),
        (b"   \n\n", "a.csv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "a.png"),
        (b"PK\x03\x04 not really a zip", "a.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 broken", "a.xls"),
        (b"just text", "a.xlsx"),
    ],
)
def test_a_bad_file_is_a_clear_error(data, filename):
    with pytest.raises(ImportFileInvalid):
        read_all(data, columns=COLUMNS, filename=filename)


def test_cells_lose_their_wrappers_tabs_and_apostrophes():
    data = '订单编号,金额,备注\n="3141592653589793238",\t59.9,\'0012\n'.encode()
    (row,) = read_all(data, columns=COLUMNS)
    assert row.text("order_no") == "3141592653589793238"
    assert is_wrapped(row.raw("order_no"))
    assert not is_wrapped(row.raw("amount"))
    assert row.text("amount") == "59.9"
    assert row.text("note") == "0012"
    assert clean_text(6901234567892.0) == "6901234567892"
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,299.00元", Decimal("1299.00")),
        ("￥59", Decimal("59.00")),
        ("¥ 1 299.5", Decimal("1299.50")),
        ("59.9", Decimal("59.90")),
        (59.9, Decimal("59.90")),
        (1299, Decimal("1299.00")),
        ('="12.50"', Decimal("12.50")),
        ("１２.５", Decimal("12.50")),  # full-width digits
    ],
)
def test_money_with_yuan_and_thousands_separators(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1.234", "NaN", "Infinity"])
def test_bad_money_is_a_value_error_in_chinese(raw):
    with pytest.raises(ValueError, match=r"数字|空|小数|小于"):
        parse_decimal(raw)


def test_booleans():
    assert [parse_bool(v) for v in ("是", "否", "Y", "", "1", "true")] == [
        True,
        False,
        True,
        False,
        True,
        True,
    ]
    with pytest.raises(ValueError, match="是"):
        parse_bool("也许")


def test_blank_rows_are_skipped_and_line_numbers_kept():
    data = "订单编号,金额\n1,1\n\n,\n2,2\n,\n\n".encode()
    rows = read_all(data, columns=COLUMNS)
    assert [(r.line, r.text("order_no")) for r in rows] == [(2, "1"), (5, "2")]


def test_quoted_multi_line_cells_keep_the_next_rows_line():
    data = '订单编号,金额,备注\n1,1,"第一行\n第二行"\n2,2,x\n'.encode()
    rows = read_all(data, columns=COLUMNS)
    assert [(r.line, r.text("order_no")) for r in rows] == [(2, "1"), (4, "2")]
    assert rows[0].text("note") == "第一行\n第二行"


def test_xlsx_rows_numbers_and_trailing_blank_rows():
    data = xlsx_bytes(
        [["订单编号 ", "金额"], ["1001", 59.9], [None, None], ["1002", "1,000元"], [None, None]]
    )
    table = open_table(data, columns=COLUMNS, filename="x.xlsx")
    rows = list(table.rows)
    assert [(r.line, r.text("order_no")) for r in rows] == [(2, "1001"), (4, "1002")]
    assert parse_decimal(rows[0].raw("amount")) == Decimal("59.90")
    assert parse_decimal(rows[1].raw("amount")) == Decimal("1000.00")


def test_xls_fixture_is_read():
    columns = (
        Column("name", "商品名称", required=True),
        Column("merchant_code", "商家编码", required=True),
        Column("price", "售价"),
    )
    rows = read_all((FIXTURES / "catalog_products.xls").read_bytes(), columns=columns)
    assert [(r.line, r.text("merchant_code")) for r in rows] == [
        (2, "GLT-ENAMEL-350-WH"),
        (3, "GLT-ENAMEL-350-RD"),
    ]
    assert parse_decimal(rows[0].raw("price")) == Decimal("39.90")
    assert parse_decimal(rows[1].raw("price")) == Decimal("1039.00")


def test_a_path_is_read_as_a_stream(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("订单编号,金额\n1,1\n".encode("gb18030"))
    assert [r.text("order_no") for r in read_all(path, columns=COLUMNS)] == ["1"]


# --- running: all or nothing -------------------------------------------------------------------
def _validate(row):
    errors = []
    if not row.text("order_no").isdigit():
        errors.append(("order_no", "订单编号应为数字"))
    try:
        amount = parse_decimal(row.raw("amount"))
    except ValueError as exc:
        errors.append(("amount", str(exc)))
    if errors:
        raise RowInvalid(errors)
    return (row.text("order_no"), amount)


def _apply_to(store: list):
    def apply(batch, result):
        for record in batch:
            store.append(record)
            result.created += 1

    return apply


@pytest.mark.django_db
def test_errors_reject_the_whole_file_with_every_line_named():
    written: list = []
    data = "订单编号,金额\n1,1\nx,2\n3,abc\n4,4\n".encode()
    result = run_import(
        open_table(data, columns=COLUMNS), validate=_validate, apply=_apply_to(written)
    )
    assert not result.applied
    assert written == []
    assert result.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 4,
        "errors": [
            {"line": 3, "field": "order_no", "message": "订单编号应为数字"},
            {"line": 4, "field": "amount", "message": "不是有效的数字：abc"},
        ],
    }


@pytest.mark.django_db
def test_skip_invalid_applies_the_valid_rows():
    written: list = []
    data = "订单编号,金额\n1,1\nx,2\n4,4\n".encode()
    result = run_import(
        open_table(data, columns=COLUMNS),
        validate=_validate,
        apply=_apply_to(written),
        skip_invalid=True,
    )
    assert result.applied
    assert [w[0] for w in written] == ["1", "4"]
    assert (result.created, result.rejected, len(result.errors)) == (2, 1, 1)


@pytest.mark.django_db
def test_database_writes_roll_back_when_the_file_is_rejected(django_user_model):
    def apply(batch, result):
        for number, _amount in batch:
            django_user_model.objects.create(username=f"u{number}")
            result.created += 1

    data = ("订单编号,金额\n" + "".join(f"{i},1\n" for i in range(1, 6)) + "bad,1\n").encode()
    result = run_import(
        open_table(data, columns=COLUMNS), validate=_validate, apply=apply, batch_size=2
    )
    assert not result.applied
    assert not django_user_model.objects.filter(username__startswith="u").exists()


@pytest.mark.django_db
def test_progress_is_reported():
    seen = []
    data = ("订单编号,金额\n" + "".join(f"{i},1\n" for i in range(1, 1201))).encode()
    run_import(
        open_table(data, columns=COLUMNS),
        validate=_validate,
        apply=_apply_to([]),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (500, 1200)
    assert seen[-1] == (1200, 1200)


def test_terminal_progress_writes_only_to_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    TerminalProgress(tty)(5, 10)
    TerminalProgress(pipe)(5, 10)
    assert "5/10" in tty.getvalue()
    assert pipe.getvalue() == ""
