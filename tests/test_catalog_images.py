"""Product images are served to signed-in users who may see products, from Django storage, inline,
with their own content type; never from a public MEDIA URL and never outside catalog/products/."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from storeops.accounts.services import user_create
from storeops.catalog import services
from storeops.catalog.models import ProductImage
from tests.catalog_helpers import make_product, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(yunying):
    product, _sku = make_product(yunying, name="图片杯", code="IMG-1")
    return services.image_upload(
        actor=yunying, product=product, kind="main", content=png(900, 900), filename="杯.png"
    )


def test_an_uploaded_image_is_served_inline_with_its_type(web_as, kefu, image):
    response = web_as(kefu).get(f"/catalog/images/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == default_storage.open(image.file.name).read()


def test_the_product_page_shows_thumbnails(web_as, yunying, image):
    client = web_as(yunying)
    page = client.get(f"/catalog/products/{image.product_id}/").content.decode()
    assert f'src="/catalog/images/{image.pk}/thumb/"' in page
    thumb = client.get(f"/catalog/images/{image.pk}/thumb/")
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(thumb.content)) as picture:
        assert max(picture.size) == 240


def test_images_need_a_login_and_the_view_permission(web_as, image, stores):
    assert Client().get(f"/catalog/images/{image.pk}/").status_code == 302
    nobody = user_create(
        actor=None, username="no_roles", password=None, roles=[], stores=[stores["tb-main"]]
    )
    assert web_as(nobody).get(f"/catalog/images/{image.pk}/").status_code == 403
    assert web_as(nobody).get(f"/catalog/images/{image.pk}/thumb/").status_code == 403


def test_media_is_not_served_publicly(web_as, yunying, image):
    assert web_as(yunying).get(f"/media/{image.file.name}").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "../secret.key",
        "catalog/products/../../secret.key",
        "/etc/passwd",
        "imports/2026/11/x/orders.png",
        "catalog/products/2026/11/evil.html",
    ],
)
def test_a_stored_name_outside_product_images_is_refused(web_as, yunying, image, name):
    ProductImage.objects.filter(pk=image.pk).update(file=name)
    client = web_as(yunying)
    assert client.get(f"/catalog/images/{image.pk}/").status_code == 404
    assert client.get(f"/catalog/images/{image.pk}/thumb/").status_code == 404


def test_a_path_in_the_url_is_no_route(web_as, yunying):
    client = web_as(yunying)
    assert client.get("/catalog/images/..%2F..%2Fsecret.key/").status_code == 404
    assert client.get("/catalog/images/../../secret.key").status_code == 404


def test_deleting_an_image_needs_upload_rights_and_is_audited(web_as, kefu, demo, image):
    from storeops.audit.models import AuditEvent

    assert web_as(kefu).post(f"/catalog/images/{image.pk}/delete/").status_code == 403
    assert ProductImage.objects.filter(pk=image.pk).exists()
    web_as(demo["meigong"]).post(f"/catalog/images/{image.pk}/delete/")
    assert not ProductImage.objects.filter(pk=image.pk).exists()
    assert AuditEvent.objects.filter(
        action="catalog.image.delete", object_id=str(image.pk)
    ).exists()
