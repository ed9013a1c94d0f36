"""Fulfillment services: allocation with reservation, verification blocking, packing standard,
shipping (courier suggestion never refuses), partial shipment, cancellation, audit."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from storeops.audit.models import AuditEvent
from storeops.catalog import services as catalog
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from storeops.fulfillment import pdf, selectors, services
from storeops.fulfillment.enums import PackExceptionKind
from storeops.fulfillment.exports import shipment_export_csv
from storeops.fulfillment.models import PackException, Shipment
from storeops.inventory.models import Movement, Reservation, StockLevel
from storeops.orders.models import Order, OrderEvent
from tests.fulfillment_helpers import make_order, make_sku, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(stores):
    return stores["tb-main"] if "tb-main" in stores else next(iter(stores.values()))


def _level(sku, house):
    return StockLevel.objects.get(sku=sku, warehouse=house)


def _packed(demo, store, lines, house=None, *, stock=10):
    house = house or make_warehouse([(sku, stock) for sku, _qty in lines])
    order = make_order(store, lines)
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    for sku, qty in lines:
        for _ in range(qty):
            services.verify_scan(
                actor=demo["cangku"], allocation_id=allocation.pk, code=sku.merchant_code
            )
    services.pack_confirm(
        actor=demo["cangku"],
        allocation_id=allocation.pk,
        checklist={"package_type": True, "protective_material": True, "inserts": True},
    )
    return order, allocation, house


def test_allocation_reserves_in_the_warehouse_and_lists_the_order(demo, store):
    sku = make_sku("陶瓷马克杯")
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 2)])
    assert order in selectors.orders_to_allocate(actor=demo["cangku"])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    assert allocation.warehouse == house
    assert _level(sku, house).reserved == 2
    assert order not in selectors.orders_to_allocate(actor=demo["cangku"])
    with pytest.raises(Conflict):
        services.allocation_create(actor=demo["cangku"], order_id=order.pk, warehouse=house)
    assert OrderEvent.objects.filter(order=order, kind="allocated").exists()
    assert AuditEvent.objects.filter(
        action="fulfillment.allocation.create", object_id=str(allocation.pk)
    ).exists()


def test_allocation_keeps_the_reservation_made_at_review(demo, store):
    from storeops.inventory.services import stock_reserve_for_order

    sku = make_sku()
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 1)])
    stock_reserve_for_order(
        actor=demo["kefu"], reference=f"order:{order.pk}", lines=[(sku, 1)], warehouse=house
    )
    allocation = services.allocation_create(actor=demo["cangku"], order_id=order.pk)
    assert allocation.warehouse == house
    assert _level(sku, house).reserved == 1  # not reserved twice


def test_unreviewed_order_and_other_roles_refused(demo, store):
    sku = make_sku()
    house = make_warehouse([(sku, 5)])
    pending = make_order(store, [(sku, 1)], status="pending_review")
    with pytest.raises(Conflict):
        services.allocation_create(actor=demo["cangku"], order_id=pending.pk, warehouse=house)
    order = make_order(store, [(sku, 1)])
    with pytest.raises(Forbidden):
        services.allocation_create(actor=demo["yunying"], order_id=order.pk, warehouse=house)


def test_combo_is_picked_as_components_and_the_pdf_shows_chinese(demo, store):
    a = make_sku("竹纤维毛巾")
    b = make_sku("珊瑚绒浴巾")
    combo = make_sku("浴室三件套组合装", weight=0, is_combo=True)
    catalog.combo_set_components(actor=demo["yunying"], combo=combo, components=[(a, 2), (b, 1)])
    house = make_warehouse([(a, 10), (b, 10)])
    order = make_order(store, [(combo, 1)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    lines = {line.sku.merchant_code: line for line in selectors.allocation_lines(allocation)}
    assert lines[a.merchant_code].quantity == 2
    assert lines[b.merchant_code].quantity == 1
    assert all(line.combo_code == combo.merchant_code for line in lines.values())
    text = PdfReader(io.BytesIO(pdf.pick_list_pdf([allocation]))).pages[0].extract_text()
    assert "竹纤维毛巾" in text
    assert "珊瑚绒浴巾" in text


def test_pick_list_pdf_embeds_the_cjk_font_and_code128(demo, store):
    sku = make_sku("青花瓷茶具套装")
    house = make_warehouse([(sku, 3)])
    order = make_order(store, [(sku, 1)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    content = pdf.pick_list_pdf([allocation])
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    text = page.extract_text()
    assert "青花瓷茶具套装" in text
    assert "拣货单" in text
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "WenQuanYi" in str(f["/BaseFont"])]
    assert cjk, "the CJK font is used"
    descendant = (
        cjk[0]["/DescendantFonts"][0].get_object() if "/DescendantFonts" in cjk[0] else cjk[0]
    )
    assert "/FontFile2" in descendant["/FontDescriptor"].get_object()  # embedded TrueType
    # Code128 is drawn as bars (filled rectangles) with the human-readable value under it
    assert order.platform_order_no in text
    assert sku.merchant_code in text
    stream = page.get_contents().get_data()
    assert stream.count(b" re") > 40


def test_wave_batches_by_sku(demo, store):
    sku = make_sku("防晒霜 50ml")
    other = make_sku("保湿面膜")
    house = make_warehouse([(sku, 20), (other, 20)])
    orders = [make_order(store, [(sku, 1)]), make_order(store, [(sku, 2), (other, 1)])]
    result = services.wave_create(
        actor=demo["cangku"], order_ids=[o.pk for o in orders], warehouse=house
    )
    assert len(result.allocated) == 2
    assert not result.refused
    wave, allocations = selectors.wave_get(actor=demo["cangku"], wave_id=result.wave.pk)
    text = PdfReader(io.BytesIO(pdf.wave_pick_list_pdf(wave, allocations))).pages[0].extract_text()
    assert "波次拣货单" in text
    assert "防晒霜" in text
    assert "3" in text  # the SKU summed over both orders


def test_wrong_and_extra_items_block_packing(demo, store):
    sku = make_sku("蓝牙耳机", barcode="6901234567892")
    stranger = make_sku("充电宝")
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 1)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    wrong = services.verify_scan(
        actor=demo["cangku"], allocation_id=allocation.pk, code=stranger.merchant_code
    )
    assert wrong.result == "wrong"
    assert "充电宝" in wrong.message
    assert "不在此订单中" in wrong.message
    ok = services.verify_scan(
        actor=demo["cangku"], allocation_id=allocation.pk, code="6901234567892"
    )
    assert ok.result == "ok"
    with pytest.raises(Conflict) as refused:
        services.pack_confirm(actor=demo["cangku"], allocation_id=allocation.pk, checklist={})
    assert refused.value.code == "pack.blocked"
    services.verify_clear_block(actor=demo["cangku"], allocation_id=allocation.pk, note="已取出")
    extra = services.verify_scan(
        actor=demo["cangku"], allocation_id=allocation.pk, code=sku.merchant_code
    )
    assert extra.result == "extra"
    with pytest.raises(Conflict):
        services.pack_confirm(actor=demo["cangku"], allocation_id=allocation.pk, checklist={})
    kinds = set(PackException.objects.filter(allocation=allocation).values_list("kind", flat=True))
    assert kinds == {PackExceptionKind.WRONG_ITEM, PackExceptionKind.EXTRA_ITEM}
    assert AuditEvent.objects.filter(action="fulfillment.allocation.scan_refused").count() >= 2


def test_packing_before_verification_is_refused(demo, store):
    sku = make_sku()
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 2)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    services.verify_scan(actor=demo["cangku"], allocation_id=allocation.pk, code=sku.merchant_code)
    with pytest.raises(Conflict) as refused:
        services.pack_confirm(actor=demo["cangku"], allocation_id=allocation.pk, checklist={})
    assert refused.value.code == "pack.not_verified"
    assert "1/2" in refused.value.message


def test_pack_exceptions_need_a_note_and_are_counted(demo, store):
    sku = make_sku(weight=500)
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 1)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    services.verify_scan(actor=demo["cangku"], allocation_id=allocation.pk, code=sku.merchant_code)
    checklist = {"package_type": True, "protective_material": False, "inserts": True}
    with pytest.raises(Invalid) as refused:
        services.pack_confirm(
            actor=demo["cangku"], allocation_id=allocation.pk, checklist=checklist, weight_g=900
        )
    assert refused.value.details["field"] == "exception_note"
    services.pack_confirm(
        actor=demo["cangku"],
        allocation_id=allocation.pk,
        checklist=checklist,
        weight_g=900,
        exception_note="气泡膜用完，改用纸团",
    )
    kinds = sorted(
        PackException.objects.filter(allocation=allocation).values_list("kind", flat=True)
    )
    assert kinds == sorted([PackExceptionKind.PROTECTIVE_MATERIAL, PackExceptionKind.WEIGHT])
    import datetime as dt

    from storeops.core import clock

    report = selectors.exception_report(
        actor=demo["jingli"],
        date_from=clock.now() - dt.timedelta(hours=1),
        date_to=clock.now() + dt.timedelta(hours=1),
    )
    counts = {row["kind"]: row["count"] for row in report["by_kind"]}
    assert counts[PackExceptionKind.WEIGHT] >= 1
    assert counts[PackExceptionKind.PROTECTIVE_MATERIAL] >= 1


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("SF1234567890123", "SF"),
        ("73123456789012", "ZTO"),
        ("YT1234567890123", "YTO"),
        ("312345678901234", "YD"),
        ("JT1234567890123", "JT"),
        ("JDVA12345678901", "JD"),
        ("9812345678901", "EMS"),
        ("DPK123456789012", "DBL"),
        ("ab-123456", None),
    ],
)
def test_courier_suggestion_from_the_number(number, code):
    found = selectors.courier_suggest(number)
    assert (found.code if found else None) == code


def test_ship_moves_stock_and_the_order_and_never_rejects_by_format(demo, store):
    sku = make_sku("不锈钢保温杯")
    order, allocation, house = _packed(demo, store, [(sku, 2)])
    # 中通 chosen with a number that looks like 顺丰: recorded as chosen, the hint kept
    shipment = services.shipment_create(
        actor=demo["cangku"],
        allocation_id=allocation.pk,
        tracking_no="sf1234567890123",
        courier="ZTO",
    )
    assert shipment.courier.code == "ZTO"
    assert shipment.suggested_courier == "SF"
    assert shipment.tracking_no == "SF1234567890123"
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.courier == "中通"
    assert _level(sku, house).on_hand == 8
    assert _level(sku, house).reserved == 0
    moved = Movement.objects.filter(kind="shipment", reference=f"order:{order.pk}", sku=sku)
    assert sum(-m.on_hand_delta for m in moved) == 2
    assert AuditEvent.objects.filter(
        action="fulfillment.shipment.create", object_id=str(shipment.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="orders.order.ship", object_id=str(order.pk)).exists()


def test_number_matching_no_pattern_needs_a_courier_but_is_accepted_with_one(demo, store):
    sku = make_sku()
    _order, allocation, _house = _packed(demo, store, [(sku, 1)])
    with pytest.raises(Invalid) as refused:
        services.shipment_create(
            actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="ABC-0001"
        )
    assert refused.value.details["field"] == "courier"
    shipment = services.shipment_create(
        actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="ABC-0001", courier="德邦"
    )
    assert shipment.courier.code == "DBL"
    assert shipment.suggested_courier == ""


def test_partial_shipment_then_the_rest(demo, store):
    a = make_sku("笔记本 A5")
    b = make_sku("中性笔 10 支装")
    order, allocation, house = _packed(demo, store, [(a, 2), (b, 1)])
    lines = {line.sku_id: line for line in selectors.allocation_lines(allocation)}
    first = services.shipment_create(
        actor=demo["cangku"],
        allocation_id=allocation.pk,
        tracking_no="SF1111111111111",
        lines=[(lines[a.pk].pk, 2)],
    )
    assert first.is_partial
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    assert _level(a, house).on_hand == 8
    assert _level(a, house).reserved == 0
    assert _level(b, house).on_hand == 10
    assert _level(b, house).reserved == 1
    assert order.lines.get(sku=a).status == "shipped"
    assert order.lines.get(sku=b).status == "normal"
    second = services.shipment_create(
        actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="SF2222222222222"
    )
    order.refresh_from_db()
    assert order.status == "shipped"
    assert second.lines.count() == 1
    assert _level(b, house).on_hand == 9
    assert _level(b, house).reserved == 0
    assert not Reservation.objects.filter(
        reference__startswith=f"order:{order.pk}", status="active"
    ).exists()
    assert AuditEvent.objects.filter(
        action="orders.order.ship_partial", object_id=str(order.pk)
    ).exists()


def test_a_partial_shipment_leaves_one_shipment_movement_per_sku_and_no_release(demo, store):
    """部分发货 ships its part out of the order's reservation: the ledger shows the parcel's
    shipment movements and nothing released or reserved again; the rest stays reserved and the
    last parcel consumes it."""
    a = make_sku("笔记本 B5")
    b = make_sku("铅笔 12 支装")
    _order, allocation, house = _packed(demo, store, [(a, 3), (b, 2)])
    before = set(Movement.objects.filter(sku__in=[a, b]).values_list("id", flat=True))
    lines = {line.sku_id: line for line in selectors.allocation_lines(allocation)}
    services.shipment_create(
        actor=demo["cangku"],
        allocation_id=allocation.pk,
        tracking_no="SF3333333333333",
        lines=[(lines[a.pk].pk, 1), (lines[b.pk].pk, 2)],
    )
    parcel = list(
        Movement.objects.filter(sku__in=[a, b])
        .exclude(id__in=before)
        .order_by("sku__merchant_code")
        .values_list("kind", "sku_id", "on_hand_delta", "reserved_delta", "reference")
    )
    reference = allocation.reference
    assert sorted(parcel, key=lambda m: m[1]) == sorted(
        [
            ("shipment", a.pk, -1, -1, f"{reference}:s1"),
            ("shipment", b.pk, -2, -2, f"{reference}:s1"),
        ],
        key=lambda m: m[1],
    )
    assert (_level(a, house).on_hand, _level(a, house).reserved) == (9, 2)
    assert (_level(b, house).on_hand, _level(b, house).reserved) == (8, 0)
    held = Reservation.objects.get(reference=reference, sku=a, status="active")
    assert held.quantity == 2  # the rest, kept on the same reservation
    services.shipment_create(
        actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="SF4444444444444"
    )
    assert (_level(a, house).on_hand, _level(a, house).reserved) == (7, 0)
    kinds = set(
        Movement.objects.filter(sku__in=[a, b])
        .exclude(id__in=before)
        .values_list("kind", flat=True)
    )
    assert kinds == {"shipment"}
    assert AuditEvent.objects.filter(
        action="inventory.stock.ship_part_for_order", object_id=reference
    ).exists()


def test_a_partial_shipment_of_more_than_is_reserved_is_refused_and_changes_nothing(demo, store):
    from storeops.inventory import services as inventory

    a = make_sku("订书机")
    _order, allocation, house = _packed(demo, store, [(a, 2)])
    with pytest.raises(Conflict) as refused:
        inventory.stock_ship_part_for_order(
            actor=demo["cangku"],
            reference=allocation.reference,
            lines=[(a, 3)],
            parcel_reference=f"{allocation.reference}:s9",
        )
    assert refused.value.code == "reservation.short"
    assert (_level(a, house).on_hand, _level(a, house).reserved) == (10, 2)
    assert not Movement.objects.filter(reference=f"{allocation.reference}:s9").exists()


def test_cancel_before_shipment_releases_the_reservation(demo, store):
    sku = make_sku()
    house = make_warehouse([(sku, 5)])
    order = make_order(store, [(sku, 3)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    assert _level(sku, house).reserved == 3
    services.allocation_cancel(
        actor=demo["yunying"], allocation_id=allocation.pk, reason="买家取消", close_order=True
    )
    assert _level(sku, house).reserved == 0
    order.refresh_from_db()
    assert order.status == "closed"
    assert AuditEvent.objects.filter(
        action="fulfillment.allocation.cancel", object_id=str(allocation.pk)
    ).exists()


def test_cancel_after_shipment_refused(demo, store):
    sku = make_sku()
    _order, allocation, _house = _packed(demo, store, [(sku, 1)])
    services.shipment_create(
        actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="SF3333333333333"
    )
    with pytest.raises(Conflict):
        services.allocation_cancel(actor=demo["cangku"], allocation_id=allocation.pk, reason="x")


def test_tracking_import_with_row_errors_then_clean(demo, store):
    sku = make_sku()
    order1, alloc1, _h = _packed(demo, store, [(sku, 1)], stock=5)
    order2, alloc2, _h = _packed(demo, store, [(sku, 1)], stock=5)
    bad = (
        "订单编号,物流公司,运单号\n"
        f"{order1.platform_order_no},,YT1234567890123\n"
        "NOSUCHORDER,顺丰,SF4444444444444\n"
        f"{order2.platform_order_no},,??\n"
    ).encode()
    result = services.tracking_import(actor=demo["cangku"], source=bad, filename="t.csv")
    assert not result.applied
    assert {(e.line, e.field) for e in result.errors} == {(3, "order_no"), (4, "tracking_no")}
    assert not Shipment.objects.filter(allocation__in=[alloc1, alloc2]).exists()
    good = (
        "订单号,快递公司,快递单号\n"
        f"{order1.platform_order_no},,YT1234567890123\n"
        f"{order2.platform_order_no},韵达,ABC123456\n"
    ).encode("gb18030")
    result = services.tracking_import(actor=demo["cangku"], source=good, filename="t.csv")
    assert result.applied
    assert result.created == 2
    order1.refresh_from_db()
    order2.refresh_from_db()
    assert (order1.status, order1.courier) == ("shipped", "圆通")
    assert (order2.status, order2.courier) == ("shipped", "韵达")
    assert AuditEvent.objects.filter(action="fulfillment.tracking.import").exists()


def test_export_file_per_platform(demo, stores):
    sku = make_sku()
    rows = {}
    for code in ("tb-main", "jd-main", "pdd-main"):
        if code not in stores:
            continue
        _order, allocation, _house = _packed(demo, stores[code], [(sku, 1)], stock=3)
        shipment = services.shipment_create(
            actor=demo["cangku"], allocation_id=allocation.pk, tracking_no="SF5555555555555"
        )
        content = shipment_export_csv(stores[code].platform, [shipment])
        assert content.startswith(b"\xef\xbb\xbf")
        rows[stores[code].platform] = content.decode("utf-8-sig").splitlines()
    assert rows, "demo stores exist"
    for platform, lines in rows.items():
        header = lines[0].split(",")
        assert len(lines) == 2
        if platform in ("taobao", "tmall"):
            assert header == ["订单编号", "物流公司", "运单号"]
            assert "顺丰速运" in lines[1]
        if platform == "pdd":
            assert header == ["订单号", "快递公司", "快递单号"]
        if platform == "jd":
            assert header == ["订单号", "物流公司", "运单号"]
            assert "顺丰快递" in lines[1]


def test_another_stores_allocation_is_not_found(demo, stores):
    if "jd-main" not in stores or "tb-main" not in stores:
        pytest.skip("demo stores")
    sku = make_sku()
    house = make_warehouse([(sku, 3)])
    order = make_order(stores["tb-main"], [(sku, 1)])
    allocation = services.allocation_create(
        actor=demo["cangku"], order_id=order.pk, warehouse=house
    )
    with pytest.raises(NotFound):
        selectors.allocation_get(actor=demo["kefu_jd"], allocation_id=allocation.pk)
    assert Order.objects.filter(pk=order.pk).exists()
