"""Who may see and build store pages, and propose, discuss and decide page redesigns (R2.3, R3.5).

Deciding a proposal is governed by the approval step's roles (经理); DECIDE_PROPOSAL is only the
door to the approve/reject operations. Writing and publishing a page's content is content's
(drafts go through content's permissions and approval).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import ALL_ROLES
from storeops.core.roles import RoleCode as R


class StorefrontPerm(models.TextChoices):
    VIEW_PAGE = "storefront.view_page", _("查看店铺页面")
    MANAGE_PAGE = "storefront.manage_page", _("新建与维护店铺页面")
    VIEW_PROPOSAL = "storefront.view_proposal", _("查看改版方案")
    PROPOSE_REDESIGN = "storefront.propose_redesign", _("提出与讨论改版方案")
    DECIDE_PROPOSAL = "storefront.decide_proposal", _("审批改版方案")


def register() -> None:
    everyone = tuple(role for role in ALL_ROLES if role != R.ADMIN)
    register_permissions(
        StorefrontPerm,
        {
            StorefrontPerm.VIEW_PAGE: everyone,
            StorefrontPerm.MANAGE_PAGE: (R.OPERATIONS, R.PLANNING),
            StorefrontPerm.VIEW_PROPOSAL: everyone,
            # R3.5: 所有员工均可对页面改版预先设计出方案
            StorefrontPerm.PROPOSE_REDESIGN: everyone,
            StorefrontPerm.DECIDE_PROPOSAL: (R.MANAGER,),
        },
    )
