"""Core's own tables: background import jobs (the file, who, the state and the final result)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    APPLIED = "applied", _("已导入")
    REJECTED = "rejected", _("已拒绝")
    FAILED = "failed", _("失败")


IMPORT_JOB_DONE = frozenset(
    {ImportJobStatus.APPLIED, ImportJobStatus.REJECTED, ImportJobStatus.FAILED}
)


class ImportJob(models.Model):
    """One uploaded import, run by a worker. Progress while it runs lives in the shared cache
    (`core.importjobs`), since the import's own transaction is still open; the row keeps the end."""

    kind = models.CharField(_("导入类型"), max_length=60, db_index=True)
    filenames = models.JSONField(_("文件名"), default=list)
    files = models.JSONField(default=list)  # [{"name", "path", "size", "sha256"}] in storage
    sha256 = models.CharField(max_length=64)
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    total = models.PositiveIntegerField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["created_by", "-id"], name="core_importjob_by_user")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status in IMPORT_JOB_DONE
