"""Catalog management pages: categories per store, product and SKU forms, combo components,
listings with completeness, platform SKU mappings, description modules and the photo standard.
Allowed and denied per role, the audit event written, bad input named on its field."""

from __future__ import annotations

import pytest

from storeops.audit.models import AuditEvent
from storeops.catalog import services
from storeops.catalog.models import (
    Category,
    ComboComponent,
    DescriptionModule,
    DescriptionTemplate,
    Listing,
    PhotoStandard,
    PlatformSkuMapping,
    Product,
    Sku,
)
from storeops.core.errors import Conflict
from tests.catalog_helpers import fill_description, make_product

pytestmark = pytest.mark.django_db


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- navigation and who may look ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["kefu", "cangku", "caiwu", "shenji"])
def test_lookup_roles_enter_the_catalog_and_see_the_pages(web_as, demo, name):
    client = web_as(demo[name])
    page = client.get("/catalog/products/").content.decode()
    for label in ("店铺类目", "店铺商品", "平台商品映射", "描述模块与图片标准"):
        assert label in page
    for url in (
        "/catalog/categories/?store=tb-main",
        "/catalog/listings/?store=tb-main",
        "/catalog/mappings/?store=tb-main",
        "/catalog/standards/",
    ):
        assert client.get(url).status_code == 200, url
    # looking is not changing: no forms to write with
    assert "新建类目" not in client.get("/catalog/categories/?store=tb-main").content.decode()
    assert "新建映射" not in client.get("/catalog/mappings/?store=tb-main").content.decode()
    assert client.get("/catalog/products/new/").status_code == 403


def test_a_store_one_does_not_work_in_is_not_found(web_as, kefu_jd):
    client = web_as(kefu_jd)
    assert client.get("/catalog/categories/?store=tb-main").status_code == 404
    assert client.get("/catalog/listings/?store=tb-main").status_code == 404
    assert client.get("/catalog/mappings/?store=tb-main").status_code == 404
    assert client.get("/catalog/mappings/?store=jd-main").status_code == 200


# --- categories ---------------------------------------------------------------------------------
def test_create_rename_move_and_delete_a_category(web_as, yunying, stores):
    client = web_as(yunying)
    shop = stores["pdd-main"]
    response = client.post(
        "/catalog/categories/new/", {"store": "pdd-main", "name": "厨房小电", "sort_order": "1"}
    )
    assert response.status_code == 302
    top = Category.objects.get(store=shop, path="厨房小电")
    assert events("catalog.category.create", object_id=str(top.pk), store_id=shop.pk).count() == 1
    client.post("/catalog/categories/new/", {"store": "pdd-main", "name": "水壶", "parent": top.pk})
    child = Category.objects.get(store=shop, path="厨房小电/水壶")
    page = client.get("/catalog/categories/?store=pdd-main").content.decode()
    assert "厨房小电/水壶" in page

    # moving a category under its own child is refused, named on the parent field
    page = client.post(
        f"/catalog/categories/{top.pk}/edit/", {"name": "厨房小电", "parent": child.pk}
    ).content.decode()
    assert "不能把类目移到它自己或它的下级下面" in page
    assert 'data-field-error="parent"' in page
    # rename: the child's path follows
    client.post(f"/catalog/categories/{top.pk}/edit/", {"name": "厨房电器", "sort_order": "2"})
    child.refresh_from_db()
    assert child.path == "厨房电器/水壶"
    assert events("catalog.category.update", object_id=str(top.pk)).count() == 1

    client.post(f"/catalog/categories/{child.pk}/delete/")
    assert not Category.objects.filter(pk=child.pk).exists()
    assert events("catalog.category.delete", object_id=str(child.pk)).count() == 1


def test_a_category_in_use_cannot_be_deleted(web_as, yunying, stores):
    category = Category.objects.get(store=stores["tb-main"], path="杯壶/保温杯")
    assert category.products.exists()
    response = web_as(yunying).post(f"/catalog/categories/{category.pk}/delete/", follow=True)
    assert "仍被" in response.content.decode()
    assert Category.objects.filter(pk=category.pk).exists()
    with pytest.raises(Conflict) as refused:
        services.category_delete(actor=yunying, category=category)
    assert refused.value.code == "category.in_use"


def test_kefu_cannot_create_a_category(web_as, kefu, stores):
    before = Category.objects.filter(store=stores["tb-main"]).count()
    response = web_as(kefu).post(
        "/catalog/categories/new/", {"store": "tb-main", "name": "客服类目"}
    )
    assert response.status_code == 403
    assert Category.objects.filter(store=stores["tb-main"]).count() == before


