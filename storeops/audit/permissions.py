"""Who may read the audit log (R5.1, R2.17): 审计, 经理 and 系统管理员."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode


class AuditPerm(models.TextChoices):
    VIEW_EVENT = "audit.view_event", _("查看操作日志")
    EXPORT_EVENT = "audit.export_event", _("导出操作日志")


def register() -> None:
    readers = (RoleCode.AUDITOR, RoleCode.MANAGER)
    register_permissions(
        AuditPerm, {AuditPerm.VIEW_EVENT: readers, AuditPerm.EXPORT_EVENT: readers}
    )
