"""Catalog services: products, SKUs, combos, descriptions, categories, listings, mappings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storeops.audit.models import AuditEvent
from storeops.catalog import selectors, services
from storeops.catalog.enums import ListingStatus
from storeops.catalog.models import (
    Category,
    ComboComponent,
    DescriptionContent,
    Listing,
    PlatformSkuMapping,
    Product,
    Sku,
)
from storeops.core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.catalog_helpers import fill_description, make_product

pytestmark = pytest.mark.django_db


def test_product_and_sku_create_are_audited(yunying):
    product, sku = make_product(yunying, code="TST-CUP-500-BK", barcode="6901234567892")
    assert Sku.objects.get(merchant_code="TST-CUP-500-BK").product == product
    assert sku.price == Decimal("59.00")
    assert sku.attribute_key == "颜色:黑色"
    actions = list(
        AuditEvent.objects.filter(
            action__in=["catalog.product.create", "catalog.sku.create"],
            object_id__in=[str(product.pk), str(sku.pk)],
            actor=yunying,
        )
        .exclude(object_type="catalog.product", object_id=str(sku.pk))
        .exclude(object_type="catalog.sku", object_id=str(product.pk))
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["catalog.product.create", "catalog.sku.create"]
    event = AuditEvent.objects.get(action="catalog.sku.create", object_id=str(sku.pk))
    assert event.after["merchant_code"] == "TST-CUP-500-BK"
    assert event.actor == yunying


def test_kefu_cannot_create_a_product_and_nothing_changes(kefu):
    with pytest.raises(Forbidden):
        services.product_create(actor=kefu, name="不该出现")
    assert not Product.objects.filter(name="不该出现").exists()
    assert not AuditEvent.objects.filter(action="catalog.product.create", actor=kefu).exists()


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("TST-CUP-500-BK", True),
        ("a.b_c/d-1", True),
        ("保温杯-1", False),
        ("-LEADING", False),
        ("WITH SPACE", False),
        ("X" * 65, False),
        ("", False),
    ],
)
def test_merchant_codes_are_ascii(yunying, code, ok):
    product = services.product_create(actor=yunying, name="杯")
    if ok:
        assert services.sku_create(actor=yunying, product=product, merchant_code=code, price=1)
    else:
        with pytest.raises(Invalid) as exc:
            services.sku_create(actor=yunying, product=product, merchant_code=code, price=1)
        assert exc.value.details == {"field": "merchant_code"}
        assert not product.skus.exists()


@pytest.mark.parametrize(
    ("barcode", "ok"),
    [
        ("6901234567892", True),  # EAN-13 with a valid check digit
        ("6901234567893", False),  # the same with a wrong one: a typo
        ("96385074", True),  # EAN-8
        ("036000291452", True),  # UPC-A
        ("INT-0001", True),  # an internal code: allowed
        ("12345", True),  # short numeric internal code: not a GTIN length
        ("69012345 67892", False),
        ("条码", False),
    ],
)
def test_barcodes_are_ascii_and_gtins_carry_a_valid_check_digit(yunying, barcode, ok):
    product = services.product_create(actor=yunying, name="杯")
    if ok:
        sku = services.sku_create(
            actor=yunying, product=product, merchant_code="C1", price=1, barcode=barcode
        )
        assert sku.barcode == barcode
    else:
        with pytest.raises(Invalid):
            services.sku_create(
                actor=yunying, product=product, merchant_code="C1", price=1, barcode=barcode
            )
        assert not product.skus.exists()


def test_duplicate_merchant_code_barcode_and_attributes_are_conflicts(yunying):
    product, _sku = make_product(yunying, code="A-1", barcode="6901234567892")
    with pytest.raises(Conflict) as exc:
        services.sku_create(
            actor=yunying, product=product, merchant_code="A-1", price=1, attributes={"颜色": "白"}
        )
    assert exc.value.code == "sku.merchant_code_taken"
    with pytest.raises(Conflict) as exc:
        services.sku_create(
            actor=yunying,
            product=product,
            merchant_code="A-2",
            price=1,
            barcode="6901234567892",
            attributes={"颜色": "白"},
        )
    assert exc.value.code == "sku.barcode_taken"
    with pytest.raises(Conflict) as exc:
        services.sku_create(
            actor=yunying,
            product=product,
            merchant_code="A-3",
            price=1,
            attributes={"颜色": "黑色"},
        )
    assert exc.value.code == "sku.attributes_taken"
    assert product.skus.count() == 1


def test_sku_attributes_must_match_the_products_attribute_names(yunying):
    product = services.product_create(actor=yunying, name="杯", attribute_names=["颜色", "容量"])
    with pytest.raises(Invalid) as exc:
        services.sku_create(
            actor=yunying, product=product, merchant_code="B-1", price=1, attributes={"颜色": "黑"}
        )
    assert exc.value.code == "sku.attribute_missing"
    with pytest.raises(Invalid) as exc:
        services.sku_create(
            actor=yunying,
            product=product,
            merchant_code="B-1",
            price=1,
            attributes={"颜色": "黑", "容量": "500ml", "尺码": "L"},
        )
    assert exc.value.code == "sku.attribute_unknown"
    sku = services.sku_create(
        actor=yunying,
        product=product,
        merchant_code="B-1",
        price="1",
        attributes={"容量": "500ml", "颜色": "黑"},
    )
    assert sku.attribute_key == "颜色:黑;容量:500ml"


def test_bad_money_and_weight_are_refused(yunying):
    product = services.product_create(actor=yunying, name="杯")
    for price in ("-1", "1.001", "abc", "NaN"):
        with pytest.raises(Invalid):
            services.sku_create(actor=yunying, product=product, merchant_code="M1", price=price)
    with pytest.raises(Invalid):
        services.sku_create(
            actor=yunying, product=product, merchant_code="M1", price=1, weight_g=-5
        )
    assert not product.skus.exists()


def test_sku_update_audits_before_and_after(yunying):
    _product, sku = make_product(yunying)
    services.sku_update(actor=yunying, sku=sku, price="69.90", weight_g=350)
    sku.refresh_from_db()
    assert (sku.price, sku.weight_g) == (Decimal("69.90"), 350)
    event = AuditEvent.objects.get(action="catalog.sku.update", object_id=str(sku.pk))
    assert (event.before["price"], event.after["price"]) == ("59.00", "69.90")


def test_combo_expands_into_components(yunying):
    _p1, cup = make_product(yunying, name="杯", code="CUP")
    _p2, lid = make_product(yunying, name="盖", code="LID")
    combo_product = services.product_create(actor=yunying, name="杯盖套装")
    combo = services.sku_create(
        actor=yunying, product=combo_product, merchant_code="SET-1", price=99, is_combo=True
    )
    services.combo_set_components(actor=yunying, combo=combo, components=[(cup, 2), (lid, 1)])
    assert selectors.sku_expand(combo, 3) == [(cup, 6), (lid, 3)]
    assert selectors.sku_expand(cup, 2) == [(cup, 2)]
    assert AuditEvent.objects.get(action="catalog.combo.update", object_id=str(combo.pk)).after == {
        "components": [["CUP", 2], ["LID", 1]]
    }


def test_combos_refuse_nesting_self_duplicates_and_bad_quantities(yunying):
    _p, cup = make_product(yunying, name="杯", code="CUP")
    product = services.product_create(actor=yunying, name="套装")
    combo = services.sku_create(
        actor=yunying, product=product, merchant_code="SET-1", price=1, is_combo=True
    )
    other = services.sku_create(
        actor=yunying,
        product=services.product_create(actor=yunying, name="套装2"),
        merchant_code="SET-2",
        price=1,
        is_combo=True,
    )
    services.combo_set_components(actor=yunying, combo=other, components=[(cup, 1)])
    for components, code in (
        ([(combo, 1)], "combo.self"),
        ([(other, 1)], "combo.nested"),  # a combo inside a combo: refused, so no cycle can form
        ([(cup, 1), (cup, 2)], "combo.duplicate"),
        ([(cup, 0)], "combo.quantity_invalid"),
        ([(cup, -1)], "combo.quantity_invalid"),
    ):
        with pytest.raises(Invalid) as exc:
            services.combo_set_components(actor=yunying, combo=combo, components=components)
        assert exc.value.code == code
    assert not ComboComponent.objects.filter(combo=combo).exists()
    with pytest.raises(Conflict):  # a component cannot become a combo itself
        services.sku_update(actor=yunying, sku=cup, is_combo=True)
    with pytest.raises(Conflict):
        services.combo_set_components(actor=yunying, combo=cup, components=[])


def test_description_completeness_needs_all_four_modules(yunying):
    product, _sku = make_product(yunying)
    modules = selectors.description_modules()
    assert [m.name for m in modules] == ["卖点与展示", "规格参数", "细节展示", "售后与物流"]
    services.description_save(
        actor=yunying, product=product, bodies={m.code: "写好了" for m in modules[:3]}
    )
    assert not selectors.product_is_description_complete(product)
    assert (
        selectors.product_get(actor=yunying, product_id=product.pk).is_description_complete is False
    )
    services.description_save(
        actor=yunying, product=product, bodies={modules[3].code: "七天无理由"}
    )
    assert selectors.product_is_description_complete(product)
    assert (
        selectors.product_get(actor=yunying, product_id=product.pk).is_description_complete is True
    )
    incomplete = selectors.product_list(
        actor=yunying, filters=selectors.ProductFilter(incomplete=True)
    )
    assert product not in incomplete
    assert (
        AuditEvent.objects.filter(
            action="catalog.description.update", object_id=str(product.pk)
        ).count()
        == 2
    )


def test_description_refuses_unknown_module_and_kefu(yunying, kefu):
    product, _sku = make_product(yunying)
    with pytest.raises(Invalid):
        services.description_save(actor=yunying, product=product, bodies={"nope": "x"})
    with pytest.raises(Forbidden):
        services.description_save(actor=kefu, product=product, bodies={"details": "x"})
    assert not DescriptionContent.objects.filter(product=product).exists()


def test_category_template_prefills_a_new_products_modules(yunying, stores):
    category = services.category_create(actor=yunying, store=stores["tb-main"], name="测试类目")
    services.description_template_save(
        actor=yunying, category=category, bodies={"service_logistics": "全国包邮，七天无理由退换"}
    )
    child = services.category_create(
        actor=yunying, store=stores["tb-main"], name="子类目", parent=category
    )
    product = services.product_create(actor=yunying, name="新品", category=child)
    bodies = {d["code"]: d["body"] for d in selectors.product_description(product)}
    assert bodies["service_logistics"] == "全国包邮，七天无理由退换"
    assert bodies["selling_points"] == ""


def test_category_tree_depth_and_cycles(yunying, stores):
    store = stores["tb-main"]
    a = services.category_create(actor=yunying, store=store, name="甲")
    b = services.category_create(actor=yunying, store=store, name="乙", parent=a)
    c = services.category_create(actor=yunying, store=store, name="丙", parent=b)
    d = services.category_create(actor=yunying, store=store, name="丁", parent=c)
    assert d.path == "甲/乙/丙/丁"
    with pytest.raises(Invalid) as exc:
        services.category_create(actor=yunying, store=store, name="戊", parent=d)
    assert exc.value.code == "category.too_deep"
    with pytest.raises(Conflict) as exc:
        services.category_update(actor=yunying, category=a, name="甲", parent=c)
    assert exc.value.code == "category.cycle"
    with pytest.raises(Conflict):
        services.category_create(actor=yunying, store=store, name="乙", parent=a)
    services.category_update(actor=yunying, category=b, name="乙二", parent=None)
    assert Category.objects.get(pk=d.pk).path == "乙二/丙/丁"
    assert Category.objects.get(pk=d.pk).depth == 3


def test_categories_are_store_scoped(kefu_jd, yunying, stores, demo):
    from storeops.accounts.models import Role
    from storeops.core.roles import RoleCode

    planner_jd = demo["kefu_jd"]
    planner_jd.roles.add(Role.objects.get(code=RoleCode.OPERATIONS))
    planner_jd.forget_access_cache()
    with pytest.raises(NotFound):  # a store they do not work in does not exist for them
        services.category_create(actor=planner_jd, store=stores["tb-main"], name="越权")
    assert not Category.objects.filter(name="越权").exists()
    category = services.category_create(actor=yunying, store=stores["tb-main"], name="淘宝类目")
    with pytest.raises(NotFound):
        selectors.category_get_for_change(actor=planner_jd, category_id=category.pk)


def test_listing_goes_on_sale_only_with_a_complete_description(yunying, stores):
    product, _sku = make_product(yunying)
    listing = services.listing_create(actor=yunying, store=stores["tb-main"], product=product)
    assert (listing.title, listing.price, listing.status) == (
        product.name,
        Decimal("59.00"),
        ListingStatus.DRAFT,
    )
    with pytest.raises(Conflict) as exc:
        services.listing_set_status(actor=yunying, listing=listing, status=ListingStatus.ON_SALE)
    assert exc.value.code == "listing.description_incomplete"
    fill_description(yunying, product)
    services.listing_set_status(actor=yunying, listing=listing, status=ListingStatus.ON_SALE)
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.ON_SALE
    with pytest.raises(Conflict) as exc:
        services.listing_set_status(actor=yunying, listing=listing, status=ListingStatus.DRAFT)
    assert exc.value.code == "listing.transition_refused"
    event = AuditEvent.objects.get(action="catalog.listing.status", object_id=str(listing.pk))
    assert (event.before, event.after) == ({"status": "draft"}, {"status": "on_sale"})
    with pytest.raises(Conflict):
        services.listing_create(actor=yunying, store=stores["tb-main"], product=product)


def test_listing_category_must_be_the_stores(yunying, stores):
    product, _sku = make_product(yunying)
    other = services.category_create(actor=yunying, store=stores["jd-main"], name="京东类目")
    with pytest.raises(Invalid):
        services.listing_create(
            actor=yunying, store=stores["tb-main"], product=product, category=other
        )
    assert not Listing.objects.filter(product=product).exists()


def test_sku_resolve_mapping_then_merchant_code(yunying, stores):
    _p, cup = make_product(yunying, name="杯", code="GLT-CUP")
    _p, lid = make_product(yunying, name="盖", code="GLT-LID")
    tb = stores["tb-main"]
    services.mapping_create(
        actor=yunying, store=tb, sku=cup, platform_item_id="6001", platform_sku_id="5001"
    )
    services.mapping_create(actor=yunying, store=tb, sku=lid, platform_item_id="6002")
    services.mapping_create(actor=yunying, store=tb, sku=lid, platform_merchant_code="OLD-CODE")
    assert selectors.sku_resolve(store=tb, platform_item_id="6001", platform_sku_id="5001") == cup
    # an item mapped without a SKU id matches any of its SKU ids
    assert selectors.sku_resolve(store=tb, platform_item_id="6002", platform_sku_id="9") == lid
    assert selectors.sku_resolve(store=tb, merchant_code="OLD-CODE") == lid
    # no mapping: our own merchant code
    assert (
        selectors.sku_resolve(
            store=tb, platform_item_id="7777", platform_sku_id="1", merchant_code="GLT-CUP"
        )
        == cup
    )
    assert selectors.sku_resolve(store=tb, platform_item_id="7777") is None
    # mappings belong to a store: another store's ids fall through to the merchant code
    assert selectors.sku_resolve(store=stores["jd-main"], platform_item_id="6001") is None
    resolve = selectors.sku_resolver(store=tb)
    assert resolve("6001", "5001") == cup
    assert resolve(merchant_code="GLT-LID") == lid


def test_mapping_rules(yunying, kefu, stores):
    _p, cup = make_product(yunying)
    tb = stores["tb-main"]
    services.mapping_create(
        actor=yunying, store=tb, sku=cup, platform_item_id="1", platform_sku_id="2"
    )
    with pytest.raises(Conflict):
        services.mapping_create(
            actor=yunying, store=tb, sku=cup, platform_item_id="1", platform_sku_id="2"
        )
    with pytest.raises(Invalid):
        services.mapping_create(actor=yunying, store=tb, sku=cup)
    with pytest.raises(Invalid):
        services.mapping_create(actor=yunying, store=tb, sku=cup, platform_sku_id="2")
    with pytest.raises(Forbidden):
        services.mapping_create(actor=kefu, store=tb, sku=cup, platform_item_id="3")
    assert PlatformSkuMapping.objects.filter(sku=cup).count() == 1
    assert (
        AuditEvent.objects.filter(
            action="catalog.mapping.create",
            object_id=str(PlatformSkuMapping.objects.get(sku=cup).pk),
        ).count()
        == 1
    )


def test_sku_resolve_many_answers_as_sku_resolve_key_by_key(yunying, stores, monkeypatch):
    _p, cup = make_product(yunying, name="杯", code="GLT-CUP")
    _p, lid = make_product(yunying, name="盖", code="GLT-LID")
    _p, mat = make_product(yunying, name="垫", code="GLT-MAT")
    tb = stores["tb-main"]
    services.mapping_create(
        actor=yunying, store=tb, sku=cup, platform_item_id="6001", platform_sku_id="5001"
    )
    services.mapping_create(actor=yunying, store=tb, sku=lid, platform_item_id="6001")
    services.mapping_create(actor=yunying, store=tb, sku=lid, platform_item_id="6002")
    services.mapping_create(actor=yunying, store=tb, sku=mat, platform_merchant_code="GLT-CUP")
    services.mapping_create(
        actor=yunying, store=stores["jd-main"], sku=cup, platform_merchant_code="X-1"
    )
    keys = [
        ("6001", "5001", "GLT-MAT"),  # item + SKU id mapping first
        ("6001", "9999", None),  # item mapped without a SKU id
        ("6001", "", ""),
        (" 6002 ", " 1 ", None),  # spaces as exports have them
        ("7777", "1", "GLT-CUP"),  # no item mapping: the platform's code mapping before ours
        ("7777", "1", "GLT-LID"),  # … then our own merchant code
        (None, None, "X-1"),  # another store's mapping: not here
        (None, None, "NOPE"),
        ("", "", ""),
    ]
    many = selectors.sku_resolve_many(store=tb, keys=keys)
    one_by_one = {
        k: selectors.sku_resolve(
            store=tb, platform_item_id=k[0], platform_sku_id=k[1], merchant_code=k[2]
        )
        for k in keys
    }
    assert many == one_by_one
    assert [many[k] for k in keys] == [cup, lid, lid, lid, mat, lid, None, None, None]
