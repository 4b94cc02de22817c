"""Registering and correcting patients."""

from __future__ import annotations

from typing import Any

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
    _require,
    _save,
)

# --- Patients -----------------------------------------------------------------------------

PATIENT_FIELDS = {"mrn", "family_name", "given_name", "date_of_birth", "sex"}


@transaction.atomic
def patient_register(*, by: Any, board: Board, **fields: Any) -> Patient:
    _require(by, Perm.MANAGE_CASES, board)
    _apply(patient := Patient(), fields, PATIENT_FIELDS)
    patient.institution_id = board.institution_id
    patient.registered_board = board
    _save(patient, by=by)
    audit_record(user=by, action=AuditAction.CREATE, obj=patient, changed_fields=sorted(fields))
    return patient


@transaction.atomic
def patient_update(*, by: Any, patient: Patient, **fields: Any) -> Patient:
    _require(by, Perm.MANAGE_CASES, patient)
    changed = _apply(patient, fields, PATIENT_FIELDS)
    if changed:
        _save(patient, by=by)
        audit_record(user=by, action=AuditAction.UPDATE, obj=patient, changed_fields=changed)
    return patient
