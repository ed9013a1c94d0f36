"""Store pages (shop sign, sub-pages and category pages, promotion zones and their variants, custom
modules, blog posts) and page redesign proposals (R2.3, R2.4, R2.12, R3.5).

A page holds no copy of its own: what it shows is content's live publication whose target is the
page (content is the only path to publish). Variants of a promotion zone are designs whose text
lives in release drafts targeting the zone; the one live publication is the active variant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeops.storefront.enums import ModuleType, PageKind, ProposalImageKind, ProposalStatus


class StorePage(models.Model):
    """A page of one store. The main store's sub-pages are the model; a branch store's page may be
    `based_on` one of them and differ (R2.3 子项面：设计主店的子项面，分店有所不同)."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("页面类型"), max_length=20, choices=PageKind.choices)
    name = models.CharField(_("页面名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级页面"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("商品类目"),
    )
    module_type = models.CharField(
        _("模块类型"), max_length=20, choices=ModuleType.choices, blank=True
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branch_pages",
        verbose_name=_("对应主店页面"),
    )
    is_archived = models.BooleanField(_("已停用"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["store_id", "kind", "name", "id"]
        constraints = [
            # R2.3: one shop sign per store
            models.UniqueConstraint(
                fields=["store"],
                condition=Q(kind=PageKind.SHOP_SIGN, is_archived=False),
                name="storefront_one_shop_sign",
            ),
            # a store's category page links the catalog's category once
            models.UniqueConstraint(
                fields=["store", "category"],
                condition=Q(category__isnull=False, is_archived=False),
                name="storefront_one_page_per_category",
            ),
            models.UniqueConstraint(
                fields=["store", "kind", "name"],
                condition=Q(is_archived=False) & ~Q(kind=PageKind.BLOG),
                name="storefront_page_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["store", "kind", "id"], name="storefront_page_kind_idx")]

    def __str__(self) -> str:
        return self.name


class PromotionVariant(models.Model):
    """One designed page of a promotion zone (R2.3 促销区：设计不同的促销区页面，供更换)."""

    id = models.BigAutoField(primary_key=True)
    zone = models.ForeignKey(StorePage, on_delete=models.PROTECT, related_name="variants")
    name = models.CharField(_("方案名称"), max_length=100)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["zone_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="storefront_variant_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class VariantDraft(models.Model):
    """A release draft that carries a variant's design; the newest one is the variant's state."""

    id = models.BigAutoField(primary_key=True)
    variant = models.ForeignKey(PromotionVariant, on_delete=models.PROTECT, related_name="drafts")
    draft = models.OneToOneField("content.ReleaseDraft", on_delete=models.PROTECT, related_name="+")
    copied_from = models.ForeignKey(
        "content.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["variant_id", "id"]

    def __str__(self) -> str:
        return f"{self.variant_id}:{self.draft_id}"


class RedesignProposal(models.Model):
    """A page redesign (改版方案, R3.5): proposed by anyone, discussed, approved by 经理 through the
    approvals engine, then carried out by an owner by a due date; before/after kept."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(
        StorePage, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("目标页面")
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("方案说明"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DISCUSSING,
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    before_publication = models.ForeignKey(
        "content.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    after_publication = models.ForeignKey(
        "content.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("执行人"),
    )
    due_at = models.DateTimeField(_("完成期限"), null=True, blank=True)
    obligation = models.ForeignKey(
        "governance.Obligation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(_("完成说明"), max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["store", "status", "id"], name="storefront_proposal_status_idx")
        ]

    def __str__(self) -> str:
        return self.title


class ProposalImage(models.Model):
    """A mock-up, or a screenshot after the redesign; stored through Django storage and shown only
    through an authenticated view (never a public media URL)."""

    id = models.BigAutoField(primary_key=True)
    proposal = models.ForeignKey(RedesignProposal, on_delete=models.PROTECT, related_name="images")
    kind = models.CharField(_("类型"), max_length=10, choices=ProposalImageKind.choices)
    file = models.ImageField(_("图片"), upload_to="storefront/proposals/%Y/%m/")
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal_id", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.kind}:{self.pk}"


class ProposalComment(models.Model):
    id = models.BigAutoField(primary_key=True)
    proposal = models.ForeignKey(
        RedesignProposal, on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("评论"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal_id", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.pk}"
