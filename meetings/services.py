"""Writes of the meetings app: series, meetings, agendas, and each user's calendar feed.

Every service is keyword-only with typed arguments, runs in one transaction, re-checks the
permission (``manage_meetings`` on the board) and writes the row history attributed to the
user. Edits follow the concurrency rule of ``cases.services.common``: lock the row, re-read
it, refuse a stale version (StaleVersion: 412), write only the fields that changed.

``sequence`` (iCalendar SEQUENCE) is raised by every change of a meeting, so calendar clients
replace their copy; it is never lowered.

Agenda edits lock the meeting row first: every writer of one meeting's agenda queues there, so
positions stay 1..n. They write an audit row per item (an item names a patient's case).
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

from cases.audit import audit_record
from cases.models import AuditAction, Board, CaseStatus, Membership, Presentation, Role
from cases.permissions import Perm
from cases.services.common import apply_fields, check_version, lock, require, save_record

from . import domain
from .models import AgendaItem, AgendaKind, CalendarFeed, Meeting, MeetingSeries, MeetingStatus

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


def _require_status(meeting: Meeting, *allowed: str, field: str = "status") -> None:
    if meeting.status not in allowed:
        wanted = " or ".join(str(MeetingStatus(a).label).lower() for a in allowed)
        raise ValidationError(
            {field: f"The meeting is {meeting.status}; this needs a {wanted} meeting."}
        )


def meeting_start(*, by: User, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Open the meeting (scheduled → in progress): an attending of the board
    (``sign_decision``), who runs the discussion. Not a calendar change: SEQUENCE stays."""
    require(by, Perm.SIGN_DECISION, meeting)
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        _require_status(meeting, MeetingStatus.SCHEDULED)
        meeting.status = MeetingStatus.IN_PROGRESS
        return save_record(meeting, by=by, changed=["status"])


def meeting_close(*, by: User, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Close a meeting in progress (an attending, ``sign_decision``). Its agenda is then fixed;
    items not discussed are carried over with ``agenda_carry_over``. Calendars are told."""
    require(by, Perm.SIGN_DECISION, meeting)
    with transaction.atomic():
        lock(meeting)
        check_version(meeting, expected_version)
        _require_status(meeting, MeetingStatus.IN_PROGRESS)
        meeting.status = MeetingStatus.CLOSED
        return _save_meeting(meeting, by=by, changed=["status"])


# --- Agenda -----------------------------------------------------------------------------------


class AgendaItemFields(TypedDict, total=False):
    presenter: User | None
    minutes_allotted: int
    kind: str


AGENDA_EDITABLE = frozenset(AgendaItemFields.__annotations__)
#: Case statuses whose current presentation may be put on an agenda.
AGENDA_READY = frozenset({CaseStatus.IN_WORKUP, CaseStatus.READY})


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order, with the case (for its urgency)."""
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presentation__case")
        .order_by("position", "id")
    )


def _renumber(items: list[AgendaItem]) -> None:
    """Positions 1..n in the list's order. Positions are the meeting's order, not an edit of
    the item: they do not raise an item's version (the meeting's lock serializes them)."""
    moved = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        AgendaItem.objects.bulk_update(moved, ["position"])


def _insert(item: AgendaItem, into: list[AgendaItem]) -> None:
    """Put ``item`` at its default place: by its case's urgency, then the existing order."""
    urgencies = [other.presentation.case.urgency for other in into]
    into.insert(domain.insertion_index(urgencies, item.presentation.case.urgency), item)


def _check_presenter(board_id: int, presenter: User | None) -> None:
    if (
        presenter is not None
        and not Membership.objects.filter(board_id=board_id, user=presenter).exists()
    ):
        raise ValidationError({"presenter": "The presenter must be a member of the board."})


def _check_presentation(meeting: Meeting, presentation: Presentation) -> None:
    case = presentation.case
    if case.board_id != meeting.board_id:
        raise ValidationError({"presentation": "The presentation is of a case of another board."})
    if case.status not in AGENDA_READY or case.current_presentation_id != presentation.pk:
        raise ValidationError(
            {
                "presentation": "Only the current presentation of a case in work-up or ready "
                "for the board is put on an agenda."
            }
        )


