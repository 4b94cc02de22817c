"""The append-only audit log of who read or changed which patient's records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    TRANSITION = "transition", "Status changed"
    PERMISSION = "permission", "Permissions changed"
    LOOKUP = "lookup", "Looked up by MRN"
    LINK = "link", "Linked to another board"
    CONFLICT = "conflict", "Refused: conflicting registration"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who read or changed which patient's records, when and from where. Append-only.

    One row per patient touched: a list read of 50 cases writes 50 rows in one bulk insert, so
    "who has seen patient X" is a single indexed query.

    Written by ``cases.audit`` in the transaction of the change it records. On PostgreSQL a
    trigger also refuses UPDATE and DELETE (migration 0003), so not even raw SQL rewrites it.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # kept when accounts are removed; username is copied below
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    # Plain ids, not foreign keys: the log must outlive anything it mentions.
    patient_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="The patient whose records were touched."
    )
    board_id = models.BigIntegerField(null=True, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_path = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        # An INSERT, always: an unsaved instance carrying an existing id must not UPDATE it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
