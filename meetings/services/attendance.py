"""Attendance: who is at a meeting, as which specialty, and whether it is quorate.

The board's members are invited: they are listed present by default (``attendance_init``
creates their rows, idempotently, when the meeting starts, when attendance is recorded and
when a decision is signed; a read never writes). Coordinators (``manage_meetings``) and attendings
(``sign_decision``) tick who is absent and add guests. The quorum is the pure rule of
``meetings.rules`` over the rows present.

Attendance names no patient: it is not audited (its row history says who changed what).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cases.models import Membership, Specialty
from cases.permissions import Perm, has_perm
from cases.services.common import NOT_ALLOWED, lock, save_record

from .. import rules
from ..models import Attendance, Meeting, MeetingStatus

#: Meetings whose member rows exist (or are created on reading): they have started.
STARTED = frozenset({MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED})
#: Meetings whose attendance may be recorded (apologies before, ticks during the meeting).
RECORDABLE = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS})
#: Who records attendance: the meeting's organisers and the attendings who run it.
RECORDERS = (Perm.MANAGE_MEETINGS, Perm.SIGN_DECISION)


def require_any(user: Any, perms: Iterable[Perm], obj: object) -> None:
    if not any(has_perm(user, perm, obj) for perm in perms):
        raise PermissionDenied(NOT_ALLOWED)


def _member_specialties(board_id: int) -> dict[int, list[Specialty | None]]:
    """Each active member's specialties on the board (None for a coordinator or attending),
    quorum specialties first, then by display order."""
    quorum = set(Specialty.objects.filter(quorum_of_boards=board_id).values_list("pk", flat=True))
    rows = Membership.objects.filter(board_id=board_id, user__is_active=True).select_related(
        "specialty"
    )
    out: dict[int, list[Specialty | None]] = {}
    for row in rows:
        out.setdefault(row.user_id, []).append(row.specialty)
    for specialties in out.values():
        specialties.sort(
            key=lambda s: (
                s is None,
                s.pk not in quorum if s else True,
                s.display_order if s else 0,
            )
        )
    return out


def _default_rows(meeting: Meeting, *, by: User | None) -> list[Attendance]:
    """Unsaved rows for the members without one: present, as their (first quorum) specialty."""
    have = set(Attendance.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    return [
        Attendance(
            meeting=meeting,
            user_id=user_id,
            specialty=specialties[0],
            present=True,
            recorded_by=by,
        )
        for user_id, specialties in sorted(_member_specialties(meeting.board_id).items())
        if user_id not in have
    ]


def attendance_init(*, meeting: Meeting, by: User) -> int:
    """Give every member of the board without a row one (present, as their specialty);
    returns how many were created. Idempotent: under the meeting's row lock, a member with a
    row (ticked absent, say) is left as it is. Called by the services below, not by views."""
    if not _default_rows(meeting, by=by):
        return 0  # the common case: nothing to create, no lock taken
    with transaction.atomic():
        lock(meeting)
        missing = _default_rows(meeting, by=by)
        if missing:
            bulk_create_with_history(missing, Attendance, default_user=by)
        return len(missing)


def meeting_attendance(meeting: Meeting, *, by: User) -> list[Attendance]:
    """The meeting's attendance, in specialty order: the rows stored (the members' rows are
    created when the meeting starts); before it, the members without a row are shown as they
    will be listed (unsaved rows, ``id`` None) beside what has been recorded (apologies).
    A read: it writes nothing."""
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("user", "specialty"))
    if meeting.status == MeetingStatus.SCHEDULED:
        planned = _default_rows(meeting, by=by)
        users = {u.pk: u for u in User.objects.filter(pk__in=[r.user_id for r in planned])}
        for row in planned:
            row.user = users[row.user_id]
        rows.extend(planned)
        rows.sort(
            key=lambda r: (
                r.specialty is None,
                r.specialty.display_order if r.specialty else 0,
                r.user_id,
            )
        )
    return rows


def meeting_quorum(meeting: Meeting, rows: Iterable[Attendance] | None = None) -> rules.Quorum:
    """The quorum rule over the attendees present (the rows given, or the stored ones)."""
    if rows is None:
        rows = Attendance.objects.filter(meeting=meeting).select_related("specialty")
    required = Specialty.objects.filter(quorum_of_boards=meeting.board_id).values_list(
        "code", flat=True
    )
    return rules.quorum(
        required=list(required),
        present=[row.specialty.code if row.specialty else None for row in rows if row.present],
    )


def attendance_record(
    *,
    by: User,
    meeting: Meeting,
    user: User,
    present: bool | None = None,
    specialty: Specialty | None = None,
    note: str | None = None,
) -> Attendance:
    """Record one person's attendance (coordinators and attendings of the board), before or
    during the meeting: a member is ticked absent or present again (and may be listed as
    another of their specialties); anyone else is added as a guest, who needs a specialty.
    Only what is sent changes."""
    require_any(by, RECORDERS, meeting)
    with transaction.atomic():
        lock(meeting)
        if meeting.status not in RECORDABLE:
            raise ValidationError(
                {"meeting": f"The meeting is {meeting.status}: its attendance is fixed."}
            )
        attendance_init(meeting=meeting, by=by)
        row = Attendance.objects.filter(meeting=meeting, user=user).first()
        if row is None:
            if not user.is_active:
                raise ValidationError({"user": "This user is not active."})
            if specialty is None:
                raise ValidationError({"specialty": "Say as which specialty the guest attends."})
            row = Attendance(
                meeting=meeting,
                user=user,
                specialty=specialty,
                present=True if present is None else present,
                guest=True,
                note=note or "",
                recorded_by=by,
            )
            return save_record(row, by=by)
        changed = []
        if specialty is not None and specialty.pk != row.specialty_id:
            mine = _member_specialties(meeting.board_id).get(user.pk, [])
            if not row.guest and specialty not in mine:
                raise ValidationError(
                    {"specialty": "A member attends as one of their specialties on the board."}
                )
            row.specialty = specialty
            changed.append("specialty")
        if present is not None and present != row.present:
            row.present = present
            changed.append("present")
        if note is not None and note != row.note:
            row.note = note
            changed.append("note")
        if changed:
            row.recorded_by = by
            save_record(row, by=by, changed=[*changed, "recorded_by"])
        return row
