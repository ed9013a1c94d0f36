"""Alert severities and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("预警")
    CRITICAL = "critical", _("严重")
