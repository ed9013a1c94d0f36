"""The policy's people as permission roles (RBAC). A role is a set of permissions, not a 岗位."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    OPERATIONS = "operations", _("运营")
    CUSTOMER_SERVICE = "customer_service", _("客服")
    PLANNING = "planning", _("企划")
    DESIGN = "design", _("美工")
    MARKETING = "marketing", _("营销")
    MARKETING_GROUP = "marketing_group", _("市场组")
    COMMERCE = "commerce", _("商务部")
    WAREHOUSE = "warehouse", _("仓库")
    FINANCE = "finance", _("财务")
    AUDITOR = "auditor", _("审计")
    MANAGER = "manager", _("经理")
    ADMIN = "admin", _("系统管理员")


ALL_ROLES: tuple[RoleCode, ...] = tuple(RoleCode)
