from django.urls import path  # noqa: F401

from storeops.content import views  # noqa: F401

app_name = "content"
urlpatterns: list = []
