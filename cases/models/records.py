"""The clinical record of a case: dated clinical statuses, spinal lesions, prior radiotherapy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring.domain.consistency import albumin_g_dl_problem
from scoring.domain.vocabulary import (
    KARNOFSKY_VALUES,
    AmbulatoryStatus,
    AsiaGrade,
    EcogGrade,
    EsccGrade,
    FrankelGrade,
    MechanicalStatus,
    SinsAlignment,
    SinsBoneLesion,
    SinsCollapse,
    SinsPain,
    SinsPosterolateral,
    SpinalLevel,
    TomitaBoneMetastases,
    TomitaVisceral,
    VisceralMetastases,
)

from .base import Versioned
from .boards import SPINAL_LEVEL_CHOICES
from .patients import Case


def _validate_not_future(value: object) -> None:
    if value and value > timezone.localdate():  # type: ignore[operator]
        raise ValidationError("The date is in the future.")


def validate_albumin_g_dl(value: Decimal | None) -> None:
    """Serum albumin in g/dL (0.5–7.0); a value plainly in g/L or µmol/L is refused with the
    g/dL value as a hint (``scoring.domain.consistency``)."""
    if value is None:
        return
    problem = albumin_g_dl_problem(Decimal(value))
    if problem is not None:
        raise ValidationError(problem, code="albumin_unit")


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


class ClinicalStatus(Versioned):
    """A dated snapshot of the patient's condition; a case keeps every snapshot.

    Every clinical field is optional: a missing value is a value to chase, never a default. A
    new snapshot starts from the latest one (``cases.services.clinical_status_record``): a
    value not given is carried forward, and ``observed_on`` keeps the date it was actually
    observed, so a score never passes off an old value as today's.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clinical_statuses")
    recorded_on = models.DateField(validators=[_validate_not_future])
    observed_on = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="For each value carried forward from an earlier status, the ISO date it was "
        "observed; values entered in this status were observed on recorded_on.",
    )

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
        validators=[validate_albumin_g_dl],
        help_text="In g/dL, 0.5–7.0 (e.g. 3.8), not g/L (38) or µmol/L (570).",
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

    def observed_date(self, field: str) -> dt.date:
        """When the value of ``field`` was actually observed."""
        carried = self.observed_on.get(field) if isinstance(self.observed_on, dict) else None
        return dt.date.fromisoformat(carried) if carried else self.recorded_on

    def __str__(self) -> str:
        return f"Clinical status #{self.pk} of {self.case}"


def _normalise_levels(obj: PriorRadiotherapy | SpinalLesion) -> None:
    """A single level is given by its level alone: the span is that level to itself."""
    if obj.level_from and not obj.level_to:
        obj.level_to = obj.level_from
    _validate_levels(obj.level_from, obj.level_to)


def _validate_levels(level_from: str, level_to: str) -> None:
    if level_from and level_to and SpinalLevel(level_from).index > SpinalLevel(level_to).index:
        raise ValidationError(
            {"level_to": f"{level_to} is above {level_from}: give the levels from top down."}
        )


class RadiotherapyTechnique(models.TextChoices):
    CEBRT = "cebrt", "Conventional EBRT"
    SBRT = "sbrt", "SBRT / SRS"
    UNKNOWN = "unknown", "Unknown"


class PriorRadiotherapy(Versioned):
    """A course of radiotherapy to the spine before this referral (re-irradiation limits)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="prior_radiotherapy")
    level_from = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)
    level_to = models.CharField(
        max_length=3,
        blank=True,
        choices=SPINAL_LEVEL_CHOICES,
        help_text="Lowest level of a span; leave empty for a single level.",
    )
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
        _normalise_levels(self)


class ImagingModality(models.TextChoices):
    MRI = "mri", "MRI"
    CT = "ct", "CT"
    PET_CT = "pet_ct", "PET-CT"
    XRAY = "xray", "Radiograph"
    OTHER = "other", "Other"


class SpinalLesion(Versioned):
    """One spinal lesion (a level or a contiguous span), with its SINS items and ESCC grade.

    SINS location is not stored: it follows from the levels (scoring-spec.md §1.2).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="lesions")
    level_from = models.CharField(max_length=3, choices=SPINAL_LEVEL_CHOICES)
    level_to = models.CharField(
        max_length=3,
        blank=True,
        choices=SPINAL_LEVEL_CHOICES,
        help_text="Lowest level of a span; leave empty for a single level.",
    )

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
        _normalise_levels(self)
