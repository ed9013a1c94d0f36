"""Who works on fulfillment (R2.9): 仓库 does the work; 运营 and 经理 watch it.

Allocation reserves stock and shipping sends it out through the inventory services, which check
their own permissions (inventory.reserve_stock, inventory.ship_stock) too; marking the order
shipped goes through orders (orders.ship_order).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class FulfillmentPerm(models.TextChoices):
    VIEW = "fulfillment.view", _("查看配货发货")
    ALLOCATE = "fulfillment.allocate", _("配货（分配仓库、打印拣货单、波次）")
    VERIFY = "fulfillment.verify", _("核对（扫码验货）")
    PACK = "fulfillment.pack", _("打包（按打包规范确认）")
    SHIP = "fulfillment.ship", _("发货（登记运单号、预约揽收、导入运单号）")
    CANCEL = "fulfillment.cancel", _("取消配货（发货前，释放库存）")
    MANAGE_STANDARD = "fulfillment.manage_standard", _("维护打包规范与快递公司")
    EXPORT = "fulfillment.export", _("导出发货回传文件与打包异常")


def register() -> None:
    register_permissions(
        FulfillmentPerm,
        {
            FulfillmentPerm.VIEW: (R.WAREHOUSE, R.OPERATIONS, R.MANAGER),
            FulfillmentPerm.ALLOCATE: (R.WAREHOUSE,),
            FulfillmentPerm.VERIFY: (R.WAREHOUSE,),
            FulfillmentPerm.PACK: (R.WAREHOUSE,),
            FulfillmentPerm.SHIP: (R.WAREHOUSE,),
            FulfillmentPerm.CANCEL: (R.WAREHOUSE, R.OPERATIONS),
            FulfillmentPerm.MANAGE_STANDARD: (R.WAREHOUSE, R.MANAGER),
            FulfillmentPerm.EXPORT: (R.WAREHOUSE, R.OPERATIONS, R.MANAGER),
        },
    )
