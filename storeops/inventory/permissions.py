"""Who may see and move stock. Warehouses and their stock are company-wide, not store-scoped.

Unit cost and stock value follow the catalog's `catalog.view_cost` (cost leaks margins).
Deciding an adjustment is by the approval step's roles; APPROVE_ADJUSTMENT is only the door.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class InventoryPerm(models.TextChoices):
    VIEW_STOCK = "inventory.view_stock", _("查看库存")
    MANAGE_WAREHOUSE = "inventory.manage_warehouse", _("管理仓库")
    RECEIVE_STOCK = "inventory.receive_stock", _("入库")
    RESERVE_STOCK = "inventory.reserve_stock", _("预占与释放库存")
    SHIP_STOCK = "inventory.ship_stock", _("发货出库")
    RETURN_STOCK = "inventory.return_stock", _("退货入库")
    REQUEST_ADJUSTMENT = "inventory.request_adjustment", _("申请库存调整")
    APPROVE_ADJUSTMENT = "inventory.approve_adjustment", _("审批库存调整")
    MANAGE_RULE = "inventory.manage_rule", _("设置安全库存与预警")
    COUNT_STOCK = "inventory.count_stock", _("盘点")
    APPROVE_STOCKTAKE = "inventory.approve_stocktake", _("审批盘点差异")
    MANAGE_PURCHASE = "inventory.manage_purchase", _("采购单")
    VIEW_AVAILABLE = "inventory.view_available", _("查看各店可售库存")
    MANAGE_SHARE = "inventory.manage_share", _("设置各店可售库存分配")


# Who decides an adjustment (R5.1): never the requester (governance excludes them).
ADJUSTMENT_APPROVER_ROLES = (R.MANAGER, R.FINANCE)


def register() -> None:
    register_permissions(
        InventoryPerm,
        {
            InventoryPerm.VIEW_STOCK: (
                R.WAREHOUSE,
                R.CUSTOMER_SERVICE,
                R.OPERATIONS,
                R.FINANCE,
                R.AUDITOR,
                R.MANAGER,
                R.PLANNING,
            ),
            InventoryPerm.MANAGE_WAREHOUSE: (R.WAREHOUSE, R.MANAGER),
            InventoryPerm.RECEIVE_STOCK: (R.WAREHOUSE,),
            # orders reserve at review (客服/运营); the warehouse releases what it cannot ship
            InventoryPerm.RESERVE_STOCK: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.WAREHOUSE),
            InventoryPerm.SHIP_STOCK: (R.WAREHOUSE,),
            InventoryPerm.RETURN_STOCK: (R.WAREHOUSE, R.CUSTOMER_SERVICE),
            # R3.2: 客服 counts stock weekly; the warehouse finds damage
            InventoryPerm.REQUEST_ADJUSTMENT: (R.WAREHOUSE, R.CUSTOMER_SERVICE),
            InventoryPerm.APPROVE_ADJUSTMENT: ADJUSTMENT_APPROVER_ROLES,
            InventoryPerm.MANAGE_RULE: (R.OPERATIONS, R.WAREHOUSE, R.MANAGER),
            # R3.2: 客服 counts every product weekly; the warehouse helps
            InventoryPerm.COUNT_STOCK: (R.CUSTOMER_SERVICE, R.WAREHOUSE),
            # R5.1: the variances are applied only after someone other than the counter approved
            InventoryPerm.APPROVE_STOCKTAKE: ADJUSTMENT_APPROVER_ROLES,
            InventoryPerm.MANAGE_PURCHASE: (R.WAREHOUSE, R.OPERATIONS, R.MANAGER),
            # available-to-sell is per store (store-scoped): who lists and sells there
            InventoryPerm.VIEW_AVAILABLE: (
                R.OPERATIONS,
                R.CUSTOMER_SERVICE,
                R.WAREHOUSE,
                R.MANAGER,
                R.AUDITOR,
            ),
            InventoryPerm.MANAGE_SHARE: (R.OPERATIONS, R.MANAGER),
        },
    )
