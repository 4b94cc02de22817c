"""The cord-compression fast track: opened for an urgent or emergency case outside the weekly
meeting, its timestamps recorded as the patient moves through MRI, diagnosis and treatment.

Who may open and update one: the board's coordinators (``manage_cases``), its attendings
(``sign_decision``) and its on-call specialists (a specialist membership in one of
``Board.on_call_specialties``). Every write locks the case row first (the case's records queue
there), checks the version the client read and writes an audit row (a fast track names a
patient's case). ``plan_agreed_at`` is not written here: signing the fast-track decision sets it.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import permissions
from cases.audit import audit_record
from cases.exceptions import Conflict
from cases.models import AuditAction, Case, Urgency
from cases.permissions import Perm
from cases.services.common import (
    NOT_ALLOWED,
    apply_fields,
    check_version,
    lock,
    lock_case,
    require_open,
    save_record,
)

from ..models import FastTrack

#: Urgencies a fast track may be opened for.
FAST_TRACK_URGENCIES = frozenset({Urgency.URGENT, Urgency.EMERGENCY})
#: The timestamps in the order the patient passes them.
TIMESTAMPS = ("mri_done_at", "mri_reported_at", "treatment_started_at")


class FastTrackFields(TypedDict, total=False):
    mri_done_at: dt.datetime | None
    mri_reported_at: dt.datetime | None
    treatment_started_at: dt.datetime | None
    notes: str


FAST_TRACK_EDITABLE = frozenset(FastTrackFields.__annotations__)


def may_run_fast_track(user: User, case: Case) -> bool:
    """Coordinators (``manage_cases``), attendings (``sign_decision``) and on-call specialists
    of the case's board may open and update its fast track."""
    if permissions.has_perm(user, Perm.MANAGE_CASES, case) or permissions.has_perm(
        user, Perm.SIGN_DECISION, case
    ):
        return True
    if not permissions.has_perm(user, Perm.AUTHOR_ASSESSMENT, case):
        return False
    mine = permissions.specialty_ids(user, case.board_id)
    return case.board.on_call_specialties.filter(pk__in=mine).exists()


def require_fast_track_role(user: User, case: Case) -> None:
    if not may_run_fast_track(user, case):
        raise PermissionDenied(
            f"{NOT_ALLOWED} The fast track is run by the coordinators, the attendings and the "
            "on-call specialists."
        )


def _check_times(track: FastTrack, now: dt.datetime, fields: set[str]) -> None:
    """Each timestamp is not in the future, not before the suspicion, and the MRI is reported
    no earlier than it was done. Only the fields being written are judged (a record entered
    before a rule stays editable in its other fields)."""
    errors: dict[str, str] = {}
    if "suspected_at" in fields and track.suspected_at > now:
        errors["suspected_at"] = "The suspicion cannot be in the future."
    for name in TIMESTAMPS:
        value = getattr(track, name)
        if name not in fields or value is None:
            continue
        if value > now:
            errors[name] = "This time is in the future."
        elif value < track.suspected_at:
            errors[name] = "This time is before the cord compression was suspected."
    done, reported = track.mri_done_at, track.mri_reported_at
    if (
        {"mri_done_at", "mri_reported_at"} & fields
        and done is not None
        and reported is not None
        and reported < done
        and "mri_reported_at" not in errors
        and "mri_done_at" not in errors
    ):
        field = "mri_reported_at" if "mri_reported_at" in fields else "mri_done_at"
        errors[field] = "The MRI cannot be reported before it was done."
    if errors:
        raise ValidationError(errors)


def fast_track_open(
    *,
    by: User,
    case: Case,
    neurological_signs: bool,
    suspected_at: dt.datetime,
    notes: str = "",
    now: dt.datetime | None = None,
) -> FastTrack:
    """Open the fast track of an urgent or emergency case (one per case: a second is a 409).

    ``neurological_signs`` sets the clocks: 24 hours each with signs, a week each with pain
    alone (``meetings.clocks``)."""
    require_fast_track_role(by, case)
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        if case.urgency not in FAST_TRACK_URGENCIES:
            raise ValidationError(
                {"case": "A fast track is opened for an urgent or emergency case only."}
            )
        if FastTrack.objects.filter(case=case).exists():
            raise Conflict("This case has a fast track already; update it.", field="case")
        track = FastTrack(
            case=case,
            neurological_signs=neurological_signs,
            suspected_at=suspected_at,
            notes=notes.strip(),
            opened_by=by,
        )
        _check_times(track, now, {"suspected_at"})
        save_record(track, by=by)
        audit_record(
            user=by,
            action=AuditAction.CREATE,
            obj=track,
            detail="fast track: neurological signs" if neurological_signs else "fast track: pain",
        )
        return track


def fast_track_update(
    *,
    by: User,
    fast_track: FastTrack,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    **fields: Unpack[FastTrackFields],
) -> FastTrack:
    """Record the fast track's timestamps and notes (only the fields sent are written; an
    outdated ``expected_version`` is a 412). A time may be cleared (corrected) with None."""
    case = fast_track.case
    require_fast_track_role(by, case)
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(case)
        lock(fast_track)
        check_version(fast_track, expected_version)
        if "notes" in fields:
            fields["notes"] = (fields["notes"] or "").strip()
        changed = apply_fields(fast_track, fields, FAST_TRACK_EDITABLE)
        if not changed:
            return fast_track
        _check_times(fast_track, now, set(changed))
        save_record(fast_track, by=by, changed=changed)
        audit_record(user=by, action=AuditAction.UPDATE, obj=fast_track, changed_fields=changed)
        return fast_track
