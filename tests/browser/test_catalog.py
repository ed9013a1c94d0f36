"""R2.2/R2.7 in a real browser: 运营 opens 商品, creates a store category, a product with a SKU,
fills the four description modules, uploads a photo (its thumbnail shows), imports an Excel file
and watches the job's progress bar reach the result, and sees a platform SKU mapping."""

from __future__ import annotations

import threading
import time

import pytest
from openpyxl import Workbook
from PIL import Image

from storeops.catalog.models import Category, PlatformSkuMapping, Product, Sku
from storeops.core import importjobs
from storeops.core.models import ImportJob
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORT_ROWS = 600


def _png(path, size=(900, 900)):
    image = Image.new("RGB", size, "#e8f1ec")
    for x in range(size[0] // 4, size[0] * 3 // 4):
        for y in range(size[1] // 3, size[1] * 2 // 3, 7):
            image.putpixel((x, y), (47, 125, 91))
    image.save(path, format="PNG")
    return path


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["商品名称", "款号", "商家编码", "规格", "售价"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def worker(monkeypatch):
    """A worker in its own thread, as the Huey consumer would be: the upload returns at once and
    the page polls while the job is queued, then running (immediate mode would run it inside the
    upload request)."""
    from django.db import connections, transaction

    threads = []

    def enqueue(task_path, /, **kwargs):
        def start():
            def run():
                try:
                    time.sleep(1.5)
                    importjobs.import_job_run(job_id=kwargs["job_id"])
                finally:
                    connections.close_all()

            thread = threading.Thread(target=run)
            threads.append(thread)
            thread.start()

        transaction.on_commit(start)

    monkeypatch.setattr(importjobs, "on_commit_enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(120)


def test_operations_builds_a_product_imports_and_maps(browse, worker, tmp_path):
    page = browse.login("yunying")

    # 商品 from the navigation
    page.locator(".so-sidebar").get_by_role("link", name="商品", exact=True).click()
    page.wait_for_url("**/catalog/products/")

    # a store category under 杯壶 in the main store
    page.locator(".so-sidebar").get_by_role("link", name="店铺类目").click()
    page.wait_for_url("**/catalog/categories/")
    form = page.get_by_test_id("category-form")
    form.locator("input[name=name]").fill("旅行杯")
    form.locator("select[name=parent]").select_option(label="杯壶")
    form.get_by_role("button", name="创建").click()
    page.wait_for_url("**/catalog/categories/?store=tb-main")
    assert "杯壶/旅行杯" in page.get_by_test_id("category-tree").inner_text()
    category = Category.objects.get(store__code="tb-main", path="杯壶/旅行杯")
    screenshot(page, "catalog-categories.png")

    # a product in it, with a SKU
    page.goto("/catalog/products/")
    page.get_by_test_id("product-new").click()
    page.wait_for_url("**/catalog/products/new/")
    page.fill("input[name=name]", "随行保温杯 350ml")
    page.fill("input[name=style_code]", "GLT-TRAVEL-350")
    page.select_option("select[name=category]", str(category.pk))
    page.fill("input[name=attribute_names]", "颜色")
    page.get_by_label("引流款").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/catalog/products/*/")
    product = Product.objects.get(style_code="GLT-TRAVEL-350")
    page.get_by_test_id("sku-new").click()
    sku_form = page.get_by_test_id("sku-form")
    sku_form.locator("input[name=merchant_code]").fill("GLT-TRAVEL-350-BK")
    sku_form.locator("input[name=barcode]").fill("6901234567891")  # wrong check digit
    sku_form.locator("input[name=price]").fill("69.00")
    sku_form.locator("input[name=standard_cost]").fill("24.50")
    sku_form.locator("input[name=weight_g]").fill("320")
    sku_form.locator("input[name=attr_0]").fill("黑色")
    sku_form.get_by_role("button", name="保存").click()
    assert "校验位不正确" in page.locator("[data-field-error=barcode]").inner_text()
    page.get_by_test_id("sku-form").locator("input[name=barcode]").fill("6901234567892")
    page.get_by_test_id("sku-form").get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/catalog/products/{product.pk}/")
    assert "GLT-TRAVEL-350-BK" in page.get_by_test_id("skus").inner_text()

    # the four description modules
    assert page.get_by_test_id("description-incomplete").is_visible()
    for area in page.get_by_test_id("description-form").locator("textarea").all():
        area.fill("随行保温杯：" + (area.get_attribute("name") or ""))
    page.get_by_test_id("save-description").click()
    page.wait_for_url(f"**/catalog/products/{product.pk}/")
    assert page.get_by_test_id("description-complete").is_visible()

    # a photo: its thumbnail shows
    upload = page.get_by_test_id("image-form")
    upload.locator("select[name=kind]").select_option("main")
    upload.locator("input[type=file]").set_input_files(str(_png(tmp_path / "cup.png")))
    upload.get_by_role("button", name="上传").click()
    page.wait_for_url(f"**/catalog/products/{product.pk}/")
    thumb = page.get_by_test_id("thumbnails").locator("img").first
    thumb.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert thumb.evaluate("img => img.naturalWidth") == 240
    screenshot(page, "catalog-product.png")

    # an Excel import, run by the worker while the page polls
    rows = [
        [f"导入测试商品{i // 3}", f"BR-IMP-{i // 3}", f"BR-IMP-{i}", f"颜色:色{i % 3}", 10 + i % 50]
        for i in range(IMPORT_ROWS)
    ]
    page.goto("/catalog/import/")
    page.locator("input[type=file]").set_input_files(str(_xlsx(tmp_path / "商品.xlsx", rows)))
    page.get_by_test_id("import-submit").click()
    page.wait_for_url("**/imports/*/")
    bar = page.get_by_test_id("import-progress")
    assert bar.is_visible()
    assert page.get_by_test_id("import-job").get_attribute("data-status") in ("queued", "running")
    screenshot(page, "catalog-import-progress.png")
    page.get_by_test_id("import-result").wait_for(timeout=120_000)
    assert bar.get_attribute("aria-valuenow") == "100"
    assert f"新建 {IMPORT_ROWS}" in page.get_by_test_id("import-counts").inner_text()
    screenshot(page, "catalog-import-result.png")
    job = ImportJob.objects.get(filenames=["商品.xlsx"])
    assert job.status == "applied"
    assert Sku.objects.filter(merchant_code__startswith="BR-IMP-").count() == IMPORT_ROWS

    # a file with mistakes is refused as a whole; its errors are listed with their lines
    bad = tmp_path / "有错误.csv"
    bad.write_text(
        "商品名称,商家编码,售价\n错误杯,BR-BAD-1,10\n错误杯,坏 编码,10\n错误杯,BR-BAD-3,十元\n"
    )
    page.goto("/catalog/import/")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_test_id("import-submit").click()
    page.wait_for_url("**/imports/*/")
    page.get_by_test_id("import-result").wait_for(timeout=60_000)
    assert "已拒绝，未写入任何数据" in page.get_by_test_id("import-result").inner_text()
    errors = page.get_by_test_id("import-errors").inner_text()
    assert "3\t商家编码" in errors
    assert "4\t售价" in errors
    assert page.get_by_test_id("import-errors-xlsx").is_visible()
    assert not Sku.objects.filter(merchant_code="BR-BAD-1").exists()
    screenshot(page, "catalog-import-rejected.png")

    # a platform SKU mapping for the new SKU, and the list shows what it resolves to
    page.goto("/catalog/mappings/?store=tb-main")
    page.get_by_test_id("mapping-new").click()
    mapping_form = page.get_by_test_id("mapping-form")
    mapping_form.locator("input[name=platform_item_id]").fill("688000111222")
    mapping_form.locator("input[name=platform_sku_id]").fill("5000001")
    mapping_form.locator("input[name=merchant_code]").fill("GLT-TRAVEL-350-BK")
    mapping_form.get_by_role("button", name="保存").click()
    page.wait_for_url("**/catalog/mappings/?store=tb-main")
    row = page.get_by_test_id("mappings").locator("tr", has_text="688000111222")
    assert "GLT-TRAVEL-350-BK" in row.inner_text()
    assert "随行保温杯 350ml" in row.inner_text()
    assert PlatformSkuMapping.objects.get(platform_item_id="688000111222").sku.merchant_code == (
        "GLT-TRAVEL-350-BK"
    )
    screenshot(page, "catalog-mappings.png")
