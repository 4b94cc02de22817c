"""Reads of the meetings app, scoped to the user's boards like every read."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Board, Presentation
from cases.permissions import Perm, board_ids
from cases.workflow import FINAL_STATUSES

from . import clocks, rules
from .models import (
    AgendaItem,
    CalendarFeed,
    Decision,
    FastTrack,
    Meeting,
    MeetingSeries,
    StandardPathway,
)

#: How far back a personal calendar feed reaches (calendar clients keep what they saw).
FEED_PAST_DAYS = 90


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    """The meetings of the user's boards, with what a meeting shows (board, chair, series)."""
    return Meeting.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "board", "chair"
    )


def meeting_series_for_user(user: Any) -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "board"
    )


def feed_user(token_hash: str) -> Any | None:
    """The active user owning a live feed with this token hash (None: unknown or revoked)."""
    feed = (
        CalendarFeed.objects.filter(
            token_hash=token_hash, revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return feed.user if feed else None


def feed_meetings(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """The user's boards' meetings for the personal feed: from FEED_PAST_DAYS ago on,
    cancelled ones included (calendars must remove them)."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    return meetings_for_user(user).filter(starts_at__gte=since)


def boards_of_user(user: Any) -> QuerySet[Board]:
    """The boards a user may name in a meeting or series (plain: only the lookup)."""
    return Board.objects.filter(pk__in=board_ids(user, Perm.VIEW))


def board_members(user: Any) -> QuerySet[User]:
    """The users the user may name as a chair: members of the user's boards (the service
    then requires an attending of the meeting's own board)."""
    return User.objects.filter(
        board_memberships__board_id__in=board_ids(user, Perm.VIEW)
    ).distinct()


def agenda_items_for_user(user: Any) -> QuerySet[AgendaItem]:
    """The agenda items of the user's boards' meetings, with what an item shows (its meeting
    and board, the presentation and its case, the presenter and who added it)."""
    return AgendaItem.objects.filter(
        meeting__board_id__in=board_ids(user, Perm.VIEW)
    ).select_related("meeting__board", "presentation__case", "presenter", "added_by")


def meeting_agenda(user: Any, meeting: Meeting) -> QuerySet[AgendaItem]:
    """One meeting's agenda, in order (one query, whatever its length)."""
    return agenda_items_for_user(user).filter(meeting=meeting).order_by("position", "id")


def presentations_of_user(user: Any) -> QuerySet[Presentation]:
    """The presentations the user may name for an agenda (plain: only the lookup; the service
    then requires the current presentation of a case of the meeting's board)."""
    return Presentation.objects.filter(case__board_id__in=board_ids(user, Perm.VIEW))


def decisions_for_user(user: Any) -> QuerySet[Decision]:
    """The decisions of the user's boards (every version), with what a decision shows: its
    board, case and patient, presentation, agenda item and meeting, who recorded and signed."""
    return Decision.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "board",
        "case__patient",
        "presentation",
        "agenda_item__meeting",
        "recorded_by",
        "signed_by",
        "pathway",
        "amends",
    )


def pathways_for_user(user: Any) -> QuerySet[StandardPathway]:
    """The standard pathways (every version) of the user's boards."""
    return StandardPathway.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "board", "approved_by"
    )


def fast_tracks_for_user(user: Any) -> QuerySet[FastTrack]:
    """The fast tracks of the user's boards' cases, with the case and patient."""
    return FastTrack.objects.filter(case__board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "case__patient", "case__board", "opened_by"
    )


def clocks_of(track: FastTrack, *, now: dt.datetime) -> tuple[clocks.Clock, clocks.Clock]:
    """The fast track's MRI and treatment clocks at ``now`` (``meetings.clocks``)."""
    return clocks.fast_track_clocks(
        neurological_signs=track.neurological_signs,
        suspected_at=track.suspected_at,
        mri_done_at=track.mri_done_at,
        mri_reported_at=track.mri_reported_at,
        treatment_started_at=track.treatment_started_at,
        now=now,
    )


def fast_track_queue(user: Any, *, now: dt.datetime) -> list[FastTrack]:
    """The open fast tracks of the user's boards (treatment not started, case not closed,
    declined or withdrawn), by the time left on their most urgent running clock: breached
    first (the most overdue first), then the least time left; those with no clock running
    (e.g. waiting for the MRI report) last. Each carries its ``clocks`` (MRI, treatment)."""
    rows = list(
        fast_tracks_for_user(user)
        .filter(treatment_started_at__isnull=True)
        .exclude(case__status__in=FINAL_STATUSES)
    )
    for track in rows:
        track.clocks = clocks_of(track, now=now)  # type: ignore[attr-defined]
    rows.sort(
        key=lambda track: clocks.queue_key(
            track.clocks,  # type: ignore[attr-defined]
            (track.suspected_at, track.pk),
        )
    )
    return rows


# --- Decisions as the API and the pages show them -----------------------------------------


def decisions_shown(user: Any) -> QuerySet[Decision]:
    """The decisions of the user's boards with everything the API shows of each: the joins of
    ``selectors.decisions_for_user``, the amendment, the communication, the actions."""
    return (
        decisions_for_user(user)
        .select_related("amended_by", "communication")
        .prefetch_related("actions")
    )


def communication_due(decision: Decision) -> dt.datetime | None:
    if decision.signed_at is None:
        return None
    return rules.communication_due(decision.signed_at, ZoneInfo(decision.board.timezone))


def communication_overdue(decision: Decision, *, now: dt.datetime) -> bool | None:
    """Whether the letter was (or is) late; None for a draft or a superseded version."""
    if decision.signed_at is None:
        return None
    communication = getattr(decision, "communication", None)
    return rules.communication_overdue(
        signed_at=decision.signed_at,
        now=now,
        zone=ZoneInfo(decision.board.timezone),
        sent_at=communication.sent_at if communication else None,
    )


def decisions_awaiting_communication(user: Any, now: dt.datetime) -> list[Decision]:
    """Signed current decisions of the user's boards whose letter is not recorded, oldest
    signature first, each with ``communication_due_at`` and ``overdue`` (not communicated
    within one working day of signing, on the board's calendar)."""
    rows = list(
        decisions_shown(user)
        .filter(signed_at__isnull=False, amended_by__isnull=True, communication__isnull=True)
        .order_by("signed_at", "id")
    )
    for row in rows:
        row.communication_due_at = communication_due(row)  # type: ignore[attr-defined]
        row.overdue = communication_overdue(row, now=now)  # type: ignore[attr-defined]
    return rows
