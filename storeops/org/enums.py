"""Choices of the org app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyModule(models.TextChoices):
    """The policy's chapter 2 modules (REQUIREMENTS.md)."""

    PLATFORM_BUILDING = "platform_building", _("平台建设")
    INTERNAL_SUPPORT = "internal_support", _("内部支持")
    TEAM_BUILDING = "team_building", _("团队搭建")
    STORE_OPERATIONS = "store_operations", _("网店运营")
    STORE_MARKETING = "store_marketing", _("网店营销")
    FINANCE = "finance", _("财务")
