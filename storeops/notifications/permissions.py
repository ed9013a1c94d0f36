"""Alerts and notifications (R4.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.core.permissions import register_permissions
from storeops.core.roles import RoleCode


class NotificationPerm(models.TextChoices):
    VIEW_ALERT = "notifications.view_alert", _("查看全部预警")
    MANAGE_CHANNEL = "notifications.manage_channel", _("管理通知渠道与投递")


def register() -> None:
    register_permissions(
        NotificationPerm,
        {NotificationPerm.VIEW_ALERT: (RoleCode.MANAGER, RoleCode.AUDITOR)},
    )
