"""Product images: served to signed-in users only, never from a public MEDIA URL."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image

from storeops.catalog import selectors, services
from storeops.catalog.models import (
    ProductImage,
)
from storeops.catalog.permissions import CatalogPerm
from storeops.core.access import requires
from storeops.core.errors import NotFound

# --- images: served to signed-in users only, never from a public MEDIA URL ----------------------
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMB_SIZE = (240, 240)


def _image_name(image: ProductImage) -> tuple[str, str]:
    """The stored name, checked: under catalog/products/, no '..', a known image type."""
    name = image.file.name or ""
    parts = name.split("/")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if (
        not name.startswith("catalog/products/")
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in name
        or extension not in IMAGE_TYPES
    ):
        raise NotFound("image.not_found", _("图片不存在"))
    return name, IMAGE_TYPES[extension]


def _image_headers(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@requires(CatalogPerm.VIEW_PRODUCT)
def image_file_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get(actor=request.user, image_id=image_id)
    name, content_type = _image_name(image)
    storage = image.file.storage
    if not storage.exists(name):
        raise NotFound("image.not_found", _("图片不存在"))
    response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    return _image_headers(response, name.rsplit("/", 1)[-1])


@requires(CatalogPerm.VIEW_PRODUCT)
def image_thumb_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get(actor=request.user, image_id=image_id)
    name, _content_type = _image_name(image)
    storage = image.file.storage
    if not storage.exists(name):
        raise NotFound("image.not_found", _("图片不存在"))
    with storage.open(name, "rb") as handle, Image.open(handle) as picture:
        picture.thumbnail(THUMB_SIZE)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="JPEG", quality=80)
    response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
    return _image_headers(response, f"thumb-{image.pk}.jpg")


@requires(CatalogPerm.UPLOAD_IMAGE)
@require_POST
def image_delete_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = selectors.image_get_for_change(actor=request.user, image_id=image_id)
    product_id = image.product_id
    services.image_delete(actor=request.user, image=image)
    messages.success(request, _("图片已删除"))
    return redirect("catalog:product_detail", product_id=product_id)
