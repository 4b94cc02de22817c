"""Agenda writes: put a case's presentation on a meeting, order, move and carry over items.

Agenda edits lock the meeting row first: every writer of one meeting's agenda queues there, so
positions stay 1..n, and each raises the meeting's ``agenda_version`` (the pre-meeting packet
is built per version). They write an audit row per item (an item names a patient's case).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.audit import audit_record
from cases.models import AuditAction, CaseStatus, Membership, Presentation
from cases.permissions import Perm
from cases.services.common import apply_fields, check_version, lock, require, save_record

from .. import domain
from ..models import AgendaItem, AgendaKind, Meeting, MeetingStatus
from .scheduling import require_status

# --- Agenda -----------------------------------------------------------------------------------


class AgendaItemFields(TypedDict, total=False):
    presenter: User | None
    minutes_allotted: int


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


def _agenda_changed(*meetings: Meeting) -> None:
    """Raise the meetings' agenda version (under their row lock): a packet built for an older
    version is out of date."""
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(
        agenda_version=F("agenda_version") + 1
    )
    for meeting in meetings:
        meeting.refresh_from_db(fields=["agenda_version"])


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
        require_status(meeting, MeetingStatus.SCHEDULED)
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
            kind=AgendaKind.FULL,
            late=late,
            late_reason=reason,
            added_by=by,
        )
        save_record(item, by=by)
        _insert(item, items)
        _renumber(items)
        _agenda_changed(meeting)
        audit_record(user=by, action=AuditAction.CREATE, obj=item, detail=f"meeting {meeting.pk}")
        return item


def agenda_item_update(
    *,
    by: User,
    item: AgendaItem,
    expected_version: int | None = None,
    **fields: Unpack[AgendaItemFields],
) -> AgendaItem:
    """Change an item's presenter or minutes (``manage_meetings``; If-Match) while its
    meeting is scheduled or in progress."""
    require(by, Perm.MANAGE_MEETINGS, item.meeting)
    if "presenter" in fields:
        _check_presenter(item.meeting.board_id, fields["presenter"])
    with transaction.atomic():
        lock(item.meeting)
        lock(item)
        check_version(item, expected_version)
        require_status(item.meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        changed = apply_fields(item, fields, AGENDA_EDITABLE)
        if not changed:
            return item
        save_record(item, by=by, changed=changed)
        _agenda_changed(item.meeting)
        audit_record(user=by, action=AuditAction.UPDATE, obj=item, changed_fields=changed)
        return item


def agenda_reorder(*, by: User, meeting: Meeting, items: list[int]) -> list[AgendaItem]:
    """Put the agenda in the order given (ids of every item of the meeting, each once)."""
    require(by, Perm.MANAGE_MEETINGS, meeting)
    with transaction.atomic():
        lock(meeting)
        require_status(meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        current = {item.pk: item for item in _agenda(meeting)}
        if not domain.is_full_ordering(list(current), items):
            raise ValidationError(
                {"items": "Send the ids of every item of this meeting's agenda, each once."}
            )
        ordered = [current[pk] for pk in items]
        _renumber(ordered)
        _agenda_changed(meeting)
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
    require_status(to_meeting, MeetingStatus.SCHEDULED, field="to_meeting")


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
        require_status(source, MeetingStatus.SCHEDULED)
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
        _agenda_changed(source, to_meeting)
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
        require_status(meeting, MeetingStatus.CLOSED)
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
                pathway=old.pathway,
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
        if created:
            _agenda_changed(to_meeting)
        return created
