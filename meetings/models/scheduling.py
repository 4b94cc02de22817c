"""Board meetings: one-off meetings and recurring series, and each user's calendar feed.

A meeting belongs to one board and is seen by that board's members. Times are stored aware
(UTC in the database) and entered and shown in the board's time zone. A series' occurrences are
ordinary meetings that remember the series and their original start (unique together), so a
moved or cancelled occurrence keeps its identity and is never created again by the series.
A meeting's agenda is a list of agenda items, each one presentation of a case of the board.
Attendance, decisions, pathways, the fast track and packets live in the sibling modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models.base import Versioned

#: Video links must be encrypted: a clinical discussion is never sent over plain http.
https_only = URLValidator(schemes=["https"], message="Enter an https:// link.")


def validate_rrule(value: str) -> None:
    """An iCalendar RRULE (RFC 5545) without a DTSTART of its own, e.g. FREQ=WEEKLY;BYDAY=TU.

    The series gives the start (``starts_on`` and ``start_time``) and the end (``until``).
    """
    text = value.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or any(part in text.upper() for part in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise ValidationError("Enter one RRULE, e.g. FREQ=WEEKLY;BYDAY=TU (no DTSTART).")
    try:
        rrulestr(text, dtstart=dt.datetime(2000, 1, 1))  # noqa: DTZ001 (a syntax check only)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"Not a valid RRULE: {exc}.") from exc


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class MeetingSeries(Versioned):
    """A recurring meeting of a board: the rule, the local start time and the defaults of its
    occurrences. ``meetings.services.series_extend`` keeps its next weeks of occurrences."""

    board = models.ForeignKey(
        "cases.Board", on_delete=models.PROTECT, related_name="meeting_series"
    )
    rrule = models.CharField(
        max_length=300,
        validators=[validate_rrule],
        help_text="iCalendar RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU.",
    )
    start_time = models.TimeField(help_text="Local time in the board's time zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True, validators=[https_only])
    starts_on = models.DateField(help_text="The first day an occurrence may fall on.")
    until = models.DateField(null=True, blank=True, help_text="The last day (empty: open).")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "id"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return f"{self.board} — {self.rrule} at {self.start_time:%H:%M}"

    def clean(self) -> None:
        if self.until is not None and self.starts_on and self.until < self.starts_on:
            raise ValidationError({"until": "The series cannot end before it starts."})


class Meeting(Versioned):
    """One meeting of a board. ``sequence`` is iCalendar's SEQUENCE: raised by every change a
    calendar must pick up (a move, a cancellation, a new place), never lowered."""

    board = models.ForeignKey("cases.Board", on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    original_start = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="For an occurrence of a series: the start the series gave it (its identity).",
    )
    detached = models.BooleanField(
        default=False,
        editable=False,
        help_text="Changed on its own (moved, edited, cancelled): the series no longer updates it.",
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True, validators=[https_only])
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="An attending physician of the board.",
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    agenda_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by every change of the agenda (the packet is built per version).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_start"],
                condition=Q(series__isnull=False),
                name="meeting_unique_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def submission_cutoff_at(self) -> dt.datetime:
        """Cases for this meeting are submitted by then (the board's cut-off before the start)."""
        return self.starts_at - dt.timedelta(hours=self.board.submission_cutoff_hours)


class CalendarFeed(models.Model):
    """A user's personal calendar feed. The token is in the feed's URL (calendar clients cannot
    log in), so only its SHA-256 is stored; it is shown once, when created. A user has at most
    one live feed: creating a new one revokes the previous."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed"
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of {self.user} ({state})"


class AgendaKind(models.TextChoices):
    FULL = "full", "Full discussion"
    RATIFICATION = "ratification", "Ratification"


class AgendaItem(Versioned):
    """One presentation of a case on a meeting's agenda, at ``position`` (1, 2, …).

    The presentation is of a case of the meeting's board, at most once per meeting. ``late``:
    added after the board's submission cut-off (with ``late_reason`` unless the case is urgent
    or an emergency). ``carried_over``: copied from ``carried_from``, a closed meeting where the
    case was not discussed. Positions are renumbered by ``meetings.services`` under the
    meeting's row lock, so they stay 1..n.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    presentation = models.ForeignKey(
        "cases.Presentation", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(editable=False)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A member of the board.",
    )
    minutes_allotted = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    kind = models.CharField(max_length=20, choices=AgendaKind.choices, default=AgendaKind.FULL)
    pathway = models.ForeignKey(
        "meetings.StandardPathway",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        help_text="For a ratification: the standard pathway version the case was triaged to.",
    )
    late = models.BooleanField(default=False, editable=False)
    late_reason = models.CharField(max_length=500, blank=True)
    carried_over = models.BooleanField(default=False, editable=False)
    carried_from = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "presentation"],
                name="agenda_item_unique_presentation",
                violation_error_message="This presentation is already on the meeting's agenda.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.presentation} at {self.meeting}"

    @property
    def board_id(self) -> int:
        """The meeting's board (``cases.permissions`` judges the item on it)."""
        return self.meeting.board_id

    @property
    def case(self) -> Any:
        """The presented case (the audit log names its patient)."""
        return self.presentation.case

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.presentation_id
            and self.presentation.case.board_id != self.meeting.board_id
        ):
            raise ValidationError(
                {"presentation": "The presentation is of a case of another board."}
            )
