"""Pre-meeting packets: one per agenda version, built once.

The row is the claim: (meeting, agenda version, revision) is unique, so two workers (a retry,
a duplicate delivery, two beat processes) never build the same packet twice. A coordinator's
rebuild on demand takes the next revision of the same agenda version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PacketStatus(models.TextChoices):
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MeetingPacket(models.Model):
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="packets"
    )
    agenda_version = models.PositiveIntegerField()
    revision = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=PacketStatus.choices, default=PacketStatus.BUILDING
    )
    html = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True, default=b"")
    cases = models.PositiveSmallIntegerField(default=0)
    patient_ids = models.JSONField(
        default=list,
        blank=True,
        help_text="The patients it shows (internal ids): reading it is audited per patient.",
    )
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who asked for a rebuild (empty: the scheduled build).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "-agenda_version", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agenda_version", "revision"], name="packet_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Packet of {self.meeting} (agenda v{self.agenda_version}.{self.revision})"
