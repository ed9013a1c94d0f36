from django.urls import path

from storeops.catalog import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.product_list_view, name="product_list"),
    path("products/<int:product_id>/", views.product_detail_view, name="product_detail"),
    path(
        "products/<int:product_id>/description/",
        views.description_save_view,
        name="description_save",
    ),
    path("products/<int:product_id>/images/", views.image_upload_view, name="image_upload"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template_view, name="import_template"),
    path("export/", views.export_view, name="export"),
]
