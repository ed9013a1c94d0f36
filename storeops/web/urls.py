from django.urls import path

from storeops.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("workbench/", views.workbench, name="workbench"),
    path("m/<slug:key>/", views.module, name="module"),
]
