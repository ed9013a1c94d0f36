"""Draft kinds, priorities, statuses with their transition table, intake sources (R4.1, R4.2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DraftKind(models.TextChoices):
    LISTING = "listing", _("商品详情")
    SHOP_SIGN = "shop_sign", _("店铺招牌")
    STORE_PAGE = "store_page", _("子页面")
    PROMOTION_ZONE = "promotion_zone", _("促销区")
    CUSTOM_MODULE = "custom_module", _("自定义模块")
    BLOG = "blog", _("企业博客")


class Priority(models.TextChoices):
    """R4.2: general information within 24 h, important product information within 12 h."""

    GENERAL = "general", _("一般")
    IMPORTANT = "important", _("重要")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替换")


# An edit of a submitted, approved or rejected draft makes a new revision and sends it back to
# DRAFT: the approval covered exactly the earlier revision (R5.1).
DRAFT_TRANSITIONS: dict[str, frozenset[str]] = {
    DraftStatus.DRAFT: frozenset({DraftStatus.SUBMITTED}),
    DraftStatus.SUBMITTED: frozenset(
        {DraftStatus.APPROVED, DraftStatus.REJECTED, DraftStatus.DRAFT}
    ),
    DraftStatus.APPROVED: frozenset({DraftStatus.PUBLISHED, DraftStatus.DRAFT}),
    DraftStatus.REJECTED: frozenset({DraftStatus.DRAFT, DraftStatus.SUBMITTED}),
    DraftStatus.PUBLISHED: frozenset({DraftStatus.SUPERSEDED}),
    DraftStatus.SUPERSEDED: frozenset(),
}
OPEN_STATUSES = (
    DraftStatus.DRAFT,
    DraftStatus.SUBMITTED,
    DraftStatus.APPROVED,
    DraftStatus.REJECTED,
)
EDITABLE_STATUSES = OPEN_STATUSES


class IntakeSource(models.TextChoices):
    """R4.1: who provides what."""

    COMMERCE = "commerce", _("商务部")
    MARKETING_GROUP = "marketing_group", _("市场组")
    OPERATIONS = "operations", _("运营")
    OTHER = "other", _("其他部门")


class IntakeClassification(models.TextChoices):
    NEW_PRODUCT = "new_product", _("新产品")
    TECHNOLOGY = "technology", _("新技术")
    PRODUCT_NAME = "product_name", _("产品名称")
    PRICE = "price", _("价格")
    CUSTOMER_SERVICE = "customer_service", _("客服信息")
    DESCRIPTION_ACCURACY = "description_accuracy", _("描述准确性")
    OTHER = "other", _("其他")


class IntakeStatus(models.TextChoices):
    NEW = "new", _("待编写")
    COMPILED = "compiled", _("已编入稿件")


class DriftSource(models.TextChoices):
    """Where the live text of a drift check came from (R5.1)."""

    PASTE = "paste", _("粘贴")
    IMPORT = "import", _("平台导出文件")
