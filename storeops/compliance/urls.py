from django.urls import path

from storeops.compliance import views

app_name = "compliance"
urlpatterns = [
    path("check/", views.check_view, name="check"),
    path("terms/", views.term_list_view, name="term_list"),
    path("terms/import/", views.term_import_view, name="term_import"),
    path("terms/<int:term_id>/", views.term_edit_view, name="term_edit"),
    path("whitelist/", views.whitelist_view, name="whitelist"),
    path("whitelist/<int:entry_id>/", views.whitelist_edit_view, name="whitelist_edit"),
    path("patterns/", views.pattern_list_view, name="pattern_list"),
    path("patterns/<int:pattern_id>/", views.pattern_edit_view, name="pattern_edit"),
    path("rules/", views.rule_list_view, name="rule_list"),
]
