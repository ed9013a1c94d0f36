from django.urls import path

from storeops.content import views

app_name = "content"
urlpatterns = [
    path("drafts/", views.draft_list_view, name="draft_list"),
    path("drafts/new/", views.draft_create_view, name="draft_create"),
    path("drafts/<int:draft_id>/", views.draft_detail_view, name="draft_detail"),
    path("drafts/<int:draft_id>/edit/", views.draft_edit_view, name="draft_edit"),
    path("drafts/<int:draft_id>/diff/", views.draft_diff_view, name="draft_diff"),
    path("drafts/<int:draft_id>/submit/", views.draft_submit_view, name="draft_submit"),
    path("drafts/<int:draft_id>/approve/", views.draft_approve_view, name="draft_approve"),
    path("drafts/<int:draft_id>/reject/", views.draft_reject_view, name="draft_reject"),
    path("drafts/<int:draft_id>/publish/", views.draft_publish_view, name="draft_publish"),
    path("intake/", views.intake_list_view, name="intake_list"),
    path("freshness/", views.freshness_view, name="freshness"),
    path("freshness/export/", views.freshness_export_view, name="freshness_export"),
    path("sla/", views.sla_report_view, name="sla_report"),
    path("sla/export/", views.sla_report_export_view, name="sla_report_export"),
    path(
        "publications/<int:publication_id>/",
        views.publication_detail_view,
        name="publication_detail",
    ),
    path(
        "publications/<int:publication_id>/flag/",
        views.publication_flag_view,
        name="publication_flag",
    ),
    path(
        "publications/<int:publication_id>/drift/",
        views.publication_drift_view,
        name="publication_drift",
    ),
    path("drift/", views.drift_view, name="drift"),
    path(
        "publications/<int:publication_id>/export/",
        views.publication_export_view,
        name="publication_export",
    ),
]
