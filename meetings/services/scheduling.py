"""Scheduling writes: series, meetings (create, move, cancel, start, close), calendar feeds.

Every service is keyword-only with typed arguments, runs in one transaction, re-checks the
permission (``manage_meetings`` on the board) and writes the row history attributed to the
user. Edits follow the concurrency rule of ``cases.services.common``: lock the row, re-read
it, refuse a stale version (StaleVersion: 412), write only the fields that changed.

``sequence`` (iCalendar SEQUENCE) is raised by every change of a meeting, so calendar clients
replace their copy; it is never lowered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Board, Membership, Presentation, Role
from cases.permissions import Perm
from cases.services import presentations_discussion_start
from cases.services.common import apply_fields, check_version, lock, require, save_record

from ..models import CalendarFeed, Meeting, MeetingSeries, MeetingStatus
from .attendance import attendance_init

# --- Series -----------------------------------------------------------------------------------


class SeriesFields(TypedDict, total=False):
    rrule: str
    start_time: dt.time
    duration_minutes: int
    place: str
    video_link: str
    starts_on: dt.date
    until: dt.date | None
    active: bool


SERIES_EDITABLE = frozenset(SeriesFields.__annotations__)
#: Why an occurrence the changed rule no longer gives was cancelled.
SERIES_DROPPED = "The series was changed."
#: What an occurrence takes from its series (and follows while it is not detached).
INHERITED = ("duration_minutes", "place", "video_link")


def occurrences(
    series: MeetingSeries, *, start: dt.datetime, end: dt.datetime
) -> Iterator[dt.datetime]:
    """The series' starts in [start, end), aware, in the board's zone.

    The rule runs on naive local times and each is then placed in the board's zone, so a
    meeting at 07:30 stays at 07:30 local time across a daylight-saving change.
    """
    zone = ZoneInfo(series.board.timezone)
    first = dt.datetime.combine(series.starts_on, series.start_time)  # naive, local
    rule = rrulestr(series.rrule.removeprefix("RRULE:"), dtstart=first)
    last_day = series.until
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_end = end.astimezone(zone).replace(tzinfo=None)
    for local in rule.between(max(first, local_start), local_end, inc=True):
        if local >= local_end or (last_day is not None and local.date() > last_day):
            return
        aware = local.replace(tzinfo=zone)
        if aware >= start:
            yield aware


def _horizon(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(weeks=settings.MEETINGS_HORIZON_WEEKS)


def series_extend(*, series: MeetingSeries, now: dt.datetime | None = None) -> int:
    """Create the series' missing occurrences from now to the horizon
    (``MEETINGS_HORIZON_WEEKS``); return how many were created.

    Idempotent: an occurrence is identified by (series, original start), unique in the
    database, and the series row is locked while comparing, so two runs never create one twice.
    A moved or cancelled occurrence keeps its original start and so is never created again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock(series)
        if not series.active:
            return 0
        existing = set(
            Meeting.objects.filter(series=series).values_list("original_start", flat=True)
        )
        created = 0
        for start in occurrences(series, start=now, end=_horizon(now)):
            if start in existing:
                continue
            meeting = Meeting(
                board_id=series.board_id,
                series=series,
                original_start=start,
                starts_at=start,
                created_by_id=series.created_by_id,
                **{name: getattr(series, name) for name in INHERITED},
            )
            save_record(meeting, by=None)
            created += 1
        return created


def series_extend_all(*, now: dt.datetime | None = None) -> int:
    """Extend every active series (the daily beat job). Idempotent."""
    return sum(
        series_extend(series=series, now=now)
        for series in MeetingSeries.objects.filter(active=True).select_related("board")
    )


def meeting_series_create(
    *, by: User, board: Board, **fields: Unpack[SeriesFields]
) -> MeetingSeries:
    """Start a series on ``board`` (``manage_meetings``) and create its next occurrences."""
    require(by, Perm.MANAGE_MEETINGS, board)
    with transaction.atomic():
        series = MeetingSeries(board=board, created_by=by, **fields)
        save_record(series, by=by)
        series_extend(series=series)
    return series


def meeting_series_update(
    *,
    by: User,
    series: MeetingSeries,
    expected_version: int | None = None,
    **fields: Unpack[SeriesFields],
) -> MeetingSeries:
    """Change a series. Its future occurrences that were not changed on their own follow: a
    new place, link or duration is applied to them; those the new rule no longer gives are
    cancelled (never deleted: calendars must hear of it); the missing ones are created."""
    require(by, Perm.MANAGE_MEETINGS, series)
    now = timezone.now()
    with transaction.atomic():
        lock(series)
        check_version(series, expected_version)
        changed = apply_fields(series, fields, SERIES_EDITABLE)
        if not changed:
            return series
        save_record(series, by=by, changed=changed)
        wanted = set(occurrences(series, start=now, end=_horizon(now))) if series.active else set()
        # Occurrences still following the series (not changed on their own), from now on.
        followers = Meeting.objects.select_for_update().filter(
            series=series, detached=False, starts_at__gte=now
        )
        for meeting in followers:
            if meeting.original_start not in wanted:
                if meeting.status == MeetingStatus.SCHEDULED:
                    meeting.status = MeetingStatus.CANCELLED
                    meeting.cancel_reason = SERIES_DROPPED
                    _save_meeting(meeting, by=by, changed=["status", "cancel_reason"])
                continue
            changes: dict[str, Any] = {n: getattr(series, n) for n in INHERITED}
            if (
                meeting.status == MeetingStatus.CANCELLED
                and meeting.cancel_reason == SERIES_DROPPED
            ):
                # The rule gives this start again (a change undone): it takes place after all.
                changes |= {"status": MeetingStatus.SCHEDULED, "cancel_reason": ""}
            updated = apply_fields(meeting, changes, set(changes))
            if updated:
                _save_meeting(meeting, by=by, changed=updated)
        series_extend(series=series, now=now)
    return series


