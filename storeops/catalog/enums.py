"""Statuses and kinds of the catalog."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ON_SALE = "on_sale", _("在售")
    OFF_SHELF = "off_shelf", _("下架")


# A listing goes on sale only with a complete four-module description (R2.7), see listing_set_status.
LISTING_TRANSITIONS: dict[str, frozenset[str]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.ON_SALE, ListingStatus.OFF_SHELF}),
    ListingStatus.ON_SALE: frozenset({ListingStatus.OFF_SHELF}),
    ListingStatus.OFF_SHELF: frozenset({ListingStatus.ON_SALE}),
}


class ImageKind(models.TextChoices):
    MAIN = "main", _("主图")
    DETAIL = "detail", _("详情图")


CATEGORY_MAX_DEPTH = 4
DEFAULT_DESCRIPTION_MODULES = (
    ("selling_points", _("卖点与展示")),
    ("specifications", _("规格参数")),
    ("details", _("细节展示")),
    ("service_logistics", _("售后与物流")),
)
DEFAULT_POSITIONING_TAGS = ("引流款", "利润款", "形象款", "活动款", "新品")