def test_category_template_edit(web_as, demo, kefu, stores):
    category = Category.objects.get(store=stores["tb-main"], path="生活家居")
    modules = list(DescriptionModule.objects.filter(is_active=True))
    data = {f"module_{m.code}": "" for m in modules}
    data["module_selling_points"] = "收纳有序，家更整洁"
    response = web_as(demo["qihua"]).post(f"/catalog/categories/{category.pk}/template/", data)
    assert response.status_code == 302
    template = DescriptionTemplate.objects.get(category=category, module__code="selling_points")
    assert template.body == "收纳有序，家更整洁"
    assert events("catalog.template.update", object_id=str(category.pk)).count() == 1
    assert web_as(kefu).get(f"/catalog/categories/{category.pk}/template/").status_code == 200
    data["module_selling_points"] = "客服改的"
    assert (
        web_as(kefu).post(f"/catalog/categories/{category.pk}/template/", data).status_code == 403
    )
    template.refresh_from_db()
    assert template.body == "收纳有序，家更整洁"


# --- products and SKUs --------------------------------------------------------------------------
def test_create_a_product_then_a_sku(web_as, yunying):
    client = web_as(yunying)
    page = client.post(
        "/catalog/products/new/", {"name": "页面新品", "style_code": "款号 中文"}
    ).content.decode()
    assert 'data-field-error="style_code"' in page
    assert not Product.objects.filter(name="页面新品").exists()
    response = client.post(
        "/catalog/products/new/",
        {
            "name": "页面新品",
            "style_code": "PG-NEW",
            "attribute_names": "颜色、容量",
            "tags": ["新品"],
        },
    )
    product = Product.objects.get(style_code="PG-NEW")
    assert response["Location"] == f"/catalog/products/{product.pk}/"
    assert product.attribute_names == ["颜色", "容量"]
    assert events("catalog.product.create", object_id=str(product.pk)).count() == 1

    form = {
        "merchant_code": "PG-NEW-BK",
        "barcode": "6901234567891",  # wrong check digit (…892 is right)
        "price": "59.90",
        "standard_cost": "20",
        "weight_g": "350",
        "attr_0": "黑色",
        "attr_1": "500ml",
        "is_active": "on",
    }
    page = client.post(f"/catalog/products/{product.pk}/skus/new/", form).content.decode()
    assert 'data-field-error="barcode"' in page
    assert "校验位不正确" in page
    page = client.post(
        f"/catalog/products/{product.pk}/skus/new/", {**form, "merchant_code": "黑色杯"}
    ).content.decode()
    assert 'data-field-error="merchant_code"' in page
    client.post(f"/catalog/products/{product.pk}/skus/new/", {**form, "barcode": "6901234567892"})
    sku = Sku.objects.get(merchant_code="PG-NEW-BK")
    assert sku.attributes == {"颜色": "黑色", "容量": "500ml"}
    assert str(sku.standard_cost) == "20.00"
    assert events("catalog.sku.create", object_id=str(sku.pk)).count() == 1
    page = client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert "PG-NEW-BK" in page
    assert "¥59.90" in page


def test_the_cost_field_is_only_for_those_who_may_see_costs(web_as, yunying, demo):
    _product, sku = make_product(yunying, code="COST-1", standard_cost="12.50")
    qihua = web_as(demo["qihua"])  # 企划 manages products but does not see costs
    page = qihua.get(f"/catalog/skus/{sku.pk}/edit/").content.decode()
    assert "standard_cost" not in page
    assert "12.50" not in page
    qihua.post(
        f"/catalog/skus/{sku.pk}/edit/",
        {"merchant_code": "COST-1", "price": "66", "attr_0": "黑色", "is_active": "on"},
    )
    sku.refresh_from_db()
    assert str(sku.price) == "66.00"
    assert str(sku.standard_cost) == "12.50"  # untouched
    assert events("catalog.sku.update", object_id=str(sku.pk)).count() == 1
    assert "12.50" in web_as(yunying).get(f"/catalog/skus/{sku.pk}/edit/").content.decode()