# --- Meetings ---------------------------------------------------------------------------------


class MeetingFields(TypedDict, total=False):
    starts_at: dt.datetime
    duration_minutes: int
    place: str
    video_link: str
    chair: User | None


MEETING_EDITABLE = frozenset(MeetingFields.__annotations__)


def _save_meeting(meeting: Meeting, *, by: User | None, changed: list[str]) -> Meeting:
    """Save an existing meeting's changed fields, raising its iCalendar SEQUENCE."""
    meeting.sequence += 1
    return save_record(meeting, by=by, changed=[*changed, "sequence"])


def _check_chair(board_id: int, chair: User | None) -> None:
    if chair is None:
        return
    if not Membership.objects.filter(board_id=board_id, user=chair, role=Role.ATTENDING).exists():
        raise ValidationError({"chair": "The chair must be an attending physician of the board."})


def _check_start(starts_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Give the time with its offset or zone."})


def meeting_create(*, by: User, board: Board, **fields: Unpack[MeetingFields]) -> Meeting:
    """A one-off meeting of ``board`` (``manage_meetings``)."""
    require(by, Perm.MANAGE_MEETINGS, board)
    _check_chair(board.pk, fields.get("chair"))
    if "starts_at" in fields:
        _check_start(fields["starts_at"])
    with transaction.atomic():
        return save_record(Meeting(board=board, created_by=by, **fields), by=by)


def meeting_update(
    *,
    by: User,
    meeting: Meeting,
    expected_version: int | None = None,
    **fields: Unpack[MeetingFields],
) -> Meeting:
    """Move or edit a scheduled meeting. An occurrence of a series keeps its identity (and its
    calendar UID) and is detached: the series no longer changes it or creates it again."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    if "chair" in fields:
        _check_chair(meeting.board_id, fields["chair"])
    if "starts_at" in fields:
        _check_start(fields["starts_at"])
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise ValidationError(
                {"status": f"The meeting is {meeting.status}; only a scheduled one is changed."}
            )
        changed = apply_fields(meeting, fields, MEETING_EDITABLE)
        if not changed:
            return meeting
        if meeting.series_id is not None and not meeting.detached:
            meeting.detached = True
            changed.append("detached")
        return _save_meeting(meeting, by=by, changed=changed)


def meeting_cancel(
    *, by: User, meeting: Meeting, reason: str, expected_version: int | None = None
) -> Meeting:
    """Cancel a scheduled meeting, with a reason. It stays (calendars are told: STATUS
    CANCELLED); an occurrence of a series is not created again."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled."})
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise ValidationError(
                {"status": f"The meeting is {meeting.status}; only a scheduled one is cancelled."}
            )
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = reason.strip()
        changed = ["status", "cancel_reason"]
        if meeting.series_id is not None:
            meeting.detached = True
            changed.append("detached")
        return _save_meeting(meeting, by=by, changed=changed)


def require_status(meeting: Meeting, *allowed: str, field: str = "status") -> None:
    if meeting.status not in allowed:
        wanted = " or ".join(str(MeetingStatus(a).label).lower() for a in allowed)
        raise ValidationError(
            {field: f"The meeting is {meeting.status}; this needs a {wanted} meeting."}
        )


def meeting_start(*, by: User, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Open the meeting (scheduled → in progress): an attending of the board
    (``sign_decision``), who runs the discussion. Not a calendar change: SEQUENCE stays.

    The discussion of every presentation on its agenda starts now: each gets its
    ``discussion_started_at`` (kept if already set, e.g. by an earlier meeting), so under the
    board's independent opinions every specialist sees every assessment. The board's members
    are listed present (``attendance_init``); absences are then ticked.
    """
    require(by, Perm.SIGN_DECISION, meeting)
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        require_status(meeting, MeetingStatus.SCHEDULED)
        meeting.status = MeetingStatus.IN_PROGRESS
        save_record(meeting, by=by, changed=["status"])
        presentations_discussion_start(
            presentations=Presentation.objects.select_related("case").filter(
                agenda_items__meeting=meeting
            ),
            by=by,
            detail=f"meeting {meeting.pk} started",
        )
        attendance_init(meeting=meeting, by=by)
        return meeting


def meeting_close(*, by: User, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Close a meeting in progress (an attending, ``sign_decision``). Its agenda is then fixed;
    items not discussed are carried over with ``agenda_carry_over``. Calendars are told."""
    require(by, Perm.SIGN_DECISION, meeting)
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        require_status(meeting, MeetingStatus.IN_PROGRESS)
        meeting.status = MeetingStatus.CLOSED
        return _save_meeting(meeting, by=by, changed=["status"])


# --- Calendar feed ----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The stored form of a feed token. A plain SHA-256 is enough: the token is 256 random
    bits, so it cannot be guessed from its hash, and the hash is looked up directly."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_rotate(*, user: Any) -> tuple[CalendarFeed, str]:
    """Give ``user`` a new feed token, revoking the previous one; return the feed and the token
    in clear (shown once: only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
    return feed, token


def calendar_feed_revoke(*, user: Any) -> int:
    """Revoke the user's live feed (idempotent); return how many were revoked (0 or 1)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
