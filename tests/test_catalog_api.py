"""Catalog API: products, SKUs, listings, mappings, imports — status, body and the persona matrix."""

from __future__ import annotations

import pytest

from storeops.accounts.models import Role
from storeops.accounts.services import user_create
from storeops.audit.models import AuditEvent
from storeops.catalog.models import Listing, PlatformSkuMapping, Product, Sku
from storeops.core.roles import RoleCode
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog"


@pytest.fixture
def yunying_jd(stores):
    """A 运营 who works in jd-main only: the other stores' listings and mappings are not theirs."""
    return user_create(
        actor=None,
        username="yunying_jd",
        password=PASSWORD,
        first_name="京东运营",
        roles=[Role.objects.get(code=RoleCode.OPERATIONS)],
        stores=[stores["jd-main"]],
    )


def patch(client, path, payload):
    return client.client.patch(path, payload, content_type="application/json", **client.headers)


def test_product_list_is_keyset_paged_and_searchable(api_as, yunying):
    client = api_as(yunying)
    first = client.get(f"{BASE}/products", limit=5).json()
    assert len(first["items"]) == 5
    assert first["next"]
    second = client.get(f"{BASE}/products", limit=5, cursor=first["next"]).json()
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in second["items"]})
    found = client.get(f"{BASE}/products", q="GLT-CUP-500-BK").json()["items"]
    assert [p["style_code"] for p in found] == ["GLT-CUP-500"]
    sku = found[0]["skus"][0]
    assert isinstance(sku["merchant_code"], str)
    assert sku["price"] == "79.00"
    assert sku["standard_cost"] == "33.18"
    incomplete = client.get(f"{BASE}/products", incomplete="true", limit=50).json()["items"]
    assert incomplete
    assert all(not p["is_description_complete"] for p in incomplete)


def test_cost_is_hidden_from_those_who_may_not_see_it(api_as, kefu, cangku, shenji):
    for user, visible in ((kefu, False), (cangku, False), (shenji, True)):
        items = api_as(user).get(f"{BASE}/products", q="GLT-CUP-500").json()["items"]
        cost = items[0]["skus"][0]["standard_cost"]
        assert (cost is not None) == visible, user.username


def test_anonymous_is_401(api_as):
    response = api_as(None).get(f"{BASE}/products")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.required"


