"""Organisation, responsibility matrix and credential vault permissions (R2.1–R2.17, R5.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class OrgPerm(models.TextChoices):
    VIEW_CREDENTIAL = "org.view_credential", _("查看网店后台账号列表")
    # Writing a secret means knowing it: R5.2 keeps the back office from every department, so
    # replacing a secret is as sensitive as reading it — by default only 系统管理员.
    MANAGE_CREDENTIAL = "org.manage_credential", _("新建、修改网店后台账号")
    REVEAL_CREDENTIAL = "org.reveal_credential", _("查看网店后台密码")
    MANAGE_ORG = "org.manage_org", _("管理部门、流程与岗位")
    VIEW_PAY = "org.view_pay", _("查看全部岗位薪酬与确认情况")
    EDIT_STORE_PROFILE = "org.edit_store_profile", _("编辑网店定位")
    MANAGE_DUTY = "org.manage_duty", _("分配职责矩阵责任人")


def register() -> None:
    register_permissions(
        OrgPerm,
        {
            OrgPerm.VIEW_CREDENTIAL: (R.OPERATIONS, R.MANAGER),
            OrgPerm.MANAGE_ORG: (R.MANAGER,),
            OrgPerm.VIEW_PAY: (R.MANAGER, R.FINANCE),
            OrgPerm.EDIT_STORE_PROFILE: (R.OPERATIONS, R.MANAGER),
            OrgPerm.MANAGE_DUTY: (R.MANAGER,),
        },
    )
