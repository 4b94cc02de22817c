"""Specialty assessments: one per specialty and presentation, draft until submitted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..assessment_schemas import validate_details
from ..audit import audit_record
from ..models import (
    AssessmentStatus,
    AuditAction,
    Case,
    Specialty,
    SpecialtyAssessment,
)
from ..permissions import Perm
from ..workflow import (
    ASSESSABLE_STATUSES,
    assessment_transition_for,
)
from ._common import (
    _check_version,
    _lock_case,
    _require,
    _save,
)

# --- Specialty assessments -------------------------------------------------------------------


def _check_assessable(case: Case) -> None:
    if case.status not in ASSESSABLE_STATUSES:
        raise ValidationError(
            {
                "case": f"Assessments are written while a case is in work-up or ready, not "
                f"'{case.status}'."
            }
        )


@transaction.atomic
def assessment_create(
    *,
    by: Any,
    case: Case,
    specialty: Specialty,
    details: Mapping[str, Any] | None = None,
    opinion: str = "",
) -> SpecialtyAssessment:
    """Start the ``specialty`` assessment of the case's current presentation, as a draft.

    Only a specialist of that specialty on the case's board may: re-checked here, whatever the
    caller checked before.
    """
    assessment = SpecialtyAssessment(case=case, specialty=specialty, author=by, opinion=opinion)
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _lock_case(case)
    _check_assessable(case)
    # Assessable statuses come after acceptance, which opened a presentation.
    assessment.presentation = case.current_presentation  # type: ignore[assignment]
    assessment.details = validate_details(specialty.code, details or {})
    _save(assessment, by=by)
    audit_record(user=by, action=AuditAction.CREATE, obj=assessment, detail=specialty.code)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    by: Any,
    assessment: SpecialtyAssessment,
    details: Mapping[str, Any] | None = None,
    opinion: str | None = None,
    expected_version: int | None = None,
) -> SpecialtyAssessment:
    """Edit a draft. A submitted assessment is reopened first (an explicit, audited step).

    ``details`` are merged key by key into what is stored now (after the lock), so two edits
    of different fields both survive.
    """
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _lock_case(assessment.case)
    assessment.refresh_from_db()
    _check_version(assessment, expected_version)
    _check_assessable(assessment.case)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError({"status": "A submitted assessment is reopened before editing."})
    changed = []
    if details is not None:
        merged = {**assessment.details, **details}
        cleaned = validate_details(assessment.specialty.code, merged)
        if cleaned != assessment.details:
            assessment.details = cleaned
            changed.append("details")
    if opinion is not None and opinion != assessment.opinion:
        assessment.opinion = opinion
        changed.append("opinion")
    if changed:
        _save(assessment, by=by, changed=changed)
        audit_record(user=by, action=AuditAction.UPDATE, obj=assessment, changed_fields=changed)
    return assessment


@transaction.atomic
def assessment_change_status(
    *,
    by: User,
    assessment: SpecialtyAssessment,
    transition: str,
    expected_version: int | None = None,
) -> SpecialtyAssessment:
    """``submit`` (complete fields and an opinion required) or ``reopen`` an assessment."""
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _lock_case(assessment.case)
    assessment.refresh_from_db()
    _check_version(assessment, expected_version)
    _check_assessable(assessment.case)
    target = assessment_transition_for(assessment.status, transition)
    if transition == "submit":
        validate_details(assessment.specialty.code, assessment.details, for_submit=True)
        if not assessment.opinion.strip():
            raise ValidationError({"opinion": "Write the specialty's opinion before submitting."})
        assessment.submitted_at = timezone.now()
    previous = assessment.status
    assessment.status = target
    _save(assessment, by=by, changed=["status", "submitted_at"])
    audit_record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=assessment,
        changed_fields=["status"],
        detail=f"{transition}: {previous} -> {target}",
    )
    return assessment
