from django.urls import path

from storeops.fulfillment import views

app_name = "fulfillment"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("allocate/", views.allocate_view, name="allocate"),
    path(
        "allocations/<int:allocation_id>/", views.allocation_detail_view, name="allocation_detail"
    ),
    path("allocations/<int:allocation_id>/pick-list.pdf", views.pick_list_view, name="pick_list"),
    path(
        "allocations/<int:allocation_id>/packing-slip.pdf",
        views.packing_slip_view,
        name="packing_slip",
    ),
    path("allocations/<int:allocation_id>/verify/", views.verify_view, name="verify"),
    path("allocations/<int:allocation_id>/unblock/", views.unblock_view, name="unblock"),
    path("allocations/<int:allocation_id>/pack/", views.pack_view, name="pack"),
    path("allocations/<int:allocation_id>/ship/", views.ship_view, name="ship"),
    path("allocations/<int:allocation_id>/cancel/", views.cancel_view, name="cancel"),
    path("waves/", views.wave_list_view, name="wave_list"),
    path("waves/<int:wave_id>/pick-list.pdf", views.wave_pick_list_view, name="wave_pick_list"),
    path("shipments/", views.shipment_list_view, name="shipment_list"),
    path("shipments/export/", views.shipment_export_view, name="shipment_export"),
    path("shipments/import/", views.tracking_import_view, name="tracking_import"),
    path("couriers/suggest/", views.courier_suggest_view, name="courier_suggest"),
    path("pickups/", views.pickup_list_view, name="pickup_list"),
    path("standards/", views.standard_list_view, name="standard_list"),
    path("standards/new/", views.standard_edit_view, name="standard_create"),
    path("standards/<int:standard_id>/", views.standard_edit_view, name="standard_edit"),
    path("exceptions/", views.exception_report_view, name="exception_report"),
]
