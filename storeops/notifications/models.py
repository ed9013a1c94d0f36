"""Alerts (something needing attention, routed to people) and each person's inbox (R4.3)."""

from django.conf import settings
from django.db import models

from storeops.notifications.enums import ChannelKind, DeliveryStatus, DeliveryVia, Severity


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


class Channel(models.Model):
    """A WeCom (企业微信) or DingTalk (钉钉) group robot that receives alerts (R4.3).

    The webhook URL carries the robot's access key and the DingTalk signing secret is a key too:
    both are stored encrypted (`core.crypto`) and never shown back; `webhook_display` is the URL
    without its query string, for people to recognise the robot.
    """

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    webhook_url_encrypted = models.TextField()
    webhook_display = models.CharField(max_length=300)
    secret_encrypted = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    min_severity = models.CharField(
        max_length=16, choices=Severity.choices, default=Severity.WARNING
    )
    alert_kinds = models.JSONField(default=list, blank=True)  # empty: every kind
    store = models.ForeignKey(  # empty: alerts of every store (and of none)
        "accounts.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Delivery(models.Model):
    """One message leaving the system: a notification by e-mail, or an alert to one robot.

    `pending` → (claimed) `sending` → `sent`, or back to `pending` with a later `next_attempt_at`
    after a failure, until the last attempt leaves it `failed` for an administrator to see.
    """

    id = models.BigAutoField(primary_key=True)
    via = models.CharField(max_length=16, choices=DeliveryVia.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["notification"],
                condition=models.Q(via="email"),
                name="delivery_one_email_per_notification",
            ),
            models.UniqueConstraint(
                fields=["alert", "channel"],
                condition=models.Q(alert__isnull=False),
                name="delivery_one_per_alert_and_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.title
