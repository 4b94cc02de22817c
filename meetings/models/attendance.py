"""Who attended a meeting, and as which specialty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Attendance(models.Model):
    """One person at one meeting. The board's members are listed present when the meeting
    starts (``meetings.services.attendance_init``); the coordinator ticks who is absent and
    adds guests (users who are not members, or members of another board's team)."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="attendance"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    specialty = models.ForeignKey(
        "cases.Specialty", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(default=True)
    guest = models.BooleanField(default=False, editable=False)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "specialty__display_order", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        state = "present" if self.present else "absent"
        return f"{self.user} at {self.meeting} ({state})"
