"""What the board discusses: presentations of a case and the specialty assessments of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .boards import Specialty
from .patients import Case


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class SpecialtyAssessment(models.Model):
    """One specialty's assessment of one presentation round of a case.

    ``details`` holds the specialty's structured fields, validated by
    ``cases.assessment_schemas`` for ``specialty``; ``opinion`` is the free-text opinion.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    presentation_round = models.PositiveSmallIntegerField(editable=False)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        editable=False,
    )
    details = models.JSONField(default=dict, blank=True)
    opinion = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "presentation_round", "specialty__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "presentation_round", "specialty"],
                name="assessment_one_per_specialty_per_round",
                violation_error_message="This specialty has already assessed this presentation "
                "of the case.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialty} assessment #{self.pk} of {self.case}"


class Notification(models.Model):
    """An e-mail the product sent (or is sending). The unique key makes the job idempotent:
    a retried or duplicated task finds the row and does not send twice.
    """

    class Kind(models.TextChoices):
        ASSESSMENT_REQUEST = "assessment_request", "Assessment requested"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    presentation_round = models.PositiveSmallIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "case", "presentation_round", "recipient"],
                name="notification_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case} to user #{self.recipient_id}"
