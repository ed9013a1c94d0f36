"""Warehouses, stock levels and the append-only movement ledger (R2.9, R2.16, R3.2)."""

from django.urls import path

from storeops.inventory import views
from storeops.inventory.views import stocktake as st
from storeops.inventory.views import supply

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
    path("stocktakes/", st.stocktake_list_view, name="stocktake_list"),
    path("stocktakes/start/", st.stocktake_start_view, name="stocktake_start"),
    path("stocktakes/<int:stocktake_id>/", st.stocktake_detail_view, name="stocktake_detail"),
    path("stocktakes/<int:stocktake_id>/scan/", st.stocktake_scan_view, name="stocktake_scan"),
    path("stocktakes/<int:stocktake_id>/count/", st.stocktake_count_view, name="stocktake_count"),
    path("stocktakes/<int:stocktake_id>/sheet/", st.stocktake_sheet_view, name="stocktake_sheet"),
    path(
        "stocktakes/<int:stocktake_id>/upload/", st.stocktake_upload_view, name="stocktake_upload"
    ),
    path(
        "stocktakes/<int:stocktake_id>/submit/", st.stocktake_submit_view, name="stocktake_submit"
    ),
    path(
        "stocktakes/<int:stocktake_id>/decide/", st.stocktake_decide_view, name="stocktake_decide"
    ),
    path(
        "stocktakes/<int:stocktake_id>/cancel/", st.stocktake_cancel_view, name="stocktake_cancel"
    ),
    path(
        "stocktakes/<int:stocktake_id>/export/", st.stocktake_export_view, name="stocktake_export"
    ),
    path("purchases/", supply.purchase_list_view, name="purchase_list"),
    path("purchases/new/", supply.purchase_create_view, name="purchase_create"),
    path("purchases/<int:order_id>/", supply.purchase_detail_view, name="purchase_detail"),
    path(
        "purchases/<int:order_id>/receive/",
        supply.purchase_receive_view,
        name="purchase_receive",
    ),
    path("purchases/<int:order_id>/cancel/", supply.purchase_cancel_view, name="purchase_cancel"),
    path("available/", supply.available_list_view, name="available_list"),
    path("available/share/", supply.available_share_view, name="available_share"),
    path("available/export/", supply.available_export_view, name="available_export"),
]
