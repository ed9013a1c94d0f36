"""The REST API: token or session auth, one error shape, each app's router under its prefix."""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from storeops.accounts.api import TokenAuth
from storeops.accounts.api import router as accounts_router
from storeops.audit.api import router as audit_router
from storeops.catalog.api import router as catalog_router
from storeops.compliance.api import router as compliance_router
from storeops.content.api import router as content_router
from storeops.core.access import public
from storeops.core.api import ChineseJSONRenderer, install_error_handlers
from storeops.fulfillment.api import router as fulfillment_router
from storeops.governance.api import router as governance_router
from storeops.inventory.api import router as inventory_router
from storeops.notifications.api import router as notifications_router
from storeops.orders.api import router as orders_router
from storeops.org.api import router as org_router
from storeops.storefront.api import router as storefront_router

api = NinjaAPI(
    title="storeops API",
    version="1.0.0",
    description=(
        "电商运营管理系统 API。用 `POST /api/v1/auth/token` 换取令牌，"
        "之后以 `Authorization: Bearer <token>` 调用。错误统一为 "
        '`{"error": {"code", "message", "details"}}`。'
    ),
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    renderer=ChineseJSONRenderer(),
)
install_error_handlers(api)


class ApiRootOut(Schema):
    name: str
    version: str
    openapi: str
    docs: str


@api.get("/", response=ApiRootOut, auth=None, summary="API 入口", tags=["meta"])
@public
def api_root(request: HttpRequest) -> Any:
    return {
        "name": "storeops",
        "version": api.version,
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }


api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/", notifications_router)  # /notifications, /alerts
api.add_router("/", org_router)  # /stores/{code}/credentials, /org/...
api.add_router("/", governance_router)  # /approvals, /obligations, /policy
api.add_router("/catalog", catalog_router)
api.add_router("/compliance", compliance_router)
api.add_router("/content", content_router)
api.add_router("/storefront", storefront_router)
api.add_router("/inventory", inventory_router)
api.add_router("/orders", orders_router)
api.add_router("/fulfillment", fulfillment_router)
