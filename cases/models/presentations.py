"""What the board discusses: presentations of a case and the specialty assessments of each."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .base import Versioned
from .boards import Specialty
from .patients import Case


class PresentationKind(models.TextChoices):
    FIRST = "first", "First presentation (new referral)"
    RE_PRESENTATION = "re_presentation", "Re-presentation"


class Presentation(models.Model):
    """One presentation of a case to the board: what the board discusses and decides.

    Accepting a referral opens presentation 1; each re-presentation opens the next, saying what
    changed. Assessments belong to a presentation; agenda items, decisions, packets and
    follow-up actions (meetings and follow-up apps) hang on it too.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="presentations")
    number = models.PositiveSmallIntegerField(editable=False)
    kind = models.CharField(max_length=20, choices=PresentationKind.choices, editable=False)
    reason = models.TextField(
        blank=True,
        help_text="Why the case is presented: for a re-presentation, what changed since the "
        "last discussion.",
    )
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="Empty when a job opened it (e.g. follow-up found the plan failed).",
    )
    discussion_started_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a meeting discussing it (or its fast track) started: from then on, "
        "under independent opinions, every specialist sees every assessment.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"],
                name="presentation_unique_number",
                violation_error_message="This case already has a presentation with this number.",
            ),
        ]

    def __str__(self) -> str:
        return f"Presentation {self.number} of {self.case}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class SpecialtyAssessment(Versioned):
    """One specialty's assessment of one presentation of a case.

    ``details`` holds the specialty's structured fields, validated by
    ``cases.assessment_schemas`` for ``specialty``; ``opinion`` is the free-text opinion.
    ``case`` repeats ``presentation.case`` (set together by the service, checked by ``clean``)
    so that an assessment is scoped to its board like every other record of a case.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    presentation = models.ForeignKey(
        Presentation, on_delete=models.PROTECT, related_name="assessments", editable=False
    )
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
        ordering = ["case", "presentation__number", "specialty__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "specialty"],
                name="assessment_one_per_specialty_per_presentation",
                violation_error_message="This specialty has already assessed this presentation "
                "of the case.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialty} assessment #{self.pk} of {self.case}"

    def clean(self) -> None:
        if self.presentation_id and self.case_id and self.presentation.case_id != self.case_id:
            raise ValidationError({"presentation": "The presentation is of another case."})
