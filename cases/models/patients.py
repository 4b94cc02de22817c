"""Patients, their referrals to a board (cases) and the case's workflow history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring.domain.vocabulary import (
    PrimaryTumor,
    Radiosensitivity,
    TomitaGrowth,
)

from .base import Versioned
from .boards import Board, Institution


class Sex(models.TextChoices):
    """Administrative sex, as in FHIR AdministrativeGender (interoperability on the roadmap)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(Versioned):
    """Protected health information. ``__str__`` deliberately shows no identifier."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="patients")
    registered_board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        related_name="registered_patients",
        help_text="The board whose coordinator registered the patient.",
    )
    mrn = models.CharField("MRN", max_length=40, help_text="Medical record number.")
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "mrn"],
                name="patient_unique_mrn_per_institution",
                violation_error_message="A patient with this MRN is already registered at this "
                "institution.",
            ),
        ]

    def __str__(self) -> str:
        return f"Patient #{self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = "The date of birth is in the future."
        # Checked here as well as by the constraint so that the error names the field.
        duplicate = Patient.objects.filter(institution_id=self.institution_id, mrn=self.mrn)
        if self.mrn and duplicate.exclude(pk=self.pk).exists():
            errors["mrn"] = "A patient with this MRN is already registered at this institution."
        if errors:
            raise ValidationError(errors)
        if (
            self.registered_board_id
            and self.institution_id
            and self.registered_board.institution_id != self.institution_id
        ):
            raise ValidationError({"registered_board": "The board belongs to another institution."})


class PatientBoardLink(models.Model):
    """A registered patient made visible to another board of the same institution.

    Written by ``cases.services.patient_register`` when a coordinator of ``board`` registers an
    MRN the institution already holds and the date of birth and family name match; audited
    (action ``link``). The patient is then one of the board's patients, exactly as if the
    board had registered it (``cases.permissions.has_perm``, ``selectors.patients_for_user``).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="board_links")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="patient_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "board"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "board"],
                name="patient_board_link_unique",
                violation_error_message="The patient is already linked to this board.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} linked to {self.board}"

    def clean(self) -> None:
        if (
            self.patient_id
            and self.board_id
            and self.patient.institution_id != self.board.institution_id
        ):
            raise ValidationError({"board": "The board belongs to another institution."})


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent (e.g. suspected cord compression, new deficit)"
    EMERGENCY = "emergency", "Emergency (progressive deficit: treat now, discuss after)"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    IN_WORKUP = "in_workup", "In work-up (assessments being gathered)"
    READY = "ready", "Ready for the board"
    DISCUSSED = "discussed", "Discussed"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ExpectedSurvival(models.TextChoices):
    LT_3_MONTHS = "lt_3_months", "< 3 months"
    M3_TO_6 = "3_to_6_months", "3–6 months"
    M6_TO_12 = "6_to_12_months", "6–12 months"
    GT_12_MONTHS = "gt_12_months", "> 12 months"
    UNKNOWN = "unknown", "Unknown"


class FamilySupport(models.TextChoices):
    GOOD = "good", "Good"
    LIMITED = "limited", "Limited"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


class Case(Versioned):
    """A referral of a patient to a board, and what the board weighs in deciding it.

    Accepting the referral opens its first presentation to the board, each re-presentation the
    next (``cases.Presentation``); ``current_presentation`` is the latest.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED, editable=False
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    current_presentation = models.ForeignKey(
        "cases.Presentation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The presentation now being prepared or discussed; none until accepted.",
    )

    referring_physician = models.CharField(max_length=200)
    referring_physician_contact = models.CharField(
        max_length=200, blank=True, help_text="Telephone, pager or e-mail."
    )
    referred_on = models.DateField(default=timezone.localdate)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    clinical_question = models.TextField(help_text="What the referrer asks the board to decide.")

    primary_tumor = models.CharField(max_length=30, choices=PrimaryTumor.choices())
    primary_tumor_detail = models.CharField(
        max_length=200, blank=True, help_text="Histology detail; required for 'other'."
    )
    primary_diagnosed_on = models.DateField(null=True, blank=True)

    # What the board weighs besides the scores (shared decision-making).
    current_cancer_treatment = models.TextField(blank=True)
    comorbidities = models.TextField(blank=True)
    expected_survival = models.CharField(
        max_length=20,
        choices=ExpectedSurvival.choices,
        default=ExpectedSurvival.UNKNOWN,
        help_text="As judged by the referring physician.",
    )
    family_support = models.CharField(
        max_length=10, choices=FamilySupport.choices, default=FamilySupport.UNKNOWN
    )
    family_support_notes = models.TextField(blank=True)
    financial_limitations = models.TextField(blank=True)
    patient_goals = models.TextField(blank=True, help_text="Goals and preferences of the patient.")

    # Scoring inputs that are a specialist's judgement (owners: cases.permissions.FIELD_OWNERS).
    # Empty means "not yet judged": the scores that need them stay incomplete, never guessed.
    tumor_growth = models.CharField(
        "primary tumor growth (Tomita)",
        max_length=10,
        blank=True,
        choices=TomitaGrowth.choices(),
        help_text="Confirmed by medical oncology; a histology-based suggestion is only shown.",
    )
    radiosensitivity = models.CharField(
        max_length=20,
        blank=True,
        choices=Radiosensitivity.choices(),
        help_text="Response to conventional radiotherapy (NOMS O), judged by radiation oncology.",
    )
    able_to_tolerate_surgery = models.BooleanField(
        null=True, blank=True, help_text="NOMS S: can the patient tolerate open surgery?"
    )
    able_to_tolerate_percutaneous = models.BooleanField(
        null=True, blank=True, help_text="Can the patient tolerate a percutaneous procedure?"
    )
    able_to_tolerate_local_treatment = models.BooleanField(
        null=True,
        blank=True,
        help_text="False when no local treatment (radiotherapy or surgery) is tolerable.",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["board", "status"])]

    def __str__(self) -> str:
        return f"Case #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.primary_tumor == PrimaryTumor.OTHER and not self.primary_tumor_detail.strip():
            errors["primary_tumor_detail"] = "Say which primary tumor when 'other' is chosen."
        today = timezone.localdate()
        if self.primary_diagnosed_on and self.primary_diagnosed_on > today:
            errors["primary_diagnosed_on"] = "The date of diagnosis is in the future."
        if self.referred_on and self.referred_on > today:
            errors["referred_on"] = "The referral date is in the future."
        if (
            self.primary_diagnosed_on
            and self.patient_id
            and self.primary_diagnosed_on < self.patient.date_of_birth
        ):
            errors["primary_diagnosed_on"] = "The diagnosis predates the patient's birth."
        if (
            self.patient_id
            and self.board_id
            and self.patient.institution_id != self.board.institution_id
        ):
            errors["board"] = "The board belongs to another institution than the patient."
        if errors:
            raise ValidationError(errors)


class CaseStatusChange(models.Model):
    """One named transition of a case's status: append-only, the case's workflow history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    transition = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when a job made the move.",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.transition} ({self.from_status} → {self.to_status})"
