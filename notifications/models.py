"""The outbox: one row per (kind, dedupe key, recipient) for everything the product tells a
user, shown in the product (``read_at``) and, when ``email`` is set, delivered by e-mail.

This app knows users, not cases: ``board_id`` is a plain number for filtering lists, and
``url`` a path inside the product. Rows hold no patient data (see ``services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# The rows the delivery sweep still has to send: kept in a partial index so the sweep reads a
# handful of entries however large the table grows.
EMAIL_PENDING = Q(email=True, email_sent_at__isnull=True, email_failed_at__isnull=True)


class Notification(models.Model):
    # Callers define the kinds ("assessment_request", meeting reminders, escalations, ...):
    # a free string, so a new kind needs no migration here.
    kind = models.CharField(max_length=50)
    # What the notification is about, from the caller, e.g. "presentation:12". With kind and
    # recipient it makes notify() idempotent.
    dedupe_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        # The index on (recipient, -created_at) below serves every lookup by recipient.
        db_index=False,
    )
    # Not a foreign key: boards live in a floor above this one.
    board_id = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path inside the product ("/cases/12/"); e-mails prefix it with settings.SITE_URL.
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    # E-mail delivery. False when the recipient had no address: in-app only.
    email = models.BooleanField(default=False)
    # Set by the worker that is sending it (a conditional UPDATE), so two workers never send
    # the same e-mail; a claim older than services.STALE_CLAIM belongs to a worker that died.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # Counted when a worker claims the row, so an attempt that killed its worker counts too.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = models.CharField(max_length=500, blank=True)
    # Given up after services.MAX_ATTEMPTS attempts (or the recipient lost their address).
    email_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "dedupe_key", "recipient"], name="notifications_once_per_key"
            ),
            models.CheckConstraint(
                condition=Q(email_sent_at__isnull=True) | Q(email_failed_at__isnull=True),
                name="notifications_sent_or_failed_not_both",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=EMAIL_PENDING, name="notif_email_pending"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key} to user #{self.recipient_id}"
