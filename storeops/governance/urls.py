from django.urls import path

from storeops.governance import views

app_name = "governance"
urlpatterns = [
    path("approvals/", views.approval_list_view, name="approval_list"),
    path("approvals/<int:approval_id>/", views.approval_detail_view, name="approval_detail"),
    path("approvals/<int:approval_id>/decide/", views.approval_decide_view, name="approval_decide"),
    path("obligations/", views.occurrence_list_view, name="occurrence_list"),
    path(
        "obligations/occurrences/<int:occurrence_id>/complete/",
        views.occurrence_complete_view,
        name="occurrence_complete",
    ),
    path("obligations/definitions/", views.obligation_list_view, name="obligation_list"),
    path("obligations/definitions/new/", views.obligation_create_view, name="obligation_create"),
    path(
        "obligations/definitions/<int:obligation_id>/",
        views.obligation_edit_view,
        name="obligation_edit",
    ),
    path("policy/", views.policy_view, name="policy"),
    path("policy/<str:key>/", views.policy_set_view, name="policy_set"),
]
