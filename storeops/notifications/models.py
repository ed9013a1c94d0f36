"""Alerts (something needing attention, routed to people) and each person's inbox (R4.3)."""

from django.conf import settings
from django.db import models

from storeops.notifications.enums import Severity


class Alert(models.Model):
    """A condition someone must act on. One open alert per `dedupe_key`: raising it again while it
    is open does not notify twice; resolving it closes it (the condition cleared)."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=64, db_index=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dedupe_key = models.CharField(max_length=200, blank=True)
    raised_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(resolved_at__isnull=True) & ~models.Q(dedupe_key=""),
                name="alert_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """One message in one user's inbox; from an alert or a plain notice (an approval waiting…)."""

    id = models.BigAutoField(primary_key=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    store = models.ForeignKey(
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["recipient", "id"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title
