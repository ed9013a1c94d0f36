from django.urls import path

from storeops.orders import views, views_import

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="order_list"),
    path("export/", views.order_export_view, name="order_export"),
    path("batch/", views.order_batch_view, name="order_batch"),
    path("auto-review/", views.order_auto_review_view, name="order_auto_review"),
    path("new/", views.order_create_view, name="order_create"),
    path("import/", views_import.order_import_view, name="import"),
    path("import/aliases/", views_import.import_alias_view, name="import_aliases"),
    path(
        "import/aliases/<int:alias_id>/toggle/",
        views_import.import_alias_toggle_view,
        name="import_alias_toggle",
    ),
    path(
        "import/aliases/<int:alias_id>/delete/",
        views_import.import_alias_delete_view,
        name="import_alias_delete",
    ),
    path("<int:order_id>/", views.order_detail_view, name="order_detail"),
    path("<int:order_id>/review/", views.order_review_view, name="order_review"),
    path("<int:order_id>/unreview/", views.order_unreview_view, name="order_unreview"),
    path("<int:order_id>/exception/", views.order_exception_view, name="order_exception"),
    path("<int:order_id>/close/", views.order_close_view, name="order_close"),
    path("<int:order_id>/split/", views.order_split_view, name="order_split"),
    path("<int:order_id>/price/", views.order_price_view, name="order_price"),
    path("<int:order_id>/remark/", views.order_remark_view, name="order_remark"),
    path("<int:order_id>/flag/", views.order_flag_view, name="order_flag"),
    path("<int:order_id>/ship/", views.order_ship_view, name="order_ship"),
    path(
        "price-adjustments/<int:adjustment_id>/apply/",
        views.price_adjustment_apply_view,
        name="price_adjustment_apply",
    ),
    path(
        "price-adjustments/<int:adjustment_id>/cancel/",
        views.price_adjustment_cancel_view,
        name="price_adjustment_cancel",
    ),
    path("review-rules/", views.review_rules_view, name="review_rules"),
    path(
        "review-rules/blacklist/<int:entry_id>/remove/",
        views.blacklist_remove_view,
        name="blacklist_remove",
    ),
    path("reviews/", views.review_list_view, name="review_list"),
    path("reviews/<int:review_id>/reply/", views.review_reply_view, name="review_reply"),
]
