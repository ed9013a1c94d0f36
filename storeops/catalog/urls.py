from django.urls import path

from storeops.catalog import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.product_list_view, name="product_list"),
    path("products/new/", views.product_create_view, name="product_create"),
    path("products/<int:product_id>/", views.product_detail_view, name="product_detail"),
    path("products/<int:product_id>/edit/", views.product_edit_view, name="product_edit"),
    path("products/<int:product_id>/skus/new/", views.sku_create_view, name="sku_create"),
    path(
        "products/<int:product_id>/description/",
        views.description_save_view,
        name="description_save",
    ),
    path("products/<int:product_id>/images/", views.image_upload_view, name="image_upload"),
    path(
        "products/<int:product_id>/listings/new/",
        views.listing_create_view,
        name="listing_create",
    ),
    path("skus/<int:sku_id>/edit/", views.sku_edit_view, name="sku_edit"),
    path("skus/<int:sku_id>/components/", views.combo_view, name="combo"),
    path("images/<int:image_id>/", views.image_file_view, name="image_file"),
    path("images/<int:image_id>/thumb/", views.image_thumb_view, name="image_thumb"),
    path("images/<int:image_id>/delete/", views.image_delete_view, name="image_delete"),
    path("categories/", views.category_list_view, name="category_list"),
    path("categories/new/", views.category_create_view, name="category_create"),
    path("categories/<int:category_id>/edit/", views.category_edit_view, name="category_edit"),
    path(
        "categories/<int:category_id>/delete/",
        views.category_delete_view,
        name="category_delete",
    ),
    path(
        "categories/<int:category_id>/template/",
        views.category_template_view,
        name="category_template",
    ),
    path("listings/", views.listing_list_view, name="listing_list"),
    path("listings/<int:listing_id>/edit/", views.listing_edit_view, name="listing_edit"),
    path("listings/<int:listing_id>/status/", views.listing_status_view, name="listing_status"),
    path("mappings/", views.mapping_list_view, name="mapping_list"),
    path("mappings/new/", views.mapping_create_view, name="mapping_create"),
    path("mappings/<int:mapping_id>/edit/", views.mapping_edit_view, name="mapping_edit"),
    path("mappings/<int:mapping_id>/delete/", views.mapping_delete_view, name="mapping_delete"),
    path("standards/", views.standards_view, name="standards"),
    path("standards/modules/", views.module_save_view, name="module_save"),
    path("standards/photos/", views.photo_standard_view, name="photo_standard"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template_view, name="import_template"),
    path("export/", views.export_view, name="export"),
]
