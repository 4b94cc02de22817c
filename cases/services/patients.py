"""Registering and correcting patients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from ..audit import audit_patient_event, audit_record
from ..exceptions import Conflict
from ..models import (
    AuditAction,
    Board,
    Patient,
    PatientBoardLink,
)
from ..permissions import Perm
from .common import (
    apply_fields,
    check_version,
    lock,
    require,
    save_record,
)
from .fields import PatientFields, keys

# --- Patients -----------------------------------------------------------------------------

PATIENT_FIELDS = keys(PatientFields)


# Says nothing of the other record: not its name, date of birth, board or id.
IDENTITY_CONFLICT = (
    "A patient with this MRN is registered at this institution with other details; check the "
    "MRN, date of birth and family name."
)
ALREADY_HERE = (
    "A patient with this MRN is already registered and is one of this board's patients: look "
    "it up by MRN."
)


class RegistrationConflict(Conflict):
    """The MRN is held at the institution for a patient with other details (HTTP 409).

    ``patient_id`` (the existing patient) is for the audit log only, never for the caller.
    """

    def __init__(self, *, patient_id: int) -> None:
        self.patient_id = patient_id
        super().__init__(IDENTITY_CONFLICT, field="mrn")


def patient_register(*, by: User, board: Board, **fields: Unpack[PatientFields]) -> Patient:
    """Register a patient at ``board`` (or link the institution's record of the same patient);
    see ``patient_register_or_link``."""
    return patient_register_or_link(by=by, board=board, **fields)[0]


def patient_register_or_link(
    *, by: User, board: Board, **fields: Unpack[PatientFields]
) -> tuple[Patient, bool]:
    """Register a patient at ``board``; returns the patient and whether it was created.

    MRNs are unique per institution, and a patient may be referred to several of its boards:

    * an MRN new to the institution: a new patient, registered by ``board`` (created);
    * an MRN the institution holds for a patient not yet the board's, with the same date of
      birth and family name (case-insensitive, trimmed): that patient is linked to ``board``
      (``PatientBoardLink``, audited ``link``) and returned (not created);
    * an MRN of one of the board's own patients: a 400 on ``mrn`` (look it up instead);
    * an MRN held with other details: ``RegistrationConflict`` (409), whose message reveals
      nothing of the other record; audited ``conflict`` with the existing patient's id.

    A collision with a simultaneous registration of the same MRN is a ``Conflict`` too, and
    audited the same way. The registration is one transaction; a refused one is audited in a
    transaction of its own once it has rolled back, so that the audit row survives.
    """
    try:
        return _register_or_link(by, board, fields)
    except Conflict as exc:
        _audit_conflict(by, board, fields, exc)
        raise


@transaction.atomic
def _register_or_link(by: User, board: Board, fields: Mapping[str, Any]) -> tuple[Patient, bool]:
    require(by, Perm.MANAGE_CASES, board)
    mrn = fields.get("mrn")
    # Locked: a simultaneous link of the same patient to the same board waits here.
    existing = (
        Patient.objects.select_for_update()
        .filter(institution_id=board.institution_id, mrn=mrn)
        .first()
        if mrn
        else None
    )
    if existing is None:
        apply_fields(patient := Patient(), fields, PATIENT_FIELDS)
        patient.institution_id = board.institution_id
        patient.registered_board = board
        save_record(patient, by=by)
        audit_record(user=by, action=AuditAction.CREATE, obj=patient, changed_fields=sorted(fields))
        return patient, True
    if _is_the_boards(existing, board):
        raise ValidationError({"mrn": ALREADY_HERE})
    if not _same_person(existing, fields):
        raise RegistrationConflict(patient_id=existing.pk)
    link = save_record(PatientBoardLink(patient=existing, board=board, linked_by=by), by=by)
    audit_record(
        user=by,
        action=AuditAction.LINK,
        obj=link,
        detail="registered at another board: MRN, date of birth and family name matched",
    )
    return existing, False


def _is_the_boards(patient: Patient, board: Board) -> bool:
    """Whether the patient is already one of ``board``'s: registered, linked or referred."""
    return (
        patient.registered_board_id == board.pk
        or patient.board_links.filter(board=board).exists()
        or patient.cases.filter(board=board).exists()
    )


def _normalised(name: object) -> str:
    return str(name or "").strip().casefold()


def _same_person(patient: Patient, fields: Mapping[str, Any]) -> bool:
    return patient.date_of_birth == fields.get("date_of_birth") and _normalised(
        patient.family_name
    ) == _normalised(fields.get("family_name"))


def _audit_conflict(by: User, board: Board, fields: Mapping[str, Any], exc: Conflict) -> None:
    """The refused registration, in the audit log: who tried, at which board, which patient's
    MRN it collided with (looked up again after a race, when the winner has committed)."""
    patient_id = getattr(exc, "patient_id", None)
    if patient_id is None:
        patient_id = (
            Patient.objects.filter(institution_id=board.institution_id, mrn=fields.get("mrn"))
            .values_list("pk", flat=True)
            .first()
        )
    reason = (
        "MRN held with another date of birth or family name"
        if isinstance(exc, RegistrationConflict)
        else "collided with a simultaneous change"
    )
    with transaction.atomic():
        audit_patient_event(
            user=by,
            action=AuditAction.CONFLICT,
            patient_id=patient_id,
            board_id=board.pk,
            detail=f"registration refused: {reason}",
        )


@transaction.atomic
def patient_update(
    *,
    by: User,
    patient: Patient,
    expected_version: int | None = None,
    **fields: Unpack[PatientFields],
) -> Patient:
    """Correct the patient's identity: only the fields given are written."""
    require(by, Perm.MANAGE_CASES, patient)
    lock(patient)
    check_version(patient, expected_version)
    changed = apply_fields(patient, fields, PATIENT_FIELDS)
    if changed:
        save_record(patient, by=by, changed=changed)
        audit_record(user=by, action=AuditAction.UPDATE, obj=patient, changed_fields=changed)
    return patient
