"""Every write of the catalog: permission-checked, atomic, audited. Split by area; import from here."""

from storeops.catalog.services.products import (
    combo_set_components,
    description_module_save,
    description_save,
    description_template_save,
    image_delete,
    image_upload,
    photo_standard_update,
    product_create,
    product_update,
    sku_create,
    sku_update,
)
from storeops.catalog.services.stores import (
    category_create,
    category_delete,
    category_update,
    listing_create,
    listing_set_status,
    listing_update,
    mapping_create,
    mapping_delete,
)
from storeops.catalog.services.transfer import COLUMNS, HEADERS, product_export_rows, product_import

__all__ = [
    "COLUMNS",
    "HEADERS",
    "category_create",
    "category_delete",
    "category_update",
    "combo_set_components",
    "description_module_save",
    "description_save",
    "description_template_save",
    "image_delete",
    "image_upload",
    "listing_create",
    "listing_set_status",
    "listing_update",
    "mapping_create",
    "mapping_delete",
    "photo_standard_update",
    "product_create",
    "product_export_rows",
    "product_import",
    "product_update",
    "sku_create",
    "sku_update",
]
