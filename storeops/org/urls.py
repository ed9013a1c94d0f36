from django.urls import path  # noqa: F401

from storeops.org import views  # noqa: F401

app_name = "org"
urlpatterns: list = []
