"""Governance permissions. Deciding an approval is governed by the step's roles, not by these."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode


class GovernancePerm(models.TextChoices):
    VIEW_APPROVAL = "governance.view_approval", _("查看本店全部审批")
    VIEW_OBLIGATION = "governance.view_obligation", _("查看所有人的定期任务")
    MANAGE_OBLIGATION = "governance.manage_obligation", _("管理定期任务")
    VIEW_POLICY = "governance.view_policy", _("查看制度参数")
    MANAGE_POLICY = "governance.manage_policy", _("修改制度参数")


def register() -> None:
    register_permissions(
        GovernancePerm,
        {
            GovernancePerm.VIEW_APPROVAL: (RoleCode.MANAGER, RoleCode.AUDITOR),
            GovernancePerm.VIEW_OBLIGATION: (RoleCode.MANAGER, RoleCode.AUDITOR),
            GovernancePerm.MANAGE_OBLIGATION: (RoleCode.MANAGER,),
            GovernancePerm.VIEW_POLICY: (RoleCode.MANAGER, RoleCode.AUDITOR),
        },
    )
