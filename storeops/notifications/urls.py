from django.urls import path

from storeops.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("read-all/", views.notification_read_all_view, name="read_all"),
    path(
        "<int:notification_id>/open/",
        views.notification_open_view,
        name="open",
    ),
    path(
        "<int:notification_id>/read/",
        views.notification_read_view,
        name="read",
    ),
    path("channels/", views.channel_list_view, name="channel_list"),
    path("channels/new/", views.channel_create_view, name="channel_create"),
    path(
        "channels/<int:channel_id>/",
        views.channel_edit_view,
        name="channel_edit",
    ),
    path(
        "channels/<int:channel_id>/active/",
        views.channel_active_view,
        name="channel_active",
    ),
    path(
        "channels/<int:channel_id>/test/",
        views.channel_test_view,
        name="channel_test",
    ),
    path("deliveries/", views.delivery_list_view, name="delivery_list"),
    path(
        "deliveries/<int:delivery_id>/retry/",
        views.delivery_retry_view,
        name="delivery_retry",
    ),
]
