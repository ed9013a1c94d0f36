"""Who may read and change the catalog (R2.2, R2.7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class CatalogPerm(models.TextChoices):
    VIEW_PRODUCT = "catalog.view_product", _("查看商品")
    VIEW_COST = "catalog.view_cost", _("查看成本价")
    MANAGE_PRODUCT = "catalog.manage_product", _("管理商品与SKU")
    MANAGE_CATEGORY = "catalog.manage_category", _("管理店铺类目")
    MANAGE_LISTING = "catalog.manage_listing", _("管理店铺商品")
    MANAGE_MAPPING = "catalog.manage_mapping", _("管理平台商品映射")
    UPLOAD_IMAGE = "catalog.upload_image", _("上传商品图片")
    EDIT_DESCRIPTION = "catalog.edit_description", _("编辑商品描述")
    MANAGE_STANDARD = "catalog.manage_standard", _("管理图片标准、描述模块与模板")
    IMPORT_PRODUCT = "catalog.import_product", _("导入导出商品")


def register() -> None:
    register_permissions(
        CatalogPerm,
        {
            # Catalog data is not secret: everyone whose work touches products reads it.
            CatalogPerm.VIEW_PRODUCT: (
                R.OPERATIONS,
                R.CUSTOMER_SERVICE,
                R.PLANNING,
                R.DESIGN,
                R.MARKETING,
                R.MARKETING_GROUP,
                R.COMMERCE,
                R.WAREHOUSE,
                R.FINANCE,
                R.AUDITOR,
                R.MANAGER,
            ),
            # The standard cost is: it leaks margins. Hidden from everyone else in pages, API, export.
            CatalogPerm.VIEW_COST: (R.OPERATIONS, R.FINANCE, R.AUDITOR, R.MANAGER),
            CatalogPerm.MANAGE_PRODUCT: (R.OPERATIONS, R.PLANNING),
            CatalogPerm.MANAGE_CATEGORY: (R.OPERATIONS, R.PLANNING),
            CatalogPerm.MANAGE_LISTING: (R.OPERATIONS, R.PLANNING),
            CatalogPerm.MANAGE_MAPPING: (R.OPERATIONS, R.PLANNING),
            CatalogPerm.UPLOAD_IMAGE: (R.DESIGN, R.PLANNING, R.OPERATIONS),
            CatalogPerm.EDIT_DESCRIPTION: (R.PLANNING, R.OPERATIONS, R.DESIGN),
            CatalogPerm.MANAGE_STANDARD: (R.OPERATIONS, R.PLANNING, R.MANAGER),
            CatalogPerm.IMPORT_PRODUCT: (R.OPERATIONS, R.PLANNING),
        },
    )
