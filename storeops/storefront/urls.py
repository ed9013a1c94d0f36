"""Store pages (shop sign, sub-pages, promotion zones and their variants, custom modules, blog
posts) and page redesign proposals (R2.3, R2.4, R2.12, R3.5)."""

from django.urls import path

from storeops.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.page_index_view, name="page_index"),
    path("pages/new/", views.page_create_view, name="page_create"),
    path("pages/<int:page_id>/", views.page_detail_view, name="page_detail"),
    path("pages/<int:page_id>/edit/", views.page_edit_view, name="page_edit"),
    path("pages/<int:page_id>/archive/", views.page_archive_view, name="page_archive"),
    path("pages/<int:page_id>/draft/", views.page_draft_view, name="page_draft"),
    path("pages/<int:page_id>/variants/", views.zone_variants_view, name="zone_variants"),
    path(
        "variants/<int:variant_id>/activate/",
        views.variant_activate_view,
        name="variant_activate",
    ),
    path("variants/<int:variant_id>/reuse/", views.variant_reuse_view, name="variant_reuse"),
    path("proposals/", views.proposal_list_view, name="proposal_list"),
    path("proposals/new/", views.proposal_create_view, name="proposal_create"),
    path("proposals/<int:proposal_id>/", views.proposal_detail_view, name="proposal_detail"),
    path("proposals/<int:proposal_id>/edit/", views.proposal_edit_view, name="proposal_edit"),
    path(
        "proposals/<int:proposal_id>/images/",
        views.proposal_image_upload_view,
        name="proposal_image_upload",
    ),
    path(
        "proposals/<int:proposal_id>/comments/",
        views.proposal_comment_view,
        name="proposal_comment",
    ),
    path("proposals/<int:proposal_id>/submit/", views.proposal_submit_view, name="proposal_submit"),
    path(
        "proposals/<int:proposal_id>/approve/",
        views.proposal_approve_view,
        name="proposal_approve",
    ),
    path("proposals/<int:proposal_id>/reject/", views.proposal_reject_view, name="proposal_reject"),
    path(
        "proposals/<int:proposal_id>/withdraw/",
        views.proposal_withdraw_view,
        name="proposal_withdraw",
    ),
    path(
        "proposals/<int:proposal_id>/complete/",
        views.proposal_complete_view,
        name="proposal_complete",
    ),
    path("images/<int:image_id>/", views.proposal_image_view, name="proposal_image"),
]
