"""The navigation: the policy's modules, each with the pages a user may open, filtered by permission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from storeops.accounts.permissions import AccountPerm
from storeops.audit.permissions import AuditPerm
from storeops.catalog.permissions import CatalogPerm
from storeops.compliance.permissions import CompliancePerm
from storeops.content.permissions import ContentPerm
from storeops.fulfillment.permissions import FulfillmentPerm
from storeops.governance.permissions import GovernancePerm
from storeops.inventory.permissions import InventoryPerm
from storeops.notifications.permissions import NotificationPerm
from storeops.orders.permissions import OrderPerm
from storeops.org.permissions import OrgPerm
from storeops.storefront.permissions import StorefrontPerm
from storeops.web.permissions import ModulePerm


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    permission: str


@dataclass(frozen=True)
class Module:
    key: str
    label: Any
    icon: str
    permission: str
    policy: str
    items: tuple[NavItem, ...] = field(default=())


MODULES: tuple[Module, ...] = (
    Module(
        "store_building",
        _("网店建设"),
        "🏬",
        ModulePerm.STORE_BUILDING,
        "R2.1–R2.4",
        (
            NavItem(_("网店定位"), "org:store_profile_index", ModulePerm.STORE_BUILDING),
            NavItem(_("店铺页面"), "storefront:page_index", StorefrontPerm.VIEW_PAGE),
            NavItem(_("改版方案"), "storefront:proposal_list", StorefrontPerm.VIEW_PROPOSAL),
            NavItem(_("后台账号保管"), "org:credential_overview", OrgPerm.VIEW_CREDENTIAL),
        ),
    ),
    Module(
        "catalog",
        _("商品与内容"),
        "📦",
        ModulePerm.CATALOG,
        "R2.7, R3.3–R3.5, R4.1–R4.2, R5.3–R5.4",
        (
            NavItem(_("商品"), "catalog:product_list", CatalogPerm.VIEW_PRODUCT),
            NavItem(_("导入商品"), "catalog:import", CatalogPerm.IMPORT_PRODUCT),
            NavItem(_("店铺类目"), "catalog:category_list", CatalogPerm.VIEW_PRODUCT),
            NavItem(_("店铺商品"), "catalog:listing_list", CatalogPerm.VIEW_PRODUCT),
            NavItem(_("平台商品映射"), "catalog:mapping_list", CatalogPerm.VIEW_PRODUCT),
            NavItem(_("描述模块与图片标准"), "catalog:standards", CatalogPerm.VIEW_PRODUCT),
            NavItem(_("合规检查"), "compliance:check", ModulePerm.CATALOG),
            NavItem(_("违禁词库"), "compliance:term_list", CompliancePerm.VIEW_TERMS),
            NavItem(_("信息提报"), "content:intake_list", ContentPerm.VIEW_INTAKE),
            NavItem(_("发布稿件"), "content:draft_list", ContentPerm.VIEW_DRAFT),
            NavItem(_("待更新商品"), "content:freshness", ContentPerm.VIEW_FRESHNESS),
            NavItem(_("线上内容核对"), "content:drift", ContentPerm.CHECK_DRIFT),
            NavItem(_("发布时效报表"), "content:sla_report", ContentPerm.VIEW_SLA_REPORT),
        ),
    ),
    Module(
        "orders",
        _("订单"),
        "🧾",
        ModulePerm.ORDERS,
        "R2.8",
        (
            NavItem(_("订单"), "orders:order_list", OrderPerm.VIEW_ORDER),
            NavItem(_("导入订单"), "orders:import", OrderPerm.IMPORT_ORDER),
            NavItem(_("评价"), "orders:review_list", OrderPerm.VIEW_ORDER),
            NavItem(_("自动审单规则"), "orders:review_rules", OrderPerm.MANAGE_REVIEW_RULES),
        ),
    ),
    Module(
        "fulfillment",
        _("配货发货"),
        "🚚",
        ModulePerm.FULFILLMENT,
        "R2.9",
        (
            NavItem(_("配货"), "fulfillment:index", FulfillmentPerm.VIEW),
            NavItem(_("波次"), "fulfillment:wave_list", FulfillmentPerm.VIEW),
            NavItem(_("发货记录"), "fulfillment:shipment_list", FulfillmentPerm.VIEW),
            NavItem(_("批量导入运单号"), "fulfillment:tracking_import", FulfillmentPerm.SHIP),
            NavItem(_("揽收预约"), "fulfillment:pickup_list", FulfillmentPerm.VIEW),
            NavItem(_("打包规范"), "fulfillment:standard_list", FulfillmentPerm.VIEW),
            NavItem(_("打包异常"), "fulfillment:exception_report", FulfillmentPerm.VIEW),
        ),
    ),
    Module(
        "inventory",
        _("库存"),
        "🏷️",
        ModulePerm.INVENTORY,
        "R2.16, R3.2",
        (
            NavItem(_("库存"), "inventory:stock_list", InventoryPerm.VIEW_STOCK),
            NavItem(_("预占"), "inventory:reservation_list", InventoryPerm.VIEW_STOCK),
            NavItem(_("库存调整"), "inventory:adjustment_list", InventoryPerm.VIEW_STOCK),
            NavItem(_("盘点"), "inventory:stocktake_list", InventoryPerm.VIEW_STOCK),
            NavItem(_("采购单"), "inventory:purchase_list", InventoryPerm.VIEW_STOCK),
            NavItem(_("可售库存"), "inventory:available_list", InventoryPerm.VIEW_AVAILABLE),
            NavItem(_("仓库"), "inventory:warehouse_list", InventoryPerm.VIEW_STOCK),
        ),
    ),
    Module("aftersales", _("售后"), "🛠️", ModulePerm.AFTERSALES, "R2.10"),
    Module("customers", _("客户"), "👥", ModulePerm.CUSTOMERS, "R2.11"),
    Module("marketing", _("营销"), "📣", ModulePerm.MARKETING, "R2.12–R2.15"),
    Module("finance", _("财务"), "💴", ModulePerm.FINANCE, "R2.16"),
    Module(
        "org",
        _("组织与权限"),
        "🔐",
        ModulePerm.ORG,
        "R2.5, R2.6, R5.2",
        (
            NavItem(_("用户"), "accounts:user_list", AccountPerm.VIEW_USER),
            NavItem(_("角色与权限"), "accounts:role_matrix", AccountPerm.VIEW_ROLE),
            NavItem(_("网店"), "accounts:store_list", AccountPerm.MANAGE_STORE),
            NavItem(_("通知渠道"), "notifications:channel_list", NotificationPerm.MANAGE_CHANNEL),
            NavItem(_("投递记录"), "notifications:delivery_list", NotificationPerm.MANAGE_CHANNEL),
            NavItem(_("待我审批"), "governance:approval_list", ModulePerm.ORG),
            NavItem(_("定期任务"), "governance:occurrence_list", ModulePerm.ORG),
            NavItem(_("制度参数"), "governance:policy", GovernancePerm.VIEW_POLICY),
            NavItem(_("部门与接口人"), "org:department_list", ModulePerm.ORG),
            NavItem(_("岗位与薪酬"), "org:position_list", ModulePerm.ORG),
            NavItem(_("职责矩阵"), "org:duty_list", ModulePerm.ORG),
            NavItem(_("后台账号保管"), "org:credential_overview", OrgPerm.VIEW_CREDENTIAL),
        ),
    ),
    Module(
        "audit",
        _("审计"),
        "📜",
        ModulePerm.AUDIT,
        "R5.1, R2.17",
        (NavItem(_("操作日志"), "audit:event_list", AuditPerm.VIEW_EVENT),),
    ),
)
MODULES_BY_KEY = {m.key: m for m in MODULES}


def visible_modules(user: Any) -> list[dict[str, Any]]:
    """The modules this user may enter, with the items inside them they may open."""
    if user is None or not user.is_authenticated:
        return []
    codes = user.permission_codes()
    modules = []
    for module in MODULES:
        if module.permission not in codes:
            continue
        items = [
            {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
            for item in module.items
            if item.permission in codes
        ]
        modules.append(
            {
                "key": module.key,
                "label": module.label,
                "icon": module.icon,
                "url": reverse("web:module", args=[module.key]),
                "items": items,
            }
        )
    return modules


def request_modules(request: Any) -> list[dict[str, Any]]:
    """`visible_modules` for this request's user, worked out once per request."""
    cached = getattr(request, "_storeops_modules", None)
    if cached is None:
        cached = visible_modules(getattr(request, "user", None))
        request._storeops_modules = cached
    return cached
