"""Importing and exporting products and SKUs: row errors with lines, all or nothing, idempotent
re-import, round trip, the command's --json output and exit status."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from storeops.audit.models import AuditEvent
from storeops.catalog import services
from storeops.catalog.models import Category, Product, Sku
from storeops.core.errors import Forbidden
from storeops.core.excel import workbook_bytes
from storeops.core.imports import ImportFileInvalid

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
CODES = ["TST-CUP-500-BK", "TST-CUP-500-WH", "TST-KETTLE-17"]

HEADER = "商品名称,款号,类目,商家编码,条码,规格,售价,成本价,重量(克),定位标签,是否主推/爆款\n"
GOOD = (
    HEADER
    + "不锈钢保温杯,TST-CUP,杯壶,TST-CUP-500-BK,6901234567892,颜色:黑色;容量:500ml,"
    + '"1,299.00元",35,350,引流款,是\n'
    + "不锈钢保温杯,TST-CUP,杯壶,TST-CUP-500-WH,,颜色:白色;容量:500ml,￥59.9,35,350,引流款,是\n"
    + '电热水壶,TST-KETTLE,,TST-KETTLE-17,="6901234567885",,129,60,1200,利润款、形象款,否\n'
)


@pytest.fixture
def category(stores):
    """The demo's 杯壶 category of the main store (the master tree the import looks up)."""
    return Category.objects.get(store=stores["tb-main"], path="杯壶")


def run(actor, text, **kwargs):
    data = text.encode(kwargs.pop("encoding", "utf-8"))
    return services.product_import(actor=actor, source=data, filename="商品.csv", **kwargs)


def test_import_creates_products_and_skus_and_audits_once(yunying, category):
    first_new_event = AuditEvent.objects.order_by("-id").first().id + 1
    result = run(yunying, GOOD)
    assert result.applied
    assert result.as_dict() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    cup = Product.objects.get(style_code="TST-CUP")
    assert cup.category == category
    assert cup.attribute_names == ["颜色", "容量"]
    assert cup.is_best_seller
    assert sorted(t.name for t in cup.tags.all()) == ["引流款"]
    black = Sku.objects.get(merchant_code="TST-CUP-500-BK")
    assert (black.price, black.standard_cost, black.weight_g) == (
        Decimal("1299.00"),
        Decimal("35.00"),
        350,
    )
    assert black.attributes == {"颜色": "黑色", "容量": "500ml"}
    assert Sku.objects.get(merchant_code="TST-KETTLE-17").barcode == "6901234567885"
    kettle = Product.objects.get(style_code="TST-KETTLE")
    assert sorted(t.name for t in kettle.tags.all()) == ["利润款", "形象款"]
    events = AuditEvent.objects.filter(action__startswith="catalog.", actor=yunying).exclude(
        id__lt=first_new_event
    )
    assert list(events.values_list("action", flat=True)) == ["catalog.product.import"]
    assert events.get().after["created"] == 3
    assert len(events.get().after["sha256"]) == 64


