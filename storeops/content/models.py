"""Intake items, release drafts with immutable revisions, publications (R4.1, R4.2, R5.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeops.content.enums import (
    DraftKind,
    DraftStatus,
    DriftSource,
    IntakeClassification,
    IntakeSource,
    IntakeStatus,
    Priority,
)


class IntakeItem(models.Model):
    """Information a department submits (信息提报, R4.1); its time starts the SLA clock (R4.2)."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("提报部门"), max_length=20, choices=IntakeSource.choices)
    classification = models.CharField(
        _("信息类别"), max_length=30, choices=IntakeClassification.choices
    )
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"))
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.NEW
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提报时间"))

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class ReleaseDraft(models.Model):
    """A compiled draft (发布稿件) awaiting approval; its content lives in DraftRevision rows."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=DraftKind.choices)
    target = models.BigIntegerField(_("对象编号"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    priority = models.CharField(_("优先级"), max_length=12, choices=Priority.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    intake = models.ForeignKey(
        IntakeItem, null=True, blank=True, on_delete=models.PROTECT, related_name="drafts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责人"),
    )
    sla_hours = models.PositiveIntegerField(_("时限（小时）"))
    sla_started_at = models.DateTimeField(_("计时开始"))
    sla_deadline = models.DateTimeField(_("发布截止"), db_index=True)
    current_revision = models.ForeignKey(
        "DraftRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_revision = models.ForeignKey(
        "DraftRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breach_alerted_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(_("合规放行理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["store", "status", "id"], name="content_draft_status_idx")]

    def __str__(self) -> str:
        return self.title


class DraftRevision(models.Model):
    """An immutable version of a draft; the approval snapshot names its number and content hash.

    `findings` are the compliance scan's result for this text (derived data, refreshed before
    approval); the text itself never changes: an edit is a new revision.
    """

    id = models.BigAutoField(primary_key=True)
    draft = models.ForeignKey(ReleaseDraft, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    # a listing draft may carry a new price; publishing writes title and price to the listing
    price = models.DecimalField(_("售价"), max_digits=12, decimal_places=2, null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    findings = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["draft_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="content_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.draft_id} v{self.number}"


class Publication(models.Model):
    """An approved revision made live (R5.1), with its lead time against the SLA (R4.2)."""

    id = models.BigAutoField(primary_key=True)
    draft = models.OneToOneField(ReleaseDraft, on_delete=models.PROTECT, related_name="publication")
    revision = models.ForeignKey(DraftRevision, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DraftKind.choices)
    target = models.BigIntegerField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    sla_deadline = models.DateTimeField(_("发布截止"))
    lead_time_seconds = models.PositiveIntegerField(_("用时（秒）"))
    is_sla_met = models.BooleanField(_("按时"))
    package = models.JSONField(_("发布内容包"), default=dict)
    is_live = models.BooleanField(_("在线"), default=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            # one live publication per page (a target); new pages and blog posts have no target
            models.UniqueConstraint(
                fields=["store", "kind", "target"],
                condition=Q(is_live=True, target__isnull=False),
                name="content_one_live_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}@{self.published_at:%Y-%m-%d}"


class PublicationFlag(models.Model):
    """运营 marks a live description as inaccurate (R3.1, R4.1): a correction draft follows."""

    id = models.BigAutoField(primary_key=True)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="flags")
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("不准确之处"))
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(_("标记时间"))
    correction_draft = models.ForeignKey(
        ReleaseDraft, on_delete=models.PROTECT, related_name="flags", verbose_name=_("纠错稿件")
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.reason[:20]}"


class DriftFinding(models.Model):
    """The live page differs from the approved live version (R5.1): what differs, as found."""

    id = models.BigAutoField(primary_key=True)
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="drift_findings"
    )
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=10, choices=DriftSource.choices)
    live_title = models.CharField(_("线上标题"), max_length=200, blank=True)
    live_body = models.TextField(_("线上正文"), blank=True)
    live_price = models.DecimalField(
        _("线上售价"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    differences = models.JSONField(_("差异"), default=list)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"), db_index=True)
    resolved_at = models.DateTimeField(_("已一致于"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["publication", "resolved_at"], name="content_drift_open_idx")
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}@{self.checked_at:%Y-%m-%d}"
