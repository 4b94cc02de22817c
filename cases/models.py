"""The clinical domain: boards and their members, patients, cases and what the board weighs.

Writes go through ``cases.services`` (one transaction each, with the audit record); reads go
through ``cases.selectors`` (already scoped to the user's boards). Clinical records keep their
full row history (django-simple-history); nothing clinical is ever deleted.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from scoring.domain.vocabulary import (
    KARNOFSKY_VALUES,
    AmbulatoryStatus,
    AsiaGrade,
    EcogGrade,
    EsccGrade,
    FrankelGrade,
    MechanicalStatus,
    PrimaryTumor,
    Radiosensitivity,
    SinsAlignment,
    SinsBoneLesion,
    SinsCollapse,
    SinsPain,
    SinsPosterolateral,
    SpinalLevel,
    TomitaBoneMetastases,
    TomitaGrowth,
    TomitaVisceral,
    VisceralMetastases,
)

SPINAL_LEVEL_CHOICES = SpinalLevel.choices()


def _validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone (e.g. Europe/Berlin).")


class Institution(models.Model):
    """A hospital or network. MRNs are unique within an institution."""

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """A board specialty. Codes are stable identifiers; rows come from a data migration."""

    SPINE_SURGERY = "spine_surgery"
    RADIATION_ONCOLOGY = "radiation_oncology"
    MEDICAL_ONCOLOGY = "medical_oncology"
    PAIN_MANAGEMENT = "pain_management"
    PALLIATIVE_CARE = "palliative_care"
    RADIOLOGY = "radiology"
    PHYSICAL_MEDICINE = "physical_medicine"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class Board(models.Model):
    """A multidisciplinary tumor board. Every permission in the product is granted on a board."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="boards")
    name = models.CharField(max_length=200)
    quorum_specialties = models.ManyToManyField(
        Specialty,
        related_name="quorum_of_boards",
        help_text="Specialties that must be present (and have assessed a case) for a decision.",
    )
    default_meeting_weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ],
    )
    default_meeting_time = models.TimeField(null=True, blank=True)
    default_meeting_duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    default_meeting_location = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[_validate_timezone]
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="board_unique_name"),
        ]
        # Object permissions, granted per board through guardian (see cases.permissions).
        permissions = [
            ("manage_cases", "Refer and manage cases and patients of the board"),
            ("edit_clinical_data", "Record clinical status, lesions and prior radiotherapy"),
            ("author_assessment", "Author specialty assessments (own specialty only)"),
            ("sign_decision", "Sign the board's decisions"),
            ("manage_meetings", "Schedule meetings and build agendas"),
        ]

    def __str__(self) -> str:
        return self.name


class BoardUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key permission table for boards (no generic relations)."""

    content_object = models.ForeignKey(Board, on_delete=models.CASCADE)


class BoardGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Board, on_delete=models.CASCADE)


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    SPECIALIST = "specialist", "Specialist"
    ATTENDING = "attending", "Attending physician"


class Membership(models.Model):
    """A user's role on a board; a specialist has one row per specialty.

    This is the source of truth for who may do what; ``cases.services.membership_*`` derive the
    guardian object permissions on the board from it in the same transaction.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    specialty = models.ForeignKey(
        Specialty, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.SPECIALIST) & Q(specialty__isnull=False))
                | (~Q(role=Role.SPECIALIST) & Q(specialty__isnull=True)),
                name="membership_specialty_iff_specialist",
                violation_error_message="A specialist needs a specialty; other roles have none.",
            ),
            models.UniqueConstraint(
                fields=["board", "user", "role"],
                condition=Q(specialty__isnull=True),
                name="membership_unique_role",
            ),
            models.UniqueConstraint(
                fields=["board", "user", "specialty"],
                condition=Q(specialty__isnull=False),
                name="membership_unique_specialty",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.specialty})" if self.specialty_id else ""
        return f"{self.user} — {self.get_role_display()}{suffix} on {self.board}"


class Sex(models.TextChoices):
    """Administrative sex, as in FHIR AdministrativeGender (interoperability on the roadmap)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
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


class Case(models.Model):
    """A referral of a patient to a board, and what the board weighs in deciding it.

    ``presentation_round`` counts the presentations to the board: 1 at acceptance, +1 at each
    re-presentation. Specialty assessments belong to one round.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED, editable=False
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    presentation_round = models.PositiveSmallIntegerField(default=1, editable=False)

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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.transition} ({self.from_status} → {self.to_status})"


def _validate_not_future(value: object) -> None:
    if value and value > timezone.localdate():  # type: ignore[operator]
        raise ValidationError("The date is in the future.")


class NeurologicalDeficit(models.TextChoices):
    NONE = "none", "None"
    RADICULOPATHY = "radiculopathy", "Radiculopathy"
    MYELOPATHY = "myelopathy", "Myelopathy"
    CAUDA_EQUINA = "cauda_equina", "Cauda equina syndrome"


class SymptomTempo(models.TextChoices):
    NONE = "none", "No symptoms"
    HOURS = "hours", "Rapid: hours (< 48 h)"
    DAYS = "days", "Days"
    WEEKS = "weeks", "Progressive over weeks"
    STABLE = "stable", "Stable / chronic"


class SystemicDiseaseStatus(models.TextChoices):
    NEWLY_DIAGNOSED = "newly_diagnosed", "Newly diagnosed, untreated"
    RESPONDING = "responding", "Responding to treatment"
    STABLE = "stable", "Stable"
    PROGRESSING = "progressing", "Progressing"
    NO_EVIDENCE = "no_evidence", "No evidence of disease elsewhere"
    UNKNOWN = "unknown", "Unknown"


