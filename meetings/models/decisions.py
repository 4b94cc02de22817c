"""The board's decisions: structured, signed by an attending, then immutable.

A decision is recorded as a draft for one agenda item (or, on the cord-compression fast track,
for a case outside any meeting), signed by an attending of the board, and from then on never
changed: the model refuses it and, in the database, a trigger refuses any UPDATE or DELETE of a
signed row and of its actions (migration 0004). A correction is an amendment: a new draft that
``amends`` the signed version, with a reason; once signed it is the current version and the
old one stays, shown as amended. All versions share the decision's number (per board and
year, e.g. 2026-0007) and are told apart by ``revision``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models.base import Versioned

from .pathways import Intent


class DecisionKind(models.TextChoices):
    BOARD = "board", "Board discussion"
    RATIFICATION = "ratification", "Standard pathway ratified"
    FAST_TRACK = "fast_track", "Fast track (out of cycle)"


class NoTreatmentReason(models.TextChoices):
    PATIENT_CHOICE = "patient_choice", "The patient's choice"
    PERFORMANCE_STATUS = "performance_status", "Performance status too poor"
    LIMITED_SURVIVAL = "limited_survival", "Expected survival too short to benefit"
    NO_EFFECTIVE_OPTION = "no_effective_option", "No effective option"
    OTHER = "other", "Other (see rationale)"


class SignedImmutable(Exception):
    """A signed decision (or its actions) was about to be changed or deleted."""


class Decision(Versioned):
    board = models.ForeignKey("cases.Board", on_delete=models.PROTECT, related_name="decisions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    presentation = models.ForeignKey(
        "cases.Presentation", on_delete=models.PROTECT, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.BOARD)
    amends = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amended_by",
        editable=False,
        help_text="The signed version this one corrects.",
    )
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    amendment_reason = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    serial = models.PositiveIntegerField(null=True, blank=True, editable=False)

    intent = models.CharField(max_length=20, choices=Intent.choices, blank=True)
    no_treatment_reason = models.CharField(
        max_length=30, choices=NoTreatmentReason.choices, blank=True
    )
    plan = models.JSONField(
        default=dict, blank=True, help_text="The plan per modality (meetings.decision_plan)."
    )
    rationale = models.TextField(blank=True)
    follows_noms = models.BooleanField(
        null=True, blank=True, help_text="Whether it follows the NOMS suggestion of the scores."
    )
    noms_deviation_reason = models.TextField(blank=True)
    scores_shown = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The stored scores the board saw, copied when the decision is signed.",
    )
    dissent = models.JSONField(
        default=list, blank=True, help_text='[{"author": user id, "opinion": "..."}]'
    )
    patient_preferences = models.TextField(blank=True)
    trial_considered = models.BooleanField(default=False)
    trial_notes = models.TextField(blank=True)
    pathway = models.ForeignKey(
        "meetings.StandardPathway",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        editable=False,
    )
    quorate = models.BooleanField(
        null=True, blank=True, editable=False, help_text="Set when signed at a meeting."
    )
    needs_ratification = models.BooleanField(default=False, editable=False)
    ratifies = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratifications",
        editable=False,
        help_text="The fast-track or inquorate decision this one ratifies.",
    )

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "serial", "revision"],
                condition=Q(serial__isnull=False),
                name="decision_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False, serial__isnull=False),
                name="decision_signed_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision {self.number or '(draft)'} of case #{self.case_id}"

    @property
    def number(self) -> str:
        """The decision's number on its board, e.g. 2026-0007 (v2 for an amendment)."""
        if self.serial is None or self.year is None:
            return ""
        base = f"{self.year}-{self.serial:04d}"
        return base if self.revision == 1 else f"{base} v{self.revision}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def _stored_signed(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_signed():
            raise SignedImmutable("A signed decision is never changed: amend it.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_signed():
            raise SignedImmutable("A signed decision is never deleted.")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.intent == Intent.NO_TREATMENT and not self.no_treatment_reason:
            raise ValidationError(
                {"no_treatment_reason": "Say why no anti-cancer treatment is recommended."}
            )


class ActionKind(models.TextChoices):
    SURGERY = "surgery", "Surgery"
    RADIOTHERAPY = "radiotherapy", "Radiotherapy"
    SYSTEMIC_THERAPY = "systemic_therapy", "Systemic therapy"
    PAIN_INTERVENTION = "pain_intervention", "Pain intervention"
    PALLIATIVE_CARE = "palliative_care", "Palliative care / hospice referral"
    REHABILITATION = "rehabilitation", "Rehabilitation"
    IMAGING = "imaging", "Follow-up imaging"
    REFERRAL = "referral", "Other referral"
    OTHER = "other", "Other"


class DecisionAction(models.Model):
    """Something the decision asks someone to do, by a date. Part of the decision: immutable
    once it is signed (issue 9's follow-through records what became of each)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_text = models.CharField(
        max_length=200, blank=True, help_text="An owner outside the product (e.g. the GP)."
    )
    due_on = models.DateField()

    class Meta:
        ordering = ["decision", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class DecisionCounter(models.Model):
    """The last decision number given on a board in a year (locked while numbering)."""

    board = models.ForeignKey("cases.Board", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "year"], name="decision_counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.year}: {self.last}"


class CommunicationMethod(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Secure e-mail"
    EHR = "ehr", "Health record message"
    FAX = "fax", "Fax"


class DecisionCommunication(models.Model):
    """The decision's letter was sent to the referring physician (the decision counts as
    communicated from then on). Recorded once per version; never edited."""

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="communication"
    )
    sent_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=CommunicationMethod.choices)
    recipient = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.decision} sent {self.sent_at:%Y-%m-%d} ({self.method})"
