"""Who may see, import and work on orders (R2.8, R2.11, R2.16).

Personal data (receiver name, phone, address) is shown in clear only with VIEW_PERSONAL_DATA:
客服 for service, 仓库 for shipping; everyone else sees it masked.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class OrderPerm(models.TextChoices):
    VIEW_ORDER = "orders.view_order", _("查看订单")
    VIEW_PERSONAL_DATA = "orders.view_personal_data", _("查看收货人信息（不打码）")
    IMPORT_ORDER = "orders.import_order", _("导入订单")
    CREATE_ORDER = "orders.create_order", _("手工录入订单")
    REVIEW_ORDER = "orders.review_order", _("审单（审核、合单、拆单、异常处理）")
    ADJUST_PRICE = "orders.adjust_price", _("改价")
    ADJUST_PRICE_OVER_LIMIT = (
        "orders.adjust_price_over_limit",
        _("改价不受客服上限限制（审批改价）"),
    )
    MANAGE_REVIEW_RULES = "orders.manage_review_rules", _("维护自动审单规则与黑名单")
    EDIT_REMARK = "orders.edit_remark", _("修改备注与旗帜")
    SHIP_ORDER = "orders.ship_order", _("登记发货")
    MANAGE_REVIEWS = "orders.manage_reviews", _("管理评价")
    EXPORT_ORDER = "orders.export_order", _("导出订单")
    MANAGE_IMPORT_ALIASES = "orders.manage_import_aliases", _("维护导入表头别名")
    ERASE_PERSONAL_DATA = "orders.erase_personal_data", _("删除买家个人信息")


def register() -> None:
    register_permissions(
        OrderPerm,
        {
            OrderPerm.VIEW_ORDER: (
                R.CUSTOMER_SERVICE,
                R.OPERATIONS,
                R.WAREHOUSE,
                R.FINANCE,
                R.AUDITOR,
                R.MANAGER,
            ),
            OrderPerm.VIEW_PERSONAL_DATA: (R.CUSTOMER_SERVICE, R.WAREHOUSE),
            OrderPerm.IMPORT_ORDER: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.MANAGER),
            OrderPerm.CREATE_ORDER: (R.CUSTOMER_SERVICE, R.OPERATIONS),
            OrderPerm.REVIEW_ORDER: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.MANAGER),
            OrderPerm.ADJUST_PRICE: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.MANAGER),
            OrderPerm.ADJUST_PRICE_OVER_LIMIT: (R.MANAGER,),
            OrderPerm.MANAGE_REVIEW_RULES: (R.OPERATIONS, R.MANAGER),
            OrderPerm.EDIT_REMARK: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.WAREHOUSE, R.MANAGER),
            OrderPerm.SHIP_ORDER: (R.WAREHOUSE, R.CUSTOMER_SERVICE),
            OrderPerm.MANAGE_REVIEWS: (R.CUSTOMER_SERVICE, R.OPERATIONS, R.MANAGER),
            OrderPerm.EXPORT_ORDER: (R.OPERATIONS, R.FINANCE, R.AUDITOR, R.MANAGER),
            OrderPerm.MANAGE_IMPORT_ALIASES: (R.OPERATIONS, R.MANAGER),
            OrderPerm.ERASE_PERSONAL_DATA: (R.MANAGER,),
        },
    )