def test_reimporting_the_same_file_changes_nothing(yunying, category):
    run(yunying, GOOD)
    again = run(yunying, GOOD, encoding="gb18030")
    assert again.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "rejected": 0,
        "errors": [],
    }
    assert Sku.objects.filter(merchant_code__in=CODES).count() == 3
    changed = GOOD.replace("￥59.9", "69.9")
    result = run(yunying, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Sku.objects.get(merchant_code="TST-CUP-500-WH").price == Decimal("69.90")


def test_row_errors_name_their_lines_and_nothing_is_written(yunying, category):
    bad = (
        HEADER
        + "保温杯,TST-CUP,杯壶,TST-CUP-1,,颜色:黑,59,1,1,,否\n"
        + "保温杯,TST-CUP,没有的类目,TST-CUP-2,6901234567893,颜色:白,abc,1,1,神秘款,否\n"
        + "\n"
        + "保温杯,TST-CUP,杯壶,TST-CUP-1,,颜色:红,59,1,1,,否\n"
        + "茶杯,TST-TEA,,保温杯编码,,,10,1,1,,也许\n"
    )
    result = run(yunying, bad)
    assert not result.applied
    assert (result.created, result.rejected) == (0, 4)
    errors = [(e["line"], e["field"]) for e in result.as_dict()["errors"]]
    assert errors == [
        (3, "category"),
        (3, "barcode"),
        (3, "price"),
        (3, "tags"),
        (5, "merchant_code"),
        (6, "merchant_code"),
        (6, "is_best_seller"),
    ]
    messages = {(e["line"], e["field"]): e["message"] for e in result.as_dict()["errors"]}
    assert messages[(5, "merchant_code")] == "商家编码 与第 2 行重复"
    assert "没有的类目" in messages[(3, "category")]
    assert not Product.objects.filter(style_code__in=["TST-CUP", "TST-TEA"]).exists()
    assert not Sku.objects.filter(merchant_code__startswith="TST-CUP-").exists()
    assert not AuditEvent.objects.filter(action="catalog.product.import").exists()


def test_skip_invalid_applies_the_valid_rows(yunying, category):
    text = HEADER + "茶杯,TST-TEA,,TST-TEA-1,,,10,1,1,,否\n茶杯,TST-TEA,,BAD CODE,,,10,1,1,,否\n"
    result = run(yunying, text, skip_invalid=True)
    assert result.applied
    assert (result.created, result.rejected) == (1, 1)
    assert result.as_dict()["errors"][0]["line"] == 3
    assert list(
        Sku.objects.filter(product__style_code="TST-TEA").values_list("merchant_code", flat=True)
    ) == ["TST-TEA-1"]


def test_rows_of_one_product_must_agree(yunying, category):
    text = HEADER + "茶杯,TST-TEA,,T-1,,颜色:白,10,1,1,,否\n茶壶,TST-TEA,,T-2,,颜色:黑,10,1,1,,否\n"
    result = run(yunying, text)
    assert not result.applied
    assert result.as_dict()["errors"][0]["line"] == 3


def test_missing_columns_and_bad_files_are_refused_as_a_whole(yunying):
    with pytest.raises(ImportFileInvalid) as exc:
        run(yunying, "商品名称,条码\n杯,1\n")
    assert "商家编码" in exc.value.message
    assert "售价" in exc.value.message
    with pytest.raises(ImportFileInvalid):
        services.product_import(actor=yunying, source=b"\x00\x01\x02", filename="x.xlsx")


def test_cost_column_needs_the_cost_permission(demo, category):
    qihua = demo["qihua"]  # 企划 imports products but does not see standard costs
    with pytest.raises(Forbidden):
        run(qihua, GOOD)
    text = "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != 7)
        for line in GOOD.replace('"1,299.00元"', "1299").splitlines()
    )
    result = run(qihua, text)
    assert result.applied, result.as_dict()
    assert Sku.objects.get(merchant_code="TST-CUP-500-BK").standard_cost == Decimal("0.00")


def test_kefu_cannot_import(kefu):
    with pytest.raises(Forbidden):
        run(kefu, GOOD)


def test_export_then_import_is_all_unchanged(yunying, category):
    run(yunying, GOOD)
    headers, rows = services.product_export_rows(actor=yunying)
    data = workbook_bytes("商品", headers, rows)
    result = services.product_import(actor=yunying, source=data, filename="导出.xlsx")
    assert result.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": Sku.objects.filter(product__is_active=True).count(),
        "rejected": 0,
        "errors": [],
    }
    assert result.unchanged > 50  # the demo catalog too, combos included


def test_export_hides_cost_from_those_who_may_not_see_it(yunying, demo, category):
    run(yunying, GOOD)
    headers, rows = services.product_export_rows(actor=demo["qihua"])
    assert "成本价" not in headers
    assert len(next(rows)) == len(headers)
    headers, _rows = services.product_export_rows(actor=yunying)
    assert "成本价" in headers


def test_xls_fixture_imports(yunying):
    result = services.product_import(
        actor=yunying, source=FIXTURES / "catalog_products.xls", filename="catalog_products.xls"
    )
    assert result.as_dict()["created"] == 2, result.as_dict()
    assert Sku.objects.get(merchant_code="GLT-ENAMEL-350-RD").price == Decimal("1039.00")


# --- the command -------------------------------------------------------------------------------
def test_command_json_and_exit_status(tmp_path, yunying, category, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="gb18030")
    call_command("import-products", str(good), "--json", "--user", "yunying")
    out = json.loads(capsys.readouterr().out)
    assert out == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "杯,,,BAD CODE,,,1,1,1,,否\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("import-products", str(bad), "--json", "--user", "yunying")
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] == 1
    assert out["errors"] == [
        {
            "line": 2,
            "field": "merchant_code",
            "message": "商家编码只能由英文字母、数字和 - _ . / 组成（以字母或数字开头，最多 64 位）",
        }
    ]

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("名字\n杯\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import-products", str(wrong), "--json", "--user", "yunying")
    assert "缺少必需的列" in json.loads(capsys.readouterr().out)["errors"][0]["message"]


def test_export_workbook_opens(yunying, category):
    run(yunying, GOOD)
    headers, rows = services.product_export_rows(actor=yunying)
    book = load_workbook(io.BytesIO(workbook_bytes("商品", headers, rows)), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][:4] == ("商品名称", "款号", "类目", "商家编码")
    assert len(values) == 1 + Sku.objects.filter(product__is_active=True).count()
