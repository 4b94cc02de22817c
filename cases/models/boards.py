"""Institutions, specialties, boards and who holds which role on them."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from scoring.domain.vocabulary import (
    SpinalLevel,
)

SPINAL_LEVEL_CHOICES = SpinalLevel.choices()


def _validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone (e.g. Europe/Berlin).")


def _default_reminder_offsets() -> list[int]:
    return [72, 24]


def _validate_offsets(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or len(value) > 6
        or not all(
            isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 24 * 14 for h in value
        )
        or len(set(value)) != len(value)
    ):
        raise ValidationError(
            "Give one to six distinct whole numbers of hours between 1 and 336, e.g. [72, 24]."
        )


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
    expected_specialties = models.ManyToManyField(
        Specialty,
        related_name="expected_by_boards",
        help_text="Specialties asked to assess every case (the quorum ones and any others, e.g. "
        "pain or palliative care): they receive the assessment requests, and a case lacking "
        "their submitted assessment lists them as missing.",
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
    stale_input_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A score input observed longer ago than this is flagged as stale.",
    )
    submission_cutoff_hours = models.PositiveSmallIntegerField(
        default=48,
        validators=[MaxValueValidator(24 * 14)],
        help_text="Cases for a meeting are submitted at the latest this many hours before it "
        "starts (each meeting shows its submission_cutoff_at).",
    )
    # --- The board's week (used by the meetings app) ---------------------------------------
    independent_opinions = models.BooleanField(
        default=False,
        help_text="A specialist sees other specialties' assessments of a presentation only "
        "once they have submitted their own or the meeting discussing it has started.",
    )
    reminder_offsets_hours = models.JSONField(
        default=_default_reminder_offsets,
        validators=[_validate_offsets],
        help_text="Hours before a meeting at which specialists with missing assessments are "
        "reminded (after the last one the coordinators get an escalation).",
    )
    packet_offset_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
        help_text="Hours before a meeting at which its pre-meeting packet is built.",
    )
    on_call_specialties = models.ManyToManyField(
        Specialty,
        blank=True,
        related_name="on_call_of_boards",
        help_text="The on-call pair (e.g. spine surgery and radiation oncology) who agree a "
        "fast-track plan for a cord compression outside the weekly meeting.",
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
