from django.urls import path

from storeops.org import views

app_name = "org"
urlpatterns = [
    path("credentials/", views.credential_overview_view, name="credential_overview"),
    path("stores/<slug:code>/credentials/", views.credential_list_view, name="credential_list"),
    path(
        "stores/<slug:code>/credentials/new/",
        views.credential_create_view,
        name="credential_create",
    ),
    path(
        "stores/<slug:code>/credentials/<int:credential_id>/edit/",
        views.credential_edit_view,
        name="credential_edit",
    ),
    path(
        "stores/<slug:code>/credentials/<int:credential_id>/reveal/",
        views.credential_reveal_view,
        name="credential_reveal",
    ),
    path("departments/", views.department_list_view, name="department_list"),
    path("departments/new/", views.department_create_view, name="department_create"),
    path(
        "departments/<int:department_id>/edit/",
        views.department_edit_view,
        name="department_edit",
    ),
    path("processes/new/", views.process_create_view, name="process_create"),
    path(
        "departments/<int:department_id>/",
        views.department_detail_view,
        name="department_detail",
    ),
    path("positions/", views.position_list_view, name="position_list"),
    path("positions/new/", views.position_create_view, name="position_create"),
    path("positions/<int:position_id>/", views.position_detail_view, name="position_detail"),
    path(
        "positions/<int:position_id>/acknowledge/",
        views.position_acknowledge_view,
        name="position_acknowledge",
    ),
    path("positions/<int:position_id>/edit/", views.position_edit_view, name="position_edit"),
    path("duties/", views.duty_list_view, name="duty_list"),
    path("duties/export/", views.duty_export_view, name="duty_export"),
    path("duties/<int:duty_id>/edit/", views.duty_edit_view, name="duty_edit"),
    path("profiles/", views.store_profile_index_view, name="store_profile_index"),
    path("stores/<slug:code>/profile/", views.store_profile_view, name="store_profile"),
]
