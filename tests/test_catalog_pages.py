"""Catalog pages: list with filters, detail with the four modules, image upload, import, export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from storeops.catalog.models import DescriptionContent, Product, ProductImage
from storeops.catalog.selectors import description_modules
from tests.catalog_helpers import png

pytestmark = pytest.mark.django_db


def test_product_list_shows_completeness_and_filters(web_as, yunying):
    client = web_as(yunying)
    page = client.get("/catalog/products/").content.decode()
    assert "不锈钢真空保温杯" in page
    assert "图片不达标" in page
    page = client.get("/catalog/products/", {"incomplete": "1"}).content.decode()
    assert "电动清洁刷" in page
    assert "不锈钢真空保温杯" not in page
    page = client.get("/catalog/products/", {"q": "GLT-KETTLE-17-WH"}).content.decode()
    assert "电热水壶 1.7L" in page
    assert "空气炸锅" not in page


def test_detail_hides_cost_from_kefu(web_as, yunying, kefu):
    product = Product.objects.get(style_code="GLT-CUP-500")
    assert "成本价" in web_as(yunying).get(f"/catalog/products/{product.pk}/").content.decode()
    page = web_as(kefu).get(f"/catalog/products/{product.pk}/").content.decode()
    assert "成本价" not in page
    assert "33.18" not in page


def test_description_form_saves_the_four_modules(web_as, demo):
    product = Product.objects.get(style_code="GLT-BRUSH")
    data = {f"module_{m.code}": f"{m.name}的内容" for m in description_modules()}
    response = web_as(demo["qihua"]).post(f"/catalog/products/{product.pk}/description/", data)
    assert response.status_code == 302
    assert DescriptionContent.objects.filter(product=product).exclude(body="").count() == 4


def test_image_upload_refuses_a_small_picture(web_as, demo):
    product = Product.objects.get(style_code="GLT-BRUSH")
    client = web_as(demo["meigong"])
    response = client.post(
        f"/catalog/products/{product.pk}/images/",
        {"kind": "main", "file": SimpleUploadedFile("small.png", png(400, 400))},
        follow=True,
    )
    assert "低于标准" in response.content.decode()
    assert not ProductImage.objects.filter(product=product).exists()
    client.post(
        f"/catalog/products/{product.pk}/images/",
        {"kind": "main", "file": SimpleUploadedFile("big.png", png(800, 800))},
    )
    assert ProductImage.objects.filter(product=product, kind="main").count() == 1


def test_import_page_queues_a_job_and_is_closed_to_kefu(web_as, yunying, kefu):
    """The import itself runs as a background job: tests/test_import_jobs.py."""
    from storeops.core.models import ImportJob

    client = web_as(yunying)
    good = "商品名称,商家编码,售价\n页面杯,PAGE-1,1\n".encode()
    response = client.post("/catalog/import/", {"file": SimpleUploadedFile("a.csv", good)})
    job = ImportJob.objects.get(created_by=yunying, filenames=["a.csv"])
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.kind == "catalog.products"
    assert web_as(kefu).get("/catalog/import/").status_code == 403
    assert web_as(kefu).post("/catalog/import/").status_code == 403


def test_export_is_an_xlsx(web_as, yunying):
    response = web_as(yunying).get("/catalog/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
