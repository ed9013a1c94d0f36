"""Entering a module of the navigation. What a user may do inside it is the module's own permission."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import ALL_ROLES
from storeops.core.roles import RoleCode as R


class ModulePerm(models.TextChoices):
    STORE_BUILDING = "web.module_store_building", _("进入：网店建设")
    CATALOG = "web.module_catalog", _("进入：商品与内容")
    ORDERS = "web.module_orders", _("进入：订单")
    FULFILLMENT = "web.module_fulfillment", _("进入：配货发货")
    INVENTORY = "web.module_inventory", _("进入：库存")
    AFTERSALES = "web.module_aftersales", _("进入：售后")
    CUSTOMERS = "web.module_customers", _("进入：客户")
    MARKETING = "web.module_marketing", _("进入：营销")
    FINANCE = "web.module_finance", _("进入：财务")
    ORG = "web.module_org", _("进入：组织与权限")
    AUDIT = "web.module_audit", _("进入：审计")


# Who works in which module, from the policy's task matrix (REQUIREMENTS.md chapter 2).
MODULE_ROLES = {
    # R3.5: every employee may propose a page redesign, so everyone enters 网店建设 (what they may
    # change there is storefront's and content's own permission)
    ModulePerm.STORE_BUILDING: tuple(role for role in ALL_ROLES if role != R.ADMIN),
    ModulePerm.CATALOG: (
        R.OPERATIONS,
        R.PLANNING,
        R.DESIGN,
        R.MARKETING,
        R.MARKETING_GROUP,
        R.COMMERCE,
        R.MANAGER,
        # they look products up (SKU, barcode, mapping), without changing them
        R.CUSTOMER_SERVICE,
        R.WAREHOUSE,
        R.FINANCE,
        R.AUDITOR,
    ),
    ModulePerm.ORDERS: (R.OPERATIONS, R.CUSTOMER_SERVICE, R.WAREHOUSE, R.FINANCE, R.MANAGER),
    ModulePerm.FULFILLMENT: (R.WAREHOUSE, R.OPERATIONS, R.MANAGER),
    ModulePerm.INVENTORY: (R.WAREHOUSE, R.CUSTOMER_SERVICE, R.OPERATIONS, R.FINANCE, R.MANAGER),
    ModulePerm.AFTERSALES: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.WAREHOUSE, R.MANAGER),
    ModulePerm.CUSTOMERS: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.MARKETING, R.MANAGER),
    ModulePerm.MARKETING: (
        R.MARKETING,
        R.MARKETING_GROUP,
        R.PLANNING,
        R.DESIGN,
        R.OPERATIONS,
        R.MANAGER,
    ),
    ModulePerm.FINANCE: (R.FINANCE, R.AUDITOR, R.MANAGER),
    ModulePerm.ORG: (R.MANAGER, R.AUDITOR),
    ModulePerm.AUDIT: (R.AUDITOR, R.MANAGER),
}


def register() -> None:
    register_permissions(ModulePerm, MODULE_ROLES)