class ClinicalStatus(models.Model):
    """A dated snapshot of the patient's condition; a case keeps every snapshot.

    Every clinical field is optional: a missing value is a value to chase, never a default.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clinical_statuses")
    recorded_on = models.DateField(validators=[_validate_not_future])

    karnofsky = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(v, f"{v} %") for v in KARNOFSKY_VALUES[1:]]
    )
    ecog = models.CharField(max_length=1, blank=True, choices=EcogGrade.choices())
    frankel_grade = models.CharField(max_length=1, blank=True, choices=FrankelGrade.choices())
    asia_grade = models.CharField(
        "ASIA impairment scale", max_length=1, blank=True, choices=AsiaGrade.choices()
    )
    ambulatory_status = models.CharField(
        max_length=20, blank=True, choices=AmbulatoryStatus.choices()
    )
    neurological_deficit = models.CharField(
        max_length=20, blank=True, choices=NeurologicalDeficit.choices
    )
    neurological_symptom_tempo = models.CharField(
        max_length=10, blank=True, choices=SymptomTempo.choices
    )
    neurological_notes = models.TextField(blank=True)
    extraspinal_bone_metastases_count = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    vertebral_metastases_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(29)],
        help_text="Number of vertebrae with metastases (at least 1 on a spine board).",
    )
    visceral_metastases = models.CharField(
        max_length=20,
        blank=True,
        choices=VisceralMetastases.choices(),
        help_text="Metastases to the major internal organs (lungs, liver, kidneys, brain).",
    )
    visceral_metastases_treatability = models.CharField(
        "visceral metastases (Tomita)",
        max_length=20,
        blank=True,
        choices=TomitaVisceral.choices(),
        help_text="Treatable means amenable to surgery or effective local/systemic control.",
    )
    bone_metastases_extent = models.CharField(
        "bone metastases incl. spine (Tomita)",
        max_length=30,
        blank=True,
        choices=TomitaBoneMetastases.choices(),
    )
    serum_albumin_g_dl = models.DecimalField(
        "serum albumin (g/dL)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(7))],
    )
    systemic_disease_status = models.CharField(
        max_length=20, blank=True, choices=SystemicDiseaseStatus.choices
    )
    notes = models.TextField(blank=True)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name_plural = "clinical statuses"

    def __str__(self) -> str:
        return f"Clinical status #{self.pk} of {self.case}"


def _validate_levels(level_from: str, level_to: str) -> None:
    if level_from and level_to and SpinalLevel(level_from).index > SpinalLevel(level_to).index:
        raise ValidationError(
            {"level_to": f"{level_to} is above {level_from}: give the levels from top down."}
        )


class RadiotherapyTechnique(models.TextChoices):
    CEBRT = "cebrt", "Conventional EBRT"
    SBRT = "sbrt", "SBRT / SRS"
    UNKNOWN = "unknown", "Unknown"


class PriorRadiotherapy(models.Model):
    """A course of radiotherapy to the spine before this referral (re-irradiation limits)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="prior_radiotherapy")
    level_from = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)
    level_to = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)
    technique = models.CharField(
        max_length=10, choices=RadiotherapyTechnique.choices, default=RadiotherapyTechnique.UNKNOWN
    )
    dose_gy = models.DecimalField(
        "total dose (Gy)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(100))],
    )
    fractions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    treated_on = models.DateField(validators=[_validate_not_future])
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-treated_on", "-id"]
        verbose_name_plural = "prior radiotherapy courses"

    def __str__(self) -> str:
        return f"Prior radiotherapy #{self.pk} of {self.case}"

    def clean(self) -> None:
        _validate_levels(self.level_from, self.level_to)


class ImagingModality(models.TextChoices):
    MRI = "mri", "MRI"
    CT = "ct", "CT"
    PET_CT = "pet_ct", "PET-CT"
    XRAY = "xray", "Radiograph"
    OTHER = "other", "Other"


class SpinalLesion(models.Model):
    """One spinal lesion (a level or a contiguous span), with its SINS items and ESCC grade.

    SINS location is not stored: it follows from the levels (scoring-spec.md §1.2).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="lesions")
    level_from = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)
    level_to = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)

    sins_pain = models.CharField(max_length=30, blank=True, choices=SinsPain.choices())
    sins_bone_lesion = models.CharField(max_length=10, blank=True, choices=SinsBoneLesion.choices())
    sins_alignment = models.CharField(max_length=30, blank=True, choices=SinsAlignment.choices())
    sins_vertebral_body_collapse = models.CharField(
        max_length=40, blank=True, choices=SinsCollapse.choices()
    )
    sins_posterolateral_involvement = models.CharField(
        max_length=10, blank=True, choices=SinsPosterolateral.choices()
    )
    escc_grade = models.CharField(
        "ESCC (Bilsky) grade", max_length=2, blank=True, choices=EsccGrade.choices()
    )
    mechanical_status = models.CharField(
        "mechanical status (NOMS M)",
        max_length=40,
        blank=True,
        choices=MechanicalStatus.choices(),
        help_text="Judged by spine surgery; never derived from SINS 7–12.",
    )
    pathologic_fracture = models.BooleanField(null=True, blank=True)

    imaging_date = models.DateField(null=True, blank=True, validators=[_validate_not_future])
    imaging_modality = models.CharField(max_length=10, blank=True, choices=ImagingModality.choices)
    image_viewer_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="Link to the study in the hospital's image viewer, at this level.",
    )
    notes = models.TextField(blank=True)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"Lesion {self.level_label} of {self.case}"

    @property
    def level_label(self) -> str:
        if self.level_from == self.level_to:
            return self.level_from
        return f"{self.level_from}–{self.level_to}"

    def clean(self) -> None:
        _validate_levels(self.level_from, self.level_to)


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


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    TRANSITION = "transition", "Status changed"
    PERMISSION = "permission", "Permissions changed"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
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
