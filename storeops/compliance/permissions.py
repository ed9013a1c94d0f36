"""Compliance permissions. Scanning is open to every signed-in user; the lists are not.

Editing the lists is the 经理's (and the administrator's): the people who write and submit copy
(企划, 运营) must not be able to switch off the term that blocks their own draft.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode


class CompliancePerm(models.TextChoices):
    VIEW_TERMS = "compliance.view_terms", _("查看违禁词库与合规规则")
    MANAGE_TERMS = "compliance.manage_terms", _("维护违禁词库与合规规则")


def register() -> None:
    register_permissions(
        CompliancePerm,
        {
            CompliancePerm.VIEW_TERMS: (
                RoleCode.PLANNING,
                RoleCode.OPERATIONS,
                RoleCode.DESIGN,
                RoleCode.MARKETING,
                RoleCode.MANAGER,
                RoleCode.AUDITOR,
            ),
            CompliancePerm.MANAGE_TERMS: (RoleCode.MANAGER,),
        },
    )
