"""Who may write, submit, approve and publish release drafts (R4.1, R4.2, R5.1, R5.5).

Deciding an approval is governed by the approval step's roles (经理; 运营 first for promotion
zones); APPROVE_DRAFT is only the door to the approve/reject operations.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode as R


class ContentPerm(models.TextChoices):
    VIEW_DRAFT = "content.view_draft", _("查看发布稿件")
    WRITE_DRAFT = "content.write_draft", _("编写与提交发布稿件")
    APPROVE_DRAFT = "content.approve_draft", _("审批发布稿件")
    PUBLISH_DRAFT = "content.publish_draft", _("发布稿件")
    VIEW_INTAKE = "content.view_intake", _("查看信息提报")
    SUBMIT_INTAKE = "content.submit_intake", _("提报信息")
    VIEW_SLA_REPORT = "content.view_sla_report", _("查看发布时效报表")
    FLAG_PUBLICATION = "content.flag_publication", _("标记线上描述不准确")
    CHECK_DRIFT = "content.check_drift", _("核对线上内容（防未审批改动）")
    VIEW_FRESHNESS = "content.view_freshness", _("查看待更新商品")


def register() -> None:
    register_permissions(
        ContentPerm,
        {
            ContentPerm.VIEW_DRAFT: (R.PLANNING, R.OPERATIONS, R.MANAGER, R.AUDITOR, R.DESIGN),
            ContentPerm.WRITE_DRAFT: (R.PLANNING, R.OPERATIONS),
            ContentPerm.APPROVE_DRAFT: (R.MANAGER, R.OPERATIONS),
            ContentPerm.PUBLISH_DRAFT: (R.PLANNING,),
            ContentPerm.VIEW_INTAKE: (
                R.PLANNING,
                R.OPERATIONS,
                R.MANAGER,
                R.AUDITOR,
                R.COMMERCE,
                R.MARKETING_GROUP,
            ),
            ContentPerm.SUBMIT_INTAKE: (R.COMMERCE, R.MARKETING_GROUP, R.OPERATIONS, R.PLANNING),
            ContentPerm.VIEW_SLA_REPORT: (R.PLANNING, R.OPERATIONS, R.MANAGER, R.AUDITOR),
            # R3.1, R4.1: operations checks the accuracy of descriptions at any time
            ContentPerm.FLAG_PUBLICATION: (R.OPERATIONS, R.MANAGER),
            # R5.1: whoever watches the live stores compares them with what was approved
            ContentPerm.CHECK_DRIFT: (R.OPERATIONS, R.MANAGER, R.PLANNING),
            # R3.3: the planning group refreshes copy every half month; others watch it
            ContentPerm.VIEW_FRESHNESS: (R.PLANNING, R.OPERATIONS, R.MANAGER, R.AUDITOR),
        },
    )