def agenda_item_add(
    *,
    by: User,
    meeting: Meeting,
    presentation: Presentation,
    presenter: User | None = None,
    minutes_allotted: int = 10,
    kind: str = AgendaKind.FULL,
    late_reason: str = "",
    now: dt.datetime | None = None,
) -> AgendaItem:
    """Put a case's current presentation on a scheduled meeting's agenda (``manage_meetings``),
    at its default place (emergencies, then urgent cases, then the rest, each in the existing
    order). After the board's submission cut-off it is ``late`` and needs a ``late_reason``
    unless the case is urgent or an emergency."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    now = now or timezone.now()
    with transaction.atomic():
        lock(meeting)
        _require_status(meeting, MeetingStatus.SCHEDULED)
        presentation = Presentation.objects.select_related("case").get(pk=presentation.pk)
        _check_presentation(meeting, presentation)
        _check_presenter(meeting.board_id, presenter)
        late = now > meeting.submission_cutoff_at
        reason = late_reason.strip()
        if domain.needs_late_reason(after_cutoff=late, urgency=presentation.case.urgency) and (
            not reason
        ):
            raise ValidationError(
                {
                    "late_reason": "The submission cut-off has passed: say why this routine "
                    "case joins the agenda late."
                }
            )
        items = _agenda(meeting)
        item = AgendaItem(
            meeting=meeting,
            presentation=presentation,
            position=len(items) + 1,
            presenter=presenter,
            minutes_allotted=minutes_allotted,
            kind=kind,
            late=late,
            late_reason=reason,
            added_by=by,
        )
        save_record(item, by=by)
        _insert(item, items)
        _renumber(items)
        audit_record(user=by, action=AuditAction.CREATE, obj=item, detail=f"meeting {meeting.pk}")
        return item


def agenda_item_update(
    *,
    by: User,
    item: AgendaItem,
    expected_version: int | None = None,
    **fields: Unpack[AgendaItemFields],
) -> AgendaItem:
    """Change an item's presenter, minutes or kind (``manage_meetings``; If-Match) while its
    meeting is scheduled or in progress."""
    require(by, Perm.MANAGE_MEETINGS, item.meeting)
    if "presenter" in fields:
        _check_presenter(item.meeting.board_id, fields["presenter"])
    with transaction.atomic():
        lock(item.meeting)
        lock(item)
        check_version(item, expected_version)
        _require_status(item.meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        changed = apply_fields(item, fields, AGENDA_EDITABLE)
        if not changed:
            return item
        save_record(item, by=by, changed=changed)
        audit_record(user=by, action=AuditAction.UPDATE, obj=item, changed_fields=changed)
        return item


def agenda_reorder(*, by: User, meeting: Meeting, items: list[int]) -> list[AgendaItem]:
    """Put the agenda in the order given (ids of every item of the meeting, each once)."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    with transaction.atomic():
        lock(meeting)
        _require_status(meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        current = {item.pk: item for item in _agenda(meeting)}
        if not domain.is_full_ordering(list(current), items):
            raise ValidationError(
                {"items": "Send the ids of every item of this meeting's agenda, each once."}
            )
        ordered = [current[pk] for pk in items]
        _renumber(ordered)
        for item in ordered:
            audit_record(user=by, action=AuditAction.UPDATE, obj=item, changed_fields=["position"])
        return ordered


def _lock_meetings(*meetings: Meeting) -> None:
    """Lock several meetings in one order (by id), so two movers never deadlock."""
    for meeting in sorted(meetings, key=lambda m: m.pk):
        lock(meeting)


def _check_target(source: Meeting, to_meeting: Meeting) -> None:
    if to_meeting.board_id != source.board_id or to_meeting.pk == source.pk:
        raise ValidationError({"to_meeting": "Choose another meeting of the same board."})
    _require_status(to_meeting, MeetingStatus.SCHEDULED, field="to_meeting")


def agenda_item_move(
    *,
    by: User,
    item: AgendaItem,
    to_meeting: Meeting,
    expected_version: int | None = None,
) -> AgendaItem:
    """Move an item of a scheduled meeting to another scheduled meeting of the same board, at
    its default place there (by urgency); both agendas are renumbered."""
    require(by, Perm.MANAGE_MEETINGS, item.meeting)
    require(by, Perm.MANAGE_MEETINGS, to_meeting)
    source = item.meeting
    with transaction.atomic():
        _lock_meetings(source, to_meeting)
        lock(item)
        check_version(item, expected_version)
        _require_status(source, MeetingStatus.SCHEDULED)
        _check_target(source, to_meeting)
        if AgendaItem.objects.filter(
            meeting=to_meeting, presentation=item.presentation_id
        ).exists():
            raise ValidationError(
                {"to_meeting": "This presentation is already on that meeting's agenda."}
            )
        item.meeting = to_meeting
        target = _agenda(to_meeting)
        item.position = len(target) + 1
        save_record(item, by=by, changed=["meeting", "position"])
        item = AgendaItem.objects.select_related("presentation__case", "meeting").get(pk=item.pk)
        _insert(item, target)
        _renumber(target)
        _renumber(_agenda(source))
        audit_record(
            user=by,
            action=AuditAction.UPDATE,
            obj=item,
            changed_fields=["meeting"],
            detail=f"meeting {source.pk} -> {to_meeting.pk}",
        )
        return item


def agenda_carry_over(*, by: User, meeting: Meeting, to_meeting: Meeting) -> list[AgendaItem]:
    """Carry the items of a closed meeting whose case was not discussed (still in work-up or
    ready, on the same presentation) to a scheduled meeting of the board, flagged
    ``carried_over``. The closed meeting's agenda stays as it was (a record of that meeting);
    items are copied, at their default place. Idempotent: a presentation already on the
    target is skipped. Returns the new items."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    require(by, Perm.MANAGE_MEETINGS, to_meeting)
    with transaction.atomic():
        _lock_meetings(meeting, to_meeting)
        _require_status(meeting, MeetingStatus.CLOSED)
        _check_target(meeting, to_meeting)
        target = _agenda(to_meeting)
        there = {item.presentation_id for item in target}
        created = []
        for old in _agenda(meeting):
            case = old.presentation.case
            if (
                old.presentation_id in there
                or case.status not in AGENDA_READY
                or case.current_presentation_id != old.presentation_id
            ):
                continue
            item = AgendaItem(
                meeting=to_meeting,
                presentation=old.presentation,
                position=len(target) + 1,
                presenter=old.presenter,
                minutes_allotted=old.minutes_allotted,
                kind=old.kind,
                carried_over=True,
                carried_from=meeting,
                added_by=by,
            )
            save_record(item, by=by)
            _insert(item, target)
            _renumber(target)
            audit_record(
                user=by, action=AuditAction.CREATE, obj=item, detail=f"carried from {meeting.pk}"
            )
            created.append(item)
        return created


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
