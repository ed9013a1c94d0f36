from django.urls import path

from storeops.audit import views

app_name = "audit"
urlpatterns = [
    path("events/", views.event_list_view, name="event_list"),
    path("events/export/", views.event_export_view, name="event_export"),
]
