"""Order import: formats, quirks, Excel damage, idempotence, atomicity, unknown SKUs, combos."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from storeops.audit.models import AuditEvent
from storeops.core.errors import Forbidden, Invalid, NotFound
from storeops.orders.enums import ExceptionReason, LineStatus, OrderStatus
from storeops.orders.importing.reading import ImportFile
from storeops.orders.models import Order, OrderEvent, OrderImport
from storeops.orders.services.imports import order_import_files

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
TB_NUMBERS = [f"31000000000000000{n}" for n in ("11", "22", "33", "44", "55")]


def files(*names):
    return [ImportFile.from_path(FIXTURES / n) for n in names]


def taobao(prefix):
    return files(f"{prefix}_ExportOrderList.csv", f"{prefix}_ExportOrderDetailList.csv")


def run(actor, store, import_files, **kw):
    return order_import_files(actor=actor, store=store, files=import_files, **kw)


def orders_of(store, numbers):
    return {
        o.platform_order_no: o
        for o in Order.objects.filter(store=store, platform_order_no__in=numbers)
    }


@pytest.fixture
def tb(stores):
    return stores["tb-main"]


def test_taobao_classic_pair_creates_orders_with_lines(kefu, tb):
    result = run(kefu, tb, taobao("taobao_v1"))

    assert result.as_dict() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    orders = orders_of(tb, TB_NUMBERS)
    first = orders[TB_NUMBERS[0]]
    assert first.status == OrderStatus.PENDING_REVIEW
    assert first.buyer_nick == "小王爱喝水"
    assert first.receiver_phone == "13812345678"  # apostrophe gone
    assert first.receiver_phone_last4 == "5678"
    assert (first.receiver_province, first.receiver_city, first.receiver_district) == (
        "浙江省",
        "杭州市",
        "西湖区",
    )
    assert first.receiver_street == "文三路 100 号"
    assert first.paid_amount == Decimal("158.00")
    assert [(x.merchant_code, x.quantity, x.sku.merchant_code) for x in first.lines.all()] == [
        ("GLT-CUP-500-BK", 1, "GLT-CUP-500-BK"),
        ("GLT-CUP-500-PK", 1, "GLT-CUP-500-PK"),
    ]
    assert orders[TB_NUMBERS[1]].receiver_phone_last4 == "4321"  # masked phone still searchable
    assert orders[TB_NUMBERS[3]].status == OrderStatus.PENDING_PAYMENT
    assert orders[TB_NUMBERS[4]].status == OrderStatus.COMPLETED
    record = OrderImport.objects.get(pk=result.import_id)
    assert record.created_count == 5
    assert [f["name"] for f in record.files] == [
        "taobao_v1_ExportOrderList.csv",
        "taobao_v1_ExportOrderDetailList.csv",
    ]
    assert set(record.orders.values_list("platform_order_no", flat=True)) == set(TB_NUMBERS)
    events = AuditEvent.objects.filter(action="orders.import.run", object_id=str(record.pk))
    assert events.count() == 1
    assert events.get().after["created"] == 5


def test_unknown_sku_keeps_the_line_and_sends_the_order_to_exception(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))

    order = Order.objects.get(store=tb, platform_order_no=TB_NUMBERS[2])
    assert order.status == OrderStatus.EXCEPTION
    assert order.exception_reason == ExceptionReason.UNMATCHED_SKU
    assert "NOPE-404" in order.exception_detail
    line = order.lines.get()
    assert (line.sku_id, line.merchant_code, line.status) == (
        None,
        "NOPE-404",
        LineStatus.UNMATCHED,
    )


def test_combo_line_records_its_components(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))

    line = Order.objects.get(store=tb, platform_order_no=TB_NUMBERS[1]).lines.get()
    assert line.sku.merchant_code == "GLT-SET-COUPLE"
    assert sorted((p["code"], p["quantity"]) for p in line.expansion) == [
        ("GLT-CUP-500-BK", 1),
        ("GLT-CUP-500-PK", 1),
    ]


def test_same_files_again_change_nothing(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))
    before = list(Order.objects.filter(store=tb).order_by("id").values())

    again = run(kefu, tb, taobao("taobao_v1"))

    assert again.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "rejected": 0,
        "errors": [],
    }
    assert list(Order.objects.filter(store=tb).order_by("id").values()) == before


def test_gbk_export_without_wrappers_is_the_same_data(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))

    again = run(kefu, tb, taobao("taobao_gbk"))

    assert again.unchanged == 5, again.as_dict()


def test_newer_export_updates_status_remark_and_amounts(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))

    result = run(kefu, tb, taobao("taobao_v2"))

    assert (result.created, result.updated, result.unchanged) == (0, 3, 2)
    orders = orders_of(tb, TB_NUMBERS)
    shipped = orders[TB_NUMBERS[0]]
    assert shipped.status == OrderStatus.SHIPPED
    assert shipped.seller_remark == "已发顺丰"
    assert (shipped.courier, shipped.tracking_no) == ("顺丰", "SF1234567890123")
    assert orders[TB_NUMBERS[3]].status == OrderStatus.PENDING_REVIEW
    assert orders[TB_NUMBERS[3]].paid_amount == Decimal("129.00")
    closed = orders[TB_NUMBERS[4]]
    assert closed.status == OrderStatus.CLOSED  # completed → closed: the platform says so
    assert closed.refund_amount == Decimal("79.00")
    event = OrderEvent.objects.get(order=shipped)
    assert event.before["status"] == OrderStatus.PENDING_REVIEW
    assert event.after["status"] == OrderStatus.SHIPPED
    assert "receiver_name" not in event.after


def test_an_older_export_never_moves_a_status_back(kefu, tb):
    run(kefu, tb, taobao("taobao_v1"))
    run(kefu, tb, taobao("taobao_v2"))

    result = run(kefu, tb, taobao("taobao_v1_again"))

    orders = orders_of(tb, TB_NUMBERS)
    assert orders[TB_NUMBERS[0]].status == OrderStatus.SHIPPED
    assert orders[TB_NUMBERS[4]].status == OrderStatus.CLOSED
    assert result.applied


def test_excel_damaged_numbers_are_rejected_wrapped_ones_trusted(kefu, tb):
    result = run(kefu, tb, taobao("taobao_damaged"))

    assert not result.applied
    damaged = {(e["line"], e["file"]) for e in result.errors if "Excel" in e["message"]}
    assert damaged == {
        (2, "taobao_damaged_ExportOrderList.csv"),
        (3, "taobao_damaged_ExportOrderList.csv"),
        (2, "taobao_damaged_ExportOrderDetailList.csv"),
        (3, "taobao_damaged_ExportOrderDetailList.csv"),
    }
    assert all("重新导出" in e["message"] for e in result.errors if "Excel" in e["message"])
    assert (
        not Order.objects.filter(store=tb, platform_order_no__startswith="31000000000000")
        .filter(platform_order_no__in=["3100000000000010000", "3100000000000020000"])
        .exists()
    )


def test_skip_invalid_applies_the_trusted_wrapped_number(kefu, tb):
    result = run(kefu, tb, taobao("taobao_damaged"), skip_invalid=True)

    assert result.applied
    assert (result.created, result.rejected) == (1, 2)
    assert Order.objects.filter(store=tb, platform_order_no="3100000000000020000").exists()


def test_row_errors_reject_the_whole_file_with_the_users_lines(kefu, tb):
    numbers = [f"31000000000000001{n:02d}" for n in range(1, 5)]

    result = run(kefu, tb, taobao("taobao_invalid"))

    assert not result.applied
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 0, 4)
    by_line = {(e["line"], e["field"]) for e in result.errors}
    assert (3, "订单付款时间") in by_line
    assert (4, "买家实际支付金额") in by_line
    assert (5, "购买数量") in by_line
    assert not Order.objects.filter(store=tb, platform_order_no__in=numbers).exists()
    record = OrderImport.objects.get(pk=result.import_id)
    assert record.status == "rejected"


def test_skip_invalid_applies_the_valid_orders(kefu, tb):
    result = run(kefu, tb, taobao("taobao_invalid"), skip_invalid=True)

    assert (result.created, result.rejected) == (1, 3)
    assert Order.objects.filter(store=tb, platform_order_no="3100000000000000101").exists()
    assert not Order.objects.filter(store=tb, platform_order_no="3100000000000000104").exists()


def test_only_one_half_of_the_taobao_pair_is_refused(kefu, tb):
    with pytest.raises(Invalid) as caught:
        run(kefu, tb, files("taobao_v1_ExportOrderList.csv"))
    assert caught.value.code == "orders.import.pair_missing"


@pytest.mark.parametrize(
    ("name", "numbers", "status"),
    [
        ("jd_orders_gbk.csv", ["280000000001", "280000000002"], OrderStatus.PENDING_REVIEW),
        (
            "pdd_orders.xls",
            ["231127-123456789012345", "231127-123456789012346"],
            OrderStatus.PENDING_REVIEW,
        ),
        ("taobao_single.xlsx", ["3200000000000000011"], OrderStatus.PENDING_REVIEW),
        ("douyin_orders.csv", ["6920000000000000001"], OrderStatus.PENDING_REVIEW),
        ("generic_orders.csv", ["M-20261126-001", "M-20261126-002"], OrderStatus.PENDING_REVIEW),
    ],
)
def test_each_platform_layout_is_detected_and_imported(kefu, stores, name, numbers, status):
    store = stores["mall"]
    result = run(kefu, store, files(name))

    assert result.applied, result.errors
    assert result.created == len(numbers)
    assert Order.objects.get(store=store, platform_order_no=numbers[0]).status == status


def test_jd_rows_of_one_order_become_one_order_with_two_lines(kefu, stores):
    store = stores["jd-main"]
    run(kefu, store, files("jd_orders_gbk.csv"))

    order = Order.objects.get(store=store, platform_order_no="280000000001")
    assert order.lines.count() == 2
    assert order.flag == "red"
    assert order.receiver_province == "四川省"
    assert (
        Order.objects.get(store=store, platform_order_no="280000000002").status
        == OrderStatus.COMPLETED
    )


def test_pdd_amounts_with_yuan_and_thousands_separators(kefu, stores):
    store = stores["pdd-main"]
    run(kefu, store, files("pdd_orders.xls"))

    order = Order.objects.get(store=store, platform_order_no="231127-123456789012345")
    assert order.goods_amount == Decimal("1118.00")
    assert order.paid_amount == Decimal("1113.00")
    assert order.discount_amount == Decimal("5.00")
    assert (order.receiver_province, order.receiver_city, order.receiver_district) == (
        "河南省",
        "郑州市",
        "金水区",
    )
    refunded = Order.objects.get(store=store, platform_order_no="231127-123456789012346")
    assert refunded.aftersales == "refunded"


def test_generic_template_combo_and_unknown_code(kefu, stores):
    store = stores["mall"]
    run(kefu, store, files("generic_orders.csv"))

    combo = Order.objects.get(store=store, platform_order_no="M-20261126-001")
    assert combo.flag == "blue"
    assert {p["code"] for p in combo.lines.get().expansion} == {
        "GLT-JUICER-P-GN",
        "GLT-KETTLE-17-WH",
    }
    unknown = Order.objects.get(store=store, platform_order_no="M-20261126-002")
    assert unknown.status == OrderStatus.EXCEPTION


def test_forced_format_that_does_not_match_is_refused(kefu, stores):
    with pytest.raises(Invalid) as caught:
        run(kefu, stores["jd-main"], files("jd_orders_gbk.csv"), platform="pdd")
    assert caught.value.code == "orders.import.format_unknown"


def test_import_needs_the_permission_and_the_store(demo, stores):
    with pytest.raises(Forbidden):
        run(demo["cangku"], stores["tb-main"], taobao("taobao_v1"))
    with pytest.raises(NotFound):
        run(demo["kefu_jd"], stores["tb-main"], taobao("taobao_v1"))
    assert not Order.objects.filter(
        store=stores["tb-main"], platform_order_no__in=TB_NUMBERS
    ).exists()


def test_demo_orders_are_seeded_and_topped_up_idempotently(demo, stores):
    from storeops.demo.orders_seed import seed_orders

    seeded = Order.objects.filter(platform_order_no__startswith="39", store=stores["tb-main"])
    assert seeded.count() == 120  # the demo's 300 orders, 40 % in the Taobao store

    added = seed_orders(users=demo, stores=stores, count=400)
    again = seed_orders(users=demo, stores=stores, count=400)

    assert (added, again) == (100, 0)
    statuses = set(Order.objects.filter(store=stores["tb-main"]).values_list("status", flat=True))
    assert {OrderStatus.COMPLETED, OrderStatus.PENDING_REVIEW} <= statuses


def test_an_alias_profile_row_maps_a_renamed_column(kefu, stores):
    from storeops.orders.models import ImportAlias

    content = (
        "平台订单号,下单时间,订单状态,商家编码,件数,单价\n"
        "ALIAS-1,2026-11-26 10:00:00,待审核,GLT-CUP-500-BK,2,79.00\n"
    ).encode()
    upload = [ImportFile.from_bytes("renamed.csv", content)]
    with pytest.raises(Invalid) as caught:
        run(kefu, stores["mall"], upload)
    assert caught.value.code == "orders.import.format_unknown"

    ImportAlias.objects.create(format="generic", alias="件数", field="quantity")
    result = run(kefu, stores["mall"], upload)

    assert result.created == 1
    line = Order.objects.get(store=stores["mall"], platform_order_no="ALIAS-1").lines.get()
    assert line.quantity == 2
