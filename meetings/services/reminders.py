"""The reminder sweep (``meetings.tasks.send_reminders``, every 5 minutes from beat): before a
meeting, remind the specialists whose assessment of a case on its agenda is missing; after
the last reminder, tell the coordinators what is still missing; after it, remind the attendings of
decisions left unsigned.

Everything is a row of the notification outbox (``notifications.services.notify``), written in
the sweep's transaction and delivered after commit. **Idempotent**: every row has a dedupe key
and the outbox's unique (kind, dedupe key, recipient) keeps one row however often, or however
concurrently, the sweep runs (two sweeps at once: one row, the other's insert is ignored).

* ``meeting_reminder`` (key ``meeting:<id>:offset:<hours>``): for each scheduled meeting, at
  each of the board's ``reminder_offsets_hours`` (default 72 and 24 hours before its start),
  each active specialist of a specialty the board expects gets one row listing the agenda's
  cases (case in work-up or ready, its current presentation on the agenda) still lacking that
  specialty's submitted assessment. Only the latest offset reached is sent: a sweep after an
  outage that spans both sends one reminder, not two.
* ``meeting_escalation`` (key ``meeting:<id>:escalation``): after the last offset, half-way
  between it and the start (12 h before with the default offsets: the specialists had time to
  answer the last reminder, the coordinator still has time to chase), and until
  ``ESCALATION_WINDOW`` after the start, the board's coordinators get one row: specialty → case
  numbers still missing.
* ``unsigned_decision`` (key ``decision:<id>:day:<date in the board's zone>``): a draft decision
  of a meeting that is closed, or started more than ``MEETINGS_UNSIGNED_REMINDER_HOURS``
  (default 24) ago, is reminded once a day to the meeting's chair, or to the board's
  attendings when it has none.

**No patient data**: case numbers (``#id``) and links only, never a name, MRN or diagnosis.
**Fixed queries**: the reads are a fixed number of set-based queries whatever the number of
meetings, cases and specialties; each *new* recipient group costs one ``notify`` (2 queries),
and recipients already notified cost nothing (one query finds them all).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.models import AssessmentStatus, Board, Membership, Role, Specialty, SpecialtyAssessment
from notifications.models import Notification
from notifications.services import notify

from ..models import AgendaItem, Decision, Meeting, MeetingStatus
from .agenda import AGENDA_READY

MEETING_REMINDER = "meeting_reminder"
MEETING_ESCALATION = "meeting_escalation"
UNSIGNED_DECISION = "unsigned_decision"

#: The largest reminder offset a board may set (``Board.reminder_offsets_hours``: 1 to 336).
MAX_OFFSET = dt.timedelta(hours=24 * 14)
#: How long after a meeting's start its escalation is still sent (a sweep after a longer
#: outage no longer chases a meeting long over).
ESCALATION_WINDOW = dt.timedelta(hours=24)
DEFAULT_UNSIGNED_REMINDER_HOURS = 24


def unsigned_reminder_after() -> dt.timedelta:
    hours = getattr(settings, "MEETINGS_UNSIGNED_REMINDER_HOURS", DEFAULT_UNSIGNED_REMINDER_HOURS)
    return dt.timedelta(hours=int(hours))


def escalation_due_at(offsets: Iterable[int], starts_at: dt.datetime) -> dt.datetime:
    """When the coordinators are told what is still missing: half-way between the last
    reminder and the start (12 h before with the default last offset of 24 h), so the
    specialists had time to answer the reminder and the coordinator still has time to chase."""
    return starts_at - dt.timedelta(hours=min(offsets, default=0)) / 2


def reminder_offset(offsets: Iterable[int], starts_at: dt.datetime, now: dt.datetime) -> int | None:
    """The latest reminder offset (hours) reached before a meeting at ``starts_at``: the
    smallest offset h with start - h <= now < start (None: none reached yet, or started)."""
    if now >= starts_at:
        return None
    reached = [h for h in offsets if starts_at - dt.timedelta(hours=h) <= now]
    return min(reached, default=None)


def _local(value: dt.datetime, board: Board) -> str:
    return f"{value.astimezone(ZoneInfo(board.timezone)):%a %d %b %Y %H:%M} ({board.timezone})"


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@dataclass
class _Agenda:
    """What a meeting still lacks: for each expected specialty, the cases (agenda order)."""

    meeting: Meeting
    missing: dict[int, list[int]] = field(default_factory=dict)


def _missing(meetings: list[Meeting]) -> tuple[dict[int, _Agenda], dict[int, Specialty]]:
    """The missing assessments of the meetings' agendas (three queries in all), and the
    specialties by id."""
    agendas = {m.pk: _Agenda(m) for m in meetings}
    if not meetings:
        return agendas, {}
    items = list(
        AgendaItem.objects.filter(
            meeting_id__in=agendas,
            presentation__case__status__in=AGENDA_READY,
            presentation__case__current_presentation=F("presentation"),
        )
        .order_by("meeting_id", "position", "id")
        .values_list("meeting_id", "presentation_id", "presentation__case_id")
    )
    submitted = set(
        SpecialtyAssessment.objects.filter(
            presentation_id__in={presentation for _, presentation, _ in items},
            status=AssessmentStatus.SUBMITTED,
        ).values_list("presentation_id", "specialty_id")
    )
    expected: dict[int, list[Specialty]] = defaultdict(list)
    specialties: dict[int, Specialty] = {}
    through = Board.expected_specialties.through.objects.filter(
        board_id__in={m.board_id for m in meetings}
    ).select_related("specialty")
    for row in through.order_by("specialty__display_order", "specialty__name"):
        expected[row.board_id].append(row.specialty)
        specialties[row.specialty_id] = row.specialty
    for meeting_id, presentation_id, case_id in items:
        agenda = agendas[meeting_id]
        for specialty in expected[agenda.meeting.board_id]:
            if (presentation_id, specialty.pk) not in submitted:
                agenda.missing.setdefault(specialty.pk, []).append(case_id)
    return agendas, specialties


def _already(kind: str, keys: Iterable[str]) -> set[tuple[str, int]]:
    """(dedupe key, recipient) pairs of ``kind`` the outbox holds already (one query)."""
    keys = set(keys)
    if not keys:
        return set()
    return set(
        Notification.objects.filter(kind=kind, dedupe_key__in=keys).values_list(
            "dedupe_key", "recipient_id"
        )
    )


def _members(board_ids: Iterable[int], role: str) -> list[Membership]:
    return list(
        Membership.objects.filter(board_id__in=set(board_ids), role=role, user__is_active=True)
        .select_related("user")
        .order_by("board_id", "user_id", "specialty_id")
    )


def _remind(
    due: list[tuple[_Agenda, int]], specialties: dict[int, Specialty], specialists: list[Membership]
) -> int:
    """One ``meeting_reminder`` per (meeting, offset) and specialist with something missing."""
    # (meeting, user) -> the user's missing (specialty, case ids)
    per_user: dict[tuple[int, int], tuple[User, list[tuple[Specialty, list[int]]]]] = {}
    by_board: dict[int, list[Membership]] = defaultdict(list)
    for membership in specialists:
        by_board[membership.board_id].append(membership)
    for agenda, _offset in due:
        meeting = agenda.meeting
        for membership in by_board[meeting.board_id]:
            cases = agenda.missing.get(membership.specialty_id or 0)
            if cases and membership.specialty_id is not None:
                entry = per_user.setdefault((meeting.pk, membership.user_id), (membership.user, []))
                entry[1].append((specialties[membership.specialty_id], cases))
    keys = {
        agenda.meeting.pk: f"meeting:{agenda.meeting.pk}:offset:{offset}" for agenda, offset in due
    }
    offsets = {agenda.meeting.pk: offset for agenda, offset in due}
    meetings = {agenda.meeting.pk: agenda.meeting for agenda, _ in due}
    done = _already(MEETING_REMINDER, keys.values())
    created = 0
    for (meeting_id, user_id), (user, missing) in sorted(per_user.items(), key=lambda kv: kv[0]):
        if (keys[meeting_id], user_id) in done:
            continue
        meeting = meetings[meeting_id]
        case_ids = sorted({case for _, cases in missing for case in cases})
        context = {
            "board": meeting.board,
            "starts": _local(meeting.starts_at, meeting.board),
            "hours": offsets[meeting_id],
            "missing": [
                {
                    "specialty": specialty.name,
                    "cases": [
                        {"number": case, "link": _link(reverse("pages:case-detail", args=[case]))}
                        for case in cases
                    ],
                }
                for specialty, cases in missing
            ],
        }
        created += notify(
            kind=MEETING_REMINDER,
            dedupe_key=keys[meeting_id],
            recipients=[user],
            subject=f"Assessments missing for the {meeting.board.name} meeting: "
            f"{len(case_ids)} case{'s' if len(case_ids) != 1 else ''}",
            body=render_to_string("emails/meeting_reminder.txt", context),
            url=reverse("pages:home"),
            board_id=meeting.board_id,
        )
    return created


def _escalate(
    due: list[_Agenda], specialties: dict[int, Specialty], coordinators: list[Membership]
) -> int:
    """One ``meeting_escalation`` per started meeting with something missing, to the board's
    coordinators."""
    by_board: dict[int, list[User]] = defaultdict(list)
    for membership in coordinators:
        by_board[membership.board_id].append(membership.user)
    keys = {agenda.meeting.pk: f"meeting:{agenda.meeting.pk}:escalation" for agenda in due}
    done = _already(MEETING_ESCALATION, keys.values())
    created = 0
    for agenda in due:
        meeting = agenda.meeting
        recipients = [
            user for user in by_board[meeting.board_id] if (keys[meeting.pk], user.pk) not in done
        ]
        if not agenda.missing or not recipients:
            continue
        ordered = sorted(
            agenda.missing.items(),
            key=lambda kv: (specialties[kv[0]].display_order, specialties[kv[0]].name),
        )
        context = {
            "board": meeting.board,
            "starts": _local(meeting.starts_at, meeting.board),
            "missing": [
                {"specialty": specialties[specialty_id].name, "cases": cases}
                for specialty_id, cases in ordered
            ],
        }
        created += notify(
            kind=MEETING_ESCALATION,
            dedupe_key=keys[meeting.pk],
            recipients=recipients,
            subject=f"Assessments still missing at the {meeting.board.name} meeting",
            body=render_to_string("emails/meeting_escalation.txt", context),
            url=reverse("pages:home"),
            board_id=meeting.board_id,
        )
    return created


def meeting_reminders_send(*, now: dt.datetime) -> int:
    """Reminders before each meeting and escalations after the last one (see the module);
    returns the number of outbox rows created. Idempotent."""
    meetings = list(
        Meeting.objects.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS],
            starts_at__gt=now - ESCALATION_WINDOW,
            starts_at__lte=now + MAX_OFFSET,
        ).select_related("board")
    )
    reminders: list[tuple[Meeting, int]] = []
    escalations: list[Meeting] = []
    for meeting in meetings:
        offsets = meeting.board.reminder_offsets_hours
        if now >= escalation_due_at(offsets, meeting.starts_at):
            escalations.append(meeting)
        if meeting.starts_at > now and meeting.status == MeetingStatus.SCHEDULED:
            offset = reminder_offset(meeting.board.reminder_offsets_hours, meeting.starts_at, now)
            if offset is not None:
                reminders.append((meeting, offset))
    if not reminders and not escalations:
        return 0
    agendas, specialties = _missing([m for m, _ in reminders] + escalations)
    with transaction.atomic():
        created = 0
        if reminders:
            specialists = _members({m.board_id for m, _ in reminders}, Role.SPECIALIST)
            created += _remind(
                [(agendas[m.pk], offset) for m, offset in reminders], specialties, specialists
            )
        if escalations:
            # Only meetings with something missing need their board's coordinators.
            wanting = [agendas[m.pk] for m in escalations if agendas[m.pk].missing]
            if wanting:
                coordinators = _members({a.meeting.board_id for a in wanting}, Role.COORDINATOR)
                created += _escalate(wanting, specialties, coordinators)
        return created


def unsigned_decisions_remind(*, now: dt.datetime) -> int:
    """Remind, once a day, of each draft decision of a meeting that is closed or started more
    than ``MEETINGS_UNSIGNED_REMINDER_HOURS`` ago: to the meeting's chair, or the board's
    attendings when it has none. Returns the number of outbox rows created. Idempotent."""
    started_before = now - unsigned_reminder_after()
    drafts = list(
        Decision.objects.filter(signed_at__isnull=True, agenda_item__isnull=False)
        .exclude(agenda_item__meeting__status=MeetingStatus.CANCELLED)
        .filter(
            Q(agenda_item__meeting__status=MeetingStatus.CLOSED)
            | Q(agenda_item__meeting__starts_at__lte=started_before)
        )
        .select_related("board", "agenda_item__meeting__chair")
        .order_by("id")
    )
    if not drafts:
        return 0
    keys: dict[int, str] = {}
    for decision in drafts:
        day = now.astimezone(ZoneInfo(decision.board.timezone)).date()
        keys[decision.pk] = f"decision:{decision.pk}:day:{day.isoformat()}"
    done = _already(UNSIGNED_DECISION, keys.values())
    chairless = {
        d.board_id
        for d in drafts
        if d.agenda_item is not None and d.agenda_item.meeting.chair_id is None
    }
    attendings: dict[int, list[User]] = defaultdict(list)
    for membership in _members(chairless, Role.ATTENDING) if chairless else []:
        attendings[membership.board_id].append(membership.user)
    created = 0
    with transaction.atomic():
        for decision in drafts:
            if decision.agenda_item is None:  # not selected (filtered above)
                continue
            meeting = decision.agenda_item.meeting
            chair: Any = meeting.chair
            candidates = [chair] if chair is not None else attendings[decision.board_id]
            recipients = [user for user in candidates if (keys[decision.pk], user.pk) not in done]
            if not recipients:
                continue
            context = {
                "board": decision.board,
                "case_number": decision.case_id,
                "starts": _local(meeting.starts_at, decision.board),
                "link": _link(reverse("pages:case-detail", args=[decision.case_id])),
            }
            created += notify(
                kind=UNSIGNED_DECISION,
                dedupe_key=keys[decision.pk],
                recipients=recipients,
                subject=f"Decision for case #{decision.case_id} awaits your signature",
                body=render_to_string("emails/unsigned_decision.txt", context),
                url=reverse("pages:case-detail", args=[decision.case_id]),
                board_id=decision.board_id,
            )
    return created


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: meeting reminders, escalations and unsigned-decision reminders
    due at ``now``; returns the number of outbox rows created (0 when run again)."""
    now = now or timezone.now()
    return meeting_reminders_send(now=now) + unsigned_decisions_remind(now=now)
