"""Alert severities, robot channel kinds and delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", pgettext_lazy("severity", "预警")
    CRITICAL = "critical", _("严重")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")


class DeliveryVia(models.TextChoices):
    """How a delivery leaves the system: an e-mail to one person, or a message to a group robot."""

    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
