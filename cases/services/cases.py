"""Referrals: refer, edit, the case-level scoring judgements, and the status workflow."""

from __future__ import annotations

from typing import Unpack

from django.contrib.auth.models import User
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
from ..workflow import FINAL_STATUSES, case_transition_for, case_transition_named
from .common import (
    apply_fields,
    check_version,
    lock_case,
    require,
    require_open,
    require_owned_fields,
    save_record,
)
from .fields import CaseFields, CaseScoringInputs, keys
from .presentations import presentation_open
from .scores import case_scores_recompute

# --- Cases ----------------------------------------------------------------------------------

CASE_FIELDS = keys(CaseFields)


@transaction.atomic
def case_refer(*, by: User, patient: Patient, board: Board, **fields: Unpack[CaseFields]) -> Case:
    """Refer ``patient`` to ``board``. The patient must already be visible to ``by``."""
    require(by, Perm.MANAGE_CASES, board)
    if not permissions.has_perm(by, Perm.VIEW, patient):
        raise ValidationError({"patient": "Unknown patient."})
    case = Case(patient=patient, board=board, created_by=by)
    apply_fields(case, fields, CASE_FIELDS)
    save_record(case, by=by)
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
def case_update(
    *, by: User, case: Case, expected_version: int | None = None, **fields: Unpack[CaseFields]
) -> Case:
    """Edit the referral: only the fields given are written."""
    require(by, Perm.MANAGE_CASES, case)
    lock_case(case)
    check_version(case, expected_version)
    if case.status in FINAL_STATUSES:
        raise ValidationError(
            {"status": f"A {case.status} case cannot be edited; re-present it first."}
        )
    changed = apply_fields(case, fields, CASE_FIELDS)
    if changed:
        save_record(case, by=by, changed=changed)
        case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=case, changed_fields=changed)
    return case


CASE_SCORING_FIELDS = keys(CaseScoringInputs)


@transaction.atomic
def case_scoring_inputs_update(
    *,
    by: User,
    case: Case,
    expected_version: int | None = None,
    **fields: Unpack[CaseScoringInputs],
) -> Case:
    """Set the case-level scoring judgements; each only by its owning specialty."""
    require(by, Perm.EDIT_CLINICAL_DATA, case)
    lock_case(case)
    check_version(case, expected_version)
    require_open(case)
    require_owned_fields(by, case, fields)
    changed = apply_fields(case, fields, CASE_SCORING_FIELDS)
    if changed:
        save_record(case, by=by, changed=changed)
        case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=case, changed_fields=changed)
    return case


@transaction.atomic
def case_transition(
    *,
    by: User,
    case: Case,
    transition: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """A user's request to move the case along a named transition of ``cases.workflow``.

    Each transition declares the permission it needs on the case's board; a transition that
    only another service makes (``permission`` None) is refused here, whoever asks.
    """
    step = case_transition_named(transition)
    if step.permission is None:
        raise ValidationError(
            {"transition": f"'{step.name}' is not made by hand: {step.system_note}"}
        )
    require(by, step.permission, case)
    return case_move(
        by=by, case=case, transition=transition, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def case_move(
    *,
    by: User | None,
    case: Case,
    transition: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Move the case along a named transition, without a permission check: for other services
    (a signed decision marks the case discussed; follow-up re-presents a failed plan), which
    have checked their own rule. ``by`` is the user on whose action it happens, or None for a
    job. Never call it from a view.

    The case row is locked first, so two moves of the same case are serialised and the second
    sees the first's status. Accepting and re-presenting open a presentation, to which new
    assessments belong, and ask the board's specialists for their assessment (outbox rows in
    this transaction, delivered after commit).
    """
    lock_case(case)
    check_version(case, expected_version)
    step = case_transition_for(case.status, transition, reason)
    previous = case.status
    changed = ["status", "status_changed_at"]
    if step.opens_presentation:
        case.current_presentation = presentation_open(case=case, by=by, reason=reason)
        changed.append("current_presentation")
    case.status = step.target
    case.status_changed_at = timezone.now()
    save_record(case, by=by, changed=changed)
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
    return case