def test_create_product_then_sku_then_patch(api_as, yunying):
    client = api_as(yunying)
    response = client.post(
        f"{BASE}/products",
        {
            "name": "API 保温杯",
            "style_code": "API-CUP",
            "attribute_names": ["颜色"],
            "tags": ["新品"],
        },
    )
    assert response.status_code == 201, response.content
    product = response.json()
    assert product["id"] == Product.objects.get(style_code="API-CUP").pk
    assert product["tags"] == ["新品"]
    assert [d["name"] for d in product["description"]] == [
        "卖点与展示",
        "规格参数",
        "细节展示",
        "售后与物流",
    ]
    response = client.post(
        f"{BASE}/skus",
        {
            "product_id": product["id"],
            "merchant_code": "API-CUP-BK",
            "attributes": {"颜色": "黑色"},
            "price": "59.90",
            "barcode": "6901234567892",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["merchant_code"] == "API-CUP-BK"
    assert (
        client.get(f"{BASE}/skus", merchant_code="API-CUP-BK").json()["items"][0]["price"]
        == "59.90"
    )
    response = patch(
        client,
        f"{BASE}/products/{product['id']}",
        {"name": "API 保温杯 新", "description": {"selling_points": "保温 12 小时"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "API 保温杯 新"
    assert body["description"][0]["body"] == "保温 12 小时"
    assert AuditEvent.objects.filter(
        action="catalog.product.update", object_id=str(product["id"])
    ).exists()


def test_bad_input_is_422_not_500(api_as, yunying):
    client = api_as(yunying)
    product = Product.objects.get(style_code="GLT-CUP-500")
    cases = [
        ("/skus", {"product_id": product.pk, "merchant_code": "保温杯", "price": "1"}),
        ("/skus", {"product_id": product.pk, "merchant_code": "X-1", "price": "-1"}),
        (
            "/skus",
            {
                "product_id": product.pk,
                "merchant_code": "X-1",
                "price": "1",
                "barcode": "6901234567893",
            },
        ),
        ("/products", {"name": ""}),
        ("/products", {"name": "杯", "tags": ["没有的标签"]}),
        ("/products", {"name": "杯", "category_id": 2**53}),
    ]
    for path, payload in cases:
        response = client.post(BASE + path, payload)
        assert response.status_code == 422, (path, payload, response.content)
        assert "error" in response.json()
    duplicate = client.post(
        f"{BASE}/skus",
        {
            "product_id": product.pk,
            "merchant_code": "GLT-CUP-500-BK",
            "price": "1",
            "attributes": {"颜色": "蓝色"},
        },
    )
    assert duplicate.status_code == 409
    assert client.get(f"{BASE}/products/{2**53}").status_code == 404
    assert client.get(f"{BASE}/products/{2**53 + 1}").status_code == 422


@pytest.mark.parametrize(("persona", "status"), [("yunying", 201), ("kefu", 403), ("cangku", 403)])
def test_product_create_matrix(api_as, demo, persona, status):
    response = api_as(demo[persona]).post(f"{BASE}/products", {"name": f"矩阵{persona}"})
    assert response.status_code == status
    assert Product.objects.filter(name=f"矩阵{persona}").exists() == (status == 201)


def test_listings_are_store_scoped(api_as, yunying, kefu_jd):
    everything = api_as(yunying).get(f"{BASE}/listings", store="tb-main").json()["items"]
    assert everything
    assert {item["store"] for item in everything} == {"tb-main"}
    jd = api_as(kefu_jd)
    assert jd.get(f"{BASE}/listings", store="tb-main").status_code == 404
    mine = jd.get(f"{BASE}/listings").json()["items"]
    assert all(item["store"] == "jd-main" for item in mine)


@pytest.mark.parametrize(
    ("persona", "store", "status"),
    [("yunying", "jd-main", 201), ("kefu", "jd-main", 403), ("yunying_jd", "tb-main", 404)],
)
def test_listing_create_matrix(api_as, demo, yunying_jd, persona, store, status):
    demo["yunying_jd"] = yunying_jd
    product = Product.objects.get(style_code="GLT-FRYER-6")
    Listing.objects.filter(product=product, store__code=store).delete()
    response = api_as(demo[persona]).post(
        f"{BASE}/listings", {"store": store, "product_id": product.pk, "title": "空气炸锅"}
    )
    assert response.status_code == status, response.content
    assert Listing.objects.filter(product=product, store__code=store).exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "store", "status"),
    [
        ("yunying", "jd-main", 201),
        ("yunying_jd", "jd-main", 201),
        ("kefu", "jd-main", 403),
        ("yunying_jd", "tb-main", 404),
    ],
)
def test_mapping_create_matrix(api_as, demo, yunying_jd, persona, store, status):
    demo["yunying_jd"] = yunying_jd
    sku = Sku.objects.get(merchant_code="GLT-FRYER-6-BK")
    response = api_as(demo[persona]).post(
        f"{BASE}/mappings",
        {"store": store, "sku_id": sku.pk, "platform_item_id": "100200300", "platform_sku_id": "7"},
    )
    assert response.status_code == status, response.content
    created = PlatformSkuMapping.objects.filter(platform_item_id="100200300").exists()
    assert created == (status == 201)
    if status == 201:
        listed = api_as(demo[persona]).get(f"{BASE}/mappings", store=store).json()["items"]
        assert listed[0]["merchant_code"] == "GLT-FRYER-6-BK"
        assert listed[0]["platform_item_id"] == "100200300"


def _upload(client, content, name="商品.csv", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(
        f"{BASE}/imports" + (f"?{query}" if query else ""),
        {"file": SimpleUploadedFile(name, content)},
        **client.headers,
    )


def test_import_through_the_api(api_as, yunying, kefu):
    text = "商品名称,商家编码,售价\n接口导入杯,API-IMP-1,19.9\n".encode("gb18030")
    response = _upload(api_as(yunying), text)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    again = _upload(api_as(yunying), text)
    assert again.json()["unchanged"] == 1
    bad = _upload(api_as(yunying), "商品名称,商家编码,售价\n杯,坏编码,1\n".encode())
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "import.rejected"
    assert error["details"]["errors"][0]["line"] == 2
    assert _upload(api_as(kefu), text).status_code == 403
    not_a_sheet = _upload(api_as(yunying), b"\x00\x01binary", name="x.xlsx")
    assert not_a_sheet.status_code == 422
