"""Kinds of store pages, redesign-proposal statuses with their transition table (R2.3, R3.5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.content.enums import DraftKind

# The draft kinds that change a store page (a listing is the catalog's, not a page).
PAGE_KINDS: tuple[str, ...] = (
    DraftKind.SHOP_SIGN,
    DraftKind.STORE_PAGE,
    DraftKind.PROMOTION_ZONE,
    DraftKind.CUSTOM_MODULE,
    DraftKind.BLOG,
)


class PageKind(models.TextChoices):
    """Same values as the draft kinds, so a page and the drafts that change it share one word."""

    SHOP_SIGN = "shop_sign", _("店铺招牌")
    STORE_PAGE = "store_page", _("子页面")
    PROMOTION_ZONE = "promotion_zone", _("促销区")
    CUSTOM_MODULE = "custom_module", _("自定义模块")
    BLOG = "blog", _("企业博客")


class ModuleType(models.TextChoices):
    """R2.3 自定义模块: a brand page or a promotion page."""

    BRAND = "brand", _("品牌页")
    PROMOTION = "promotion", _("促销页")


class ProposalStatus(models.TextChoices):
    DISCUSSING = "discussing", _("讨论中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("执行中")
    REJECTED = "rejected", _("已驳回")
    DONE = "done", _("已完成")
    WITHDRAWN = "withdrawn", _("已撤回")


# R3.5: proposed, discussed, approved by the company, then carried out. A rejected proposal may be
# revised and discussed again; nothing comes back from done or withdrawn.
PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ProposalStatus.DISCUSSING: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.SUBMITTED: frozenset(
        {ProposalStatus.APPROVED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}
    ),
    ProposalStatus.REJECTED: frozenset({ProposalStatus.DISCUSSING, ProposalStatus.WITHDRAWN}),
    ProposalStatus.APPROVED: frozenset({ProposalStatus.DONE}),
    ProposalStatus.DONE: frozenset(),
    ProposalStatus.WITHDRAWN: frozenset(),
}
OPEN_PROPOSAL_STATUSES = (
    ProposalStatus.DISCUSSING,
    ProposalStatus.SUBMITTED,
    ProposalStatus.REJECTED,
    ProposalStatus.APPROVED,
)


class ProposalImageKind(models.TextChoices):
    MOCKUP = "mockup", _("设计稿")
    AFTER = "after", _("改版后截图")


class VariantState(models.TextChoices):
    """Where a promotion-zone variant stands, read from its latest release draft."""

    DESIGNING = "designing", _("设计中")
    IN_APPROVAL = "in_approval", _("审批中")
    READY = "ready", _("已批准，待上线")
    LIVE = "live", _("在线")
    OFFLINE = "offline", _("已下线")
