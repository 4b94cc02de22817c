"""Registering and correcting patients."""

from __future__ import annotations

from typing import Unpack

from django.contrib.auth.models import User
from django.db import transaction

from ..audit import audit_record
from ..models import (
    AuditAction,
    Board,
    Patient,
)
from ..permissions import Perm
from ._common import (
    _apply,
    _check_version,
    _lock,
    _require,
    _save,
)
from .fields import PatientFields, keys

# --- Patients -----------------------------------------------------------------------------

PATIENT_FIELDS = keys(PatientFields)


@transaction.atomic
def patient_register(*, by: User, board: Board, **fields: Unpack[PatientFields]) -> Patient:
    _require(by, Perm.MANAGE_CASES, board)
    _apply(patient := Patient(), fields, PATIENT_FIELDS)
    patient.institution_id = board.institution_id
    patient.registered_board = board
    _save(patient, by=by)
    audit_record(user=by, action=AuditAction.CREATE, obj=patient, changed_fields=sorted(fields))
    return patient


@transaction.atomic
def patient_update(
    *,
    by: User,
    patient: Patient,
    expected_version: int | None = None,
    **fields: Unpack[PatientFields],
) -> Patient:
    """Correct the patient's identity: only the fields given are written."""
    _require(by, Perm.MANAGE_CASES, patient)
    _lock(patient)
    _check_version(patient, expected_version)
    changed = _apply(patient, fields, PATIENT_FIELDS)
    if changed:
        _save(patient, by=by, changed=changed)
        audit_record(user=by, action=AuditAction.UPDATE, obj=patient, changed_fields=changed)
    return patient
