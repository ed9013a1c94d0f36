"""Warehouses, stock levels and the append-only movement ledger (R2.9, R2.16, R3.2)."""

from django.urls import path

from storeops.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list_view, name="stock_list"),
    path("export/", views.stock_export_view, name="stock_export"),
    path("warehouses/", views.warehouse_list_view, name="warehouse_list"),
    path("warehouses/new/", views.warehouse_create_view, name="warehouse_create"),
    path("warehouses/<int:warehouse_id>/edit/", views.warehouse_edit_view, name="warehouse_edit"),
    path("skus/<int:sku_id>/", views.sku_ledger_view, name="sku_ledger"),
    path("skus/<int:sku_id>/rule/", views.stock_rule_view, name="stock_rule"),
    path("receipts/new/", views.receipt_create_view, name="receipt_create"),
    path("reservations/", views.reservation_list_view, name="reservation_list"),
    path(
        "reservations/<int:reservation_id>/release/",
        views.reservation_release_view,
        name="reservation_release",
    ),
    path("adjustments/", views.adjustment_list_view, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_create_view, name="adjustment_create"),
    path(
        "adjustments/<int:adjustment_id>/", views.adjustment_detail_view, name="adjustment_detail"
    ),
    path(
        "adjustments/<int:adjustment_id>/decide/",
        views.adjustment_decide_view,
        name="adjustment_decide",
    ),
    path(
        "adjustments/<int:adjustment_id>/cancel/",
        views.adjustment_cancel_view,
        name="adjustment_cancel",
    ),
]
