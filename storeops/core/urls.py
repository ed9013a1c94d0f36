from django.urls import path

from storeops.core import views

app_name = "core"
urlpatterns = [
    path("<int:job_id>/", views.import_job_view, name="import_job"),
    path("<int:job_id>/progress/", views.import_job_progress_view, name="import_job_progress"),
    path("<int:job_id>/errors.xlsx", views.import_job_errors_view, name="import_job_errors"),
]
