from django.urls import path  # noqa: F401

from storeops.catalog import views  # noqa: F401

app_name = "catalog"
urlpatterns: list = []
