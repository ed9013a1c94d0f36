"""Approvals of frozen snapshots (R5.1), obligations and their periods (R3.2, R3.3), policy settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.governance.enums import ApprovalStatus, OccurrenceStatus, StepStatus


class ApprovalRequest(models.Model):
    """A request to approve exactly one snapshot of one object (any model of any app).

    `snapshot_hash` is sha256 of the snapshot's canonical JSON: the owning service proceeds only
    with an approved request whose hash equals that of what it is about to do (`approval_require`).
    """

    id = models.BigAutoField(primary_key=True)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    url = models.CharField(_("对象链接"), max_length=500, blank=True)
    snapshot = models.JSONField(_("审批内容"))
    snapshot_hash = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("发起时间"))
    excluded_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("不得审批的人")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    current_sequence = models.PositiveSmallIntegerField(default=1)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="approval_object_idx"),
            models.Index(fields=["status", "id"], name="approval_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ApprovalStep(models.Model):
    """One step of a request, decided by one person holding one of `approver_roles`."""

    id = models.BigAutoField(primary_key=True)
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    # ",manager,auditor," — delimited so "which steps may this role decide" is a portable LIKE
    approver_roles = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["request", "sequence"], name="approval_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.sequence}"

    @property
    def role_codes(self) -> list[str]:
        return [code for code in self.approver_roles.split(",") if code]


class Obligation(models.Model):
    """A duty the policy sets (R3.2 weekly stocktake, R3.3 half-monthly copy refresh …): who, when."""

    id = models.BigAutoField(primary_key=True)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    policy_id = models.CharField(_("制度条款"), max_length=20, blank=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=64, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="obligations",
        verbose_name=_("责任人"),
    )
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.CharField(_("周期"), max_length=100)
    due_hours = models.PositiveIntegerField(_("完成时限（小时）"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ObligationOccurrence(models.Model):
    """One period of an obligation. The unique (obligation, period_key) makes "exactly once per
    period" the database's decision, however many workers generate at the same time."""

    id = models.BigAutoField(primary_key=True)
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="occurrences")
    period_key = models.CharField(max_length=20)
    opens_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OccurrenceStatus.choices, default=OccurrenceStatus.OPEN
    )
    evidence = models.CharField(_("完成凭证"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period_key"], name="obligation_one_occurrence_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="occurrence_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.obligation.title}（{self.period_key}）"


class PolicySetting(models.Model):
    """A changed policy number; a key without a row has its default (enums.POLICY_SPECS)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.CharField(max_length=50)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
