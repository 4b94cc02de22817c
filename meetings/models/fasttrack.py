"""The cord-compression fast track: the clocks of an emergency case (NICE NG234 / QS56).

With neurological signs, whole-spine MRI within 24 h of the suspicion and definitive treatment
started within 24 h of the diagnosis (the MRI report); with pain alone, within a week. The
plan is agreed by the board's on-call pair and signed by an attending (a ``Decision`` of kind
``fast_track``); it is ratified at the next meeting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.base import Versioned


class FastTrack(Versioned):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="fast_track")
    neurological_signs = models.BooleanField(
        help_text="Neurological signs (24-hour clocks); pain alone: one-week clocks."
    )
    suspected_at = models.DateTimeField()
    mri_done_at = models.DateTimeField(null=True, blank=True)
    mri_reported_at = models.DateTimeField(null=True, blank=True)
    plan_agreed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set when the decision is signed."
    )
    treatment_started_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["suspected_at", "id"]

    def __str__(self) -> str:
        return f"Fast track of case #{self.case_id}"

    @property
    def board_id(self) -> int:
        return self.case.board_id
