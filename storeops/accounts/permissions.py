"""Account, role and store administration (R5.1, R5.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode


class AccountPerm(models.TextChoices):
    VIEW_USER = "accounts.view_user", _("查看用户")
    MANAGE_USER = "accounts.manage_user", _("管理用户")
    VIEW_ROLE = "accounts.view_role", _("查看角色与权限")
    MANAGE_ROLE = "accounts.manage_role", _("编辑角色权限矩阵")
    MANAGE_STORE = "accounts.manage_store", _("管理网店")


def register() -> None:
    register_permissions(
        AccountPerm,
        {
            AccountPerm.VIEW_USER: (RoleCode.MANAGER, RoleCode.AUDITOR),
            AccountPerm.VIEW_ROLE: (RoleCode.MANAGER, RoleCode.AUDITOR),
        },
    )
