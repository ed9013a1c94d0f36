"""URL map: the back-office pages, the API under /api/v1/."""

from django.urls import include, path

from storeops.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("storeops.web.urls")),
    path("", include("storeops.accounts.urls")),
    path("audit/", include("storeops.audit.urls")),
    path("notifications/", include("storeops.notifications.urls")),
    path("org/", include("storeops.org.urls")),
    path("governance/", include("storeops.governance.urls")),
    path("catalog/", include("storeops.catalog.urls")),
    path("imports/", include("storeops.core.urls")),
    path("content/", include("storeops.content.urls")),
    path("compliance/", include("storeops.compliance.urls")),
    path("storefront/", include("storeops.storefront.urls")),
    path("inventory/", include("storeops.inventory.urls")),
    path("orders/", include("storeops.orders.urls")),
    path("fulfillment/", include("storeops.fulfillment.urls")),
]
