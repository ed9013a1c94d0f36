"""The compliance scan's lists: terms, whitelist, secret patterns, rule severities (R5.3, R5.4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from storeops.compliance.enums import PatternKind, RuleKey, Severity, TermCategory

SEVERITY_OR_AUTO = [("", _("按规则默认")), *Severity.choices]


class Term(models.Model):
    """A banned or restricted term. `normalised` (NFKC + casefold) is what the matcher compares."""

    id = models.BigAutoField(primary_key=True)
    term = models.CharField(_("词语"), max_length=50)
    normalised = models.CharField(max_length=100, unique=True)
    category = models.CharField(_("类别"), max_length=32, choices=TermCategory.choices)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=SEVERITY_OR_AUTO, blank=True, default=""
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        indexes = [models.Index(fields=["category", "id"], name="compliance_term_category_idx")]

    def __str__(self) -> str:
        return self.term


class WhitelistEntry(models.Model):
    """An innocent compound (最近, 第一次): a term match inside one of these is not a finding."""

    id = models.BigAutoField(primary_key=True)
    term = models.CharField(_("词语"), max_length=50)
    normalised = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    def __str__(self) -> str:
        return self.term


class SecretPattern(models.Model):
    """A company secret that must not appear in copy: a supplier's name, or a regular expression
    for internal codes and staff phone numbers (R5.4)."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("类型"), max_length=16, choices=PatternKind.choices)
    label = models.CharField(_("名称"), max_length=100)
    pattern = models.CharField(_("内容"), max_length=200)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=SEVERITY_OR_AUTO, blank=True, default=""
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="compliance_pattern_unique")
        ]

    def __str__(self) -> str:
        return self.label


class RuleSetting(models.Model):
    """A rule's default severity (a term or pattern may override it), on/off, and its threshold."""

    key = models.CharField(_("规则"), max_length=32, choices=RuleKey.choices, primary_key=True)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    is_enabled = models.BooleanField(_("启用"), default=True)
    # Only the near-duplicate rule uses it: the Jaccard similarity from which copy counts as copied.
    threshold = models.DecimalField(
        _("相似度阈值"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("更新时间"))

    def __str__(self) -> str:
        return str(self.key)


class ListState(models.Model):
    """One row. `revision` changes with every list edit in the same transaction: each process
    compares it with the revision its matcher was built from (one tiny query per scan)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.CharField(max_length=32)
    defaults_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.revision