def test_product_edit_and_kefu_denied(web_as, yunying, kefu):
    product, _sku = make_product(yunying, code="EDIT-1")
    client = web_as(yunying)
    client.post(
        f"/catalog/products/{product.pk}/edit/",
        {"name": "改名后的杯", "attribute_names": "颜色", "is_best_seller": "on"},
    )
    product.refresh_from_db()
    assert (product.name, product.is_best_seller) == ("改名后的杯", True)
    assert events("catalog.product.update", object_id=str(product.pk)).count() == 1
    response = web_as(kefu).post(f"/catalog/products/{product.pk}/edit/", {"name": "客服改"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "改名后的杯"


def test_combo_components_editor(web_as, yunying):
    make_product(yunying, name="组合杯", code="CMB-CUP")
    make_product(yunying, name="组合盖", code="CMB-LID")
    _p3, combo = make_product(yunying, name="杯盖套装", code="CMB-SET", is_combo=True)
    client = web_as(yunying)
    page = client.post(
        f"/catalog/skus/{combo.pk}/components/",
        {"component_0": "CMB-CUP", "quantity_0": "2", "component_1": "NO-SUCH", "quantity_1": "1"},
    ).content.decode()
    assert "第 2 行：没有商家编码为 NO-SUCH 的 SKU" in page
    assert not ComboComponent.objects.filter(combo=combo).exists()
    page = client.post(
        f"/catalog/skus/{combo.pk}/components/",
        {"component_0": "CMB-SET", "quantity_0": "1"},
    ).content.decode()
    assert "组合装不能包含自己" in page
    client.post(
        f"/catalog/skus/{combo.pk}/components/",
        {"component_0": "CMB-CUP", "quantity_0": "2", "component_1": "CMB-LID", "quantity_1": "1"},
    )
    assert sorted(
        ComboComponent.objects.filter(combo=combo).values_list(
            "component__merchant_code", "quantity"
        )
    ) == [("CMB-CUP", 2), ("CMB-LID", 1)]
    assert events("catalog.combo.update", object_id=str(combo.pk)).count() == 1
    page = client.get(f"/catalog/products/{combo.product_id}/").content.decode()
    assert "<code>CMB-CUP</code>×2" in page


# --- listings -----------------------------------------------------------------------------------
def test_listing_goes_on_sale_only_when_complete(web_as, yunying, stores):
    product, _sku = make_product(yunying, name="上架测试杯", code="LST-1")
    client = web_as(yunying)
    client.post(f"/catalog/products/{product.pk}/listings/new/", {"store": "pdd-main"})
    listing = Listing.objects.get(store=stores["pdd-main"], product=product)
    assert events("catalog.listing.create", object_id=str(listing.pk)).count() == 1
    page = client.get("/catalog/listings/", {"store": "pdd-main", "incomplete": "1"})
    assert "上架测试杯" in page.content.decode()

    response = client.post(
        f"/catalog/listings/{listing.pk}/status/", {"status": "on_sale"}, follow=True
    )
    assert "四大模块尚未填写完整" in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == "draft"

    fill_description(yunying, product)
    client.post(f"/catalog/listings/{listing.pk}/status/", {"status": "on_sale"})
    listing.refresh_from_db()
    assert listing.status == "on_sale"
    assert events("catalog.listing.status", object_id=str(listing.pk)).count() == 1
    page = client.get(
        "/catalog/listings/", {"store": "pdd-main", "status": "on_sale"}
    ).content.decode()
    assert "上架测试杯" in page
    assert "完整" in page


def test_listing_edit_names_bad_price_and_refuses_kefu(web_as, yunying, kefu):
    listing = Listing.objects.filter(store__code="tb-main").order_by("id").first()
    client = web_as(yunying)
    page = client.post(
        f"/catalog/listings/{listing.pk}/edit/", {"title": "新标题", "price": "abc"}
    ).content.decode()
    assert 'data-field-error="price"' in page
    client.post(f"/catalog/listings/{listing.pk}/edit/", {"title": "新标题", "price": "88"})
    listing.refresh_from_db()
    assert (listing.title, str(listing.price)) == ("新标题", "88.00")
    assert events("catalog.listing.update", object_id=str(listing.pk)).count() == 1
    status = listing.status
    response = web_as(kefu).post(f"/catalog/listings/{listing.pk}/status/", {"status": "off_shelf"})
    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.status == status


def test_a_listing_of_another_store_is_not_found(web_as, stores):
    from storeops.accounts.models import Role
    from storeops.accounts.services import user_create
    from storeops.core.roles import RoleCode

    jd_operator = user_create(
        actor=None,
        username="yunying_jd",
        password=None,
        roles=[Role.objects.get(code=RoleCode.OPERATIONS)],
        stores=[stores["jd-main"]],
    )
    listing = Listing.objects.filter(store__code="tb-main").first()
    client = web_as(jd_operator)
    assert client.get(f"/catalog/listings/{listing.pk}/edit/").status_code == 404
    assert (
        client.post(f"/catalog/listings/{listing.pk}/status/", {"status": "off_shelf"}).status_code
        == 404
    )
    category = Category.objects.filter(store__code="tb-main").first()
    assert client.post(f"/catalog/categories/{category.pk}/delete/").status_code == 404
    assert Category.objects.filter(pk=category.pk).exists()


# --- platform SKU mappings ----------------------------------------------------------------------
def test_mapping_list_shows_what_it_resolves_to_and_unmapped_skus(web_as, kefu):
    mapping = PlatformSkuMapping.objects.filter(store__code="tb-main").select_related("sku").first()
    page = web_as(kefu).get("/catalog/mappings/", {"store": "tb-main"}).content.decode()
    assert mapping.platform_item_id in page
    assert f"<code>{mapping.sku.merchant_code}</code>" in page
    assert "未映射的 SKU" in page
    page = (
        web_as(kefu)
        .get("/catalog/mappings/", {"store": "tb-main", "q": mapping.platform_item_id})
        .content.decode()
    )
    assert page.count('data-mapping="') >= 1


def test_create_edit_and_delete_a_mapping(web_as, yunying, stores):
    _product, sku = make_product(yunying, name="映射杯", code="MAP-1")
    _product2, other = make_product(yunying, name="映射杯2", code="MAP-2")
    client = web_as(yunying)
    page = client.post(
        "/catalog/mappings/new/?store=jd-main",
        {"platform_sku_id": "777", "merchant_code": "MAP-1"},
    ).content.decode()
    assert 'data-field-error="platform_item_id"' in page
    page = client.post(
        "/catalog/mappings/new/?store=jd-main",
        {"platform_item_id": "100200300", "merchant_code": "NOPE"},
    ).content.decode()
    assert 'data-field-error="merchant_code"' in page
    client.post(
        "/catalog/mappings/new/?store=jd-main",
        {"platform_item_id": "100200300", "platform_sku_id": "1", "merchant_code": "MAP-1"},
    )
    mapping = PlatformSkuMapping.objects.get(store=stores["jd-main"], platform_item_id="100200300")
    assert mapping.sku == sku
    assert events("catalog.mapping.create", object_id=str(mapping.pk)).count() == 1

    client.post(
        f"/catalog/mappings/{mapping.pk}/edit/",
        {"platform_item_id": "100200300", "platform_sku_id": "1", "merchant_code": "MAP-2"},
    )
    mapping.refresh_from_db()
    assert mapping.sku == other
    update = events("catalog.mapping.update", object_id=str(mapping.pk)).get()
    assert (update.before["sku"], update.after["sku"]) == ("MAP-1", "MAP-2")

    client.post(f"/catalog/mappings/{mapping.pk}/delete/")
    assert not PlatformSkuMapping.objects.filter(pk=mapping.pk).exists()
    assert events("catalog.mapping.delete", object_id=str(mapping.pk)).count() == 1


def test_kefu_cannot_change_mappings(web_as, kefu):
    mapping = PlatformSkuMapping.objects.filter(store__code="tb-main").first()
    client = web_as(kefu)
    assert client.get("/catalog/mappings/new/?store=tb-main").status_code == 403
    assert client.post(f"/catalog/mappings/{mapping.pk}/delete/").status_code == 403
    assert PlatformSkuMapping.objects.filter(pk=mapping.pk).exists()


# --- description modules and the photo standard -------------------------------------------------
def test_photo_standard_and_modules_are_configurable(web_as, yunying, kefu):
    client = web_as(yunying)
    response = client.post(
        "/catalog/standards/photos/",
        {
            "min_main_images": "4",
            "min_detail_images": "2",
            "min_width": "1000",
            "min_height": "1000",
            "max_file_mb": "8",
        },
    )
    assert response.status_code == 302
    standard = PhotoStandard.objects.order_by("id").first()
    assert (standard.min_main_images, standard.min_width, standard.max_file_mb) == (4, 1000, 8)
    assert events("catalog.photo_standard.update").exists()
    page = client.post(
        "/catalog/standards/photos/",
        {
            "min_main_images": "99",
            "min_detail_images": "2",
            "min_width": "1000",
            "min_height": "1000",
            "max_file_mb": "8",
        },
        follow=True,
    ).content.decode()
    assert "主图最少张数" in page
    standard.refresh_from_db()
    assert standard.min_main_images == 4

    client.post(
        "/catalog/standards/modules/",
        {"code": "selling_points", "name": "卖点展示", "sort_order": "0", "is_active": "on"},
    )
    assert DescriptionModule.objects.get(code="selling_points").name == "卖点展示"
    assert events("catalog.description_module.update").exists()
    assert (
        web_as(kefu)
        .post("/catalog/standards/modules/", {"code": "x", "name": "客服模块", "sort_order": "1"})
        .status_code
        == 403
    )
    assert not DescriptionModule.objects.filter(name="客服模块").exists()
    page = web_as(kefu).get("/catalog/standards/").content.decode()
    assert "保存图片标准" not in page
    assert "卖点展示" in page
