"""Referrals: refer, edit, the case-level scoring judgements, and the status workflow."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import permissions
from ..audit import audit_record
from ..models import (
    AuditAction,
    Board,
    Case,
    CaseStatus,
    CaseStatusChange,
    Patient,
)
from ..permissions import Perm
from ..workflow import (
    FINAL_STATUSES,
    case_transition_for,
)
from ._common import (
    _apply,
    _lock,
    _require,
    _require_open,
    _require_owned_fields,
    _save,
)
from .scores import case_scores_recompute

# --- Cases ----------------------------------------------------------------------------------

CASE_FIELDS = {
    "referring_physician",
    "referring_physician_contact",
    "referred_on",
    "urgency",
    "clinical_question",
    "primary_tumor",
    "primary_tumor_detail",
    "primary_diagnosed_on",
    "current_cancer_treatment",
    "comorbidities",
    "expected_survival",
    "family_support",
    "family_support_notes",
    "financial_limitations",
    "patient_goals",
}


@transaction.atomic
def case_refer(*, by: Any, patient: Patient, board: Board, **fields: Any) -> Case:
    """Refer ``patient`` to ``board``. The patient must already be visible to ``by``."""
    _require(by, Perm.MANAGE_CASES, board)
    if not permissions.has_perm(by, Perm.VIEW, patient):
        raise ValidationError({"patient": "Unknown patient."})
    case = Case(patient=patient, board=board, created_by=by)
    _apply(case, fields, CASE_FIELDS)
    _save(case, by=by)
    case_scores_recompute(case=case)
    CaseStatusChange.objects.create(
        case=case,
        transition="refer",
        from_status=CaseStatus.REFERRED,
        to_status=CaseStatus.REFERRED,
        changed_by=by,
    )
    audit_record(user=by, action=AuditAction.CREATE, obj=case, changed_fields=sorted(fields))
    return case


@transaction.atomic
def case_update(*, by: Any, case: Case, **fields: Any) -> Case:
    _require(by, Perm.MANAGE_CASES, case)
    _lock(case)
    if case.status in FINAL_STATUSES:
        raise ValidationError(
            {"status": f"A {case.status} case cannot be edited; re-present it first."}
        )
    changed = _apply(case, fields, CASE_FIELDS)
    if changed:
        _save(case, by=by)
        case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=case, changed_fields=changed)
    return case


CASE_SCORING_FIELDS = {
    "tumor_growth",
    "radiosensitivity",
    "able_to_tolerate_surgery",
    "able_to_tolerate_percutaneous",
    "able_to_tolerate_local_treatment",
}


@transaction.atomic
def case_scoring_inputs_update(*, by: Any, case: Case, **fields: Any) -> Case:
    """Set the case-level scoring judgements; each only by its owning specialty."""
    _require(by, Perm.EDIT_CLINICAL_DATA, case)
    _lock(case)
    _require_open(case)
    _require_owned_fields(by, case, fields)
    changed = _apply(case, fields, CASE_SCORING_FIELDS)
    if changed:
        _save(case, by=by)
        case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=case, changed_fields=changed)
    return case


@transaction.atomic
def case_transition(*, by: Any, case: Case, transition: str, reason: str = "") -> Case:
    """Move the case along a named transition of ``cases.workflow``.

    The row is locked first so two coordinators cannot both move the same case. Accepting and
    re-presenting start a presentation round, to which new assessments belong; the board's
    specialists are then asked for their assessment (e-mail, sent after commit).
    """
    _require(by, Perm.MANAGE_CASES, case)
    _lock(case)
    step = case_transition_for(case.status, transition, reason)
    previous = case.status
    case.status = step.target
    case.status_changed_at = timezone.now()
    if step.name == "re_present":
        case.presentation_round += 1
    _save(case, by=by)
    CaseStatusChange.objects.create(
        case=case,
        transition=step.name,
        from_status=previous,
        to_status=step.target,
        reason=reason.strip(),
        changed_by=by,
    )
    audit_record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=case,
        changed_fields=["status"],
        detail=f"{step.name}: {previous} -> {step.target}",
    )
    if step.target == CaseStatus.IN_WORKUP and step.name in ("accept", "re_present"):
        from ..tasks import request_assessments

        request_assessments.delay_on_commit(case.pk, case.presentation_round)  # type: ignore[attr-defined]
    return case
