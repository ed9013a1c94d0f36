"""Pages of the catalog app: products (list, detail with SKUs, images, four modules, listings),
categories, mappings, standards, import and export — one module per area, every view re-exported
here for `catalog/urls.py`."""

from storeops.catalog.views.categories import (
    category_create_view,
    category_delete_view,
    category_edit_view,
    category_list_view,
    category_template_view,
)
from storeops.catalog.views.images import (
    image_delete_view,
    image_file_view,
    image_thumb_view,
)
from storeops.catalog.views.listings import (
    listing_create_view,
    listing_edit_view,
    listing_list_view,
    listing_status_view,
    mapping_create_view,
    mapping_delete_view,
    mapping_edit_view,
    mapping_list_view,
)
from storeops.catalog.views.products import (
    combo_view,
    description_save_view,
    export_view,
    image_upload_view,
    import_template_view,
    import_view,
    product_create_view,
    product_detail_view,
    product_edit_view,
    product_list_view,
    sku_create_view,
    sku_edit_view,
)
from storeops.catalog.views.standards import (
    module_save_view,
    photo_standard_view,
    standards_view,
)

__all__ = [
    "category_create_view",
    "category_delete_view",
    "category_edit_view",
    "category_list_view",
    "category_template_view",
    "combo_view",
    "description_save_view",
    "export_view",
    "image_delete_view",
    "image_file_view",
    "image_thumb_view",
    "image_upload_view",
    "import_template_view",
    "import_view",
    "listing_create_view",
    "listing_edit_view",
    "listing_list_view",
    "listing_status_view",
    "mapping_create_view",
    "mapping_delete_view",
    "mapping_edit_view",
    "mapping_list_view",
    "module_save_view",
    "photo_standard_view",
    "product_create_view",
    "product_detail_view",
    "product_edit_view",
    "product_list_view",
    "sku_create_view",
    "sku_edit_view",
    "standards_view",
]
