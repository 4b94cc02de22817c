"""Specialty assessments: one per specialty and presentation, draft until submitted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..assessment_schemas import owned_inputs, validate_details
from ..audit import audit_record
from ..models import (
    AssessmentStatus,
    AuditAction,
    Case,
    Specialty,
    SpecialtyAssessment,
)
from ..permissions import Perm
from ..score_inputs import LESION, STATUS
from ..selectors.records import current_clinical_status
from ..selectors.scores import assessment_owned_inputs
from ..workflow import (
    ASSESSABLE_STATUSES,
    assessment_transition_for,
)
from .cases import case_scoring_inputs_update
from .common import (
    check_version,
    lock_case,
    require,
    save_record,
)
from .records import clinical_status_record, clinical_status_update, lesion_update

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
    inputs: Sequence[Mapping[str, Any]] | None = None,
) -> SpecialtyAssessment:
    """Start the ``specialty`` assessment of the case's current presentation, as a draft.

    Only a specialist of that specialty on the case's board may: re-checked here, whatever the
    caller checked before.
    """
    assessment = SpecialtyAssessment(case=case, specialty=specialty, author=by, opinion=opinion)
    require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    lock_case(case)
    _check_assessable(case)
    # Assessable statuses come after acceptance, which opened a presentation.
    assessment.presentation = case.current_presentation  # type: ignore[assignment]
    assessment.details = validate_details(specialty.code, details or {})
    save_record(assessment, by=by)
    audit_record(user=by, action=AuditAction.CREATE, obj=assessment, detail=specialty.code)
    if inputs:
        _owned_inputs_set(by, assessment, inputs)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    by: Any,
    assessment: SpecialtyAssessment,
    details: Mapping[str, Any] | None = None,
    opinion: str | None = None,
    inputs: Sequence[Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
) -> SpecialtyAssessment:
    """Edit a draft. A submitted assessment is reopened first (an explicit, audited step).

    ``details`` are merged key by key into what is stored now (after the lock), so two edits
    of different fields both survive. ``inputs`` sets score inputs the specialty owns, each
    ``{"key": "lesion.escc_grade", "lesion": <id>, "value": "2"}`` (no ``lesion`` for a case's
    or clinical status's input): written once, on their record, through the record's service.
    """
    require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    lock_case(assessment.case)
    assessment.refresh_from_db()
    check_version(assessment, expected_version)
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
    if inputs:
        _owned_inputs_set(by, assessment, inputs)
    if changed:
        save_record(assessment, by=by, changed=changed)
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
    require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    lock_case(assessment.case)
    assessment.refresh_from_db()
    check_version(assessment, expected_version)
    _check_assessable(assessment.case)
    target = assessment_transition_for(assessment.status, transition)
    if transition == "submit":
        validate_details(assessment.specialty.code, assessment.details, for_submit=True)
        if not assessment.opinion.strip():
            raise ValidationError({"opinion": "Write the specialty's opinion before submitting."})
        _require_owned_inputs_entered(assessment)
        assessment.submitted_at = timezone.now()
    previous = assessment.status
    assessment.status = target
    save_record(assessment, by=by, changed=["status", "submitted_at"])
    audit_record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=assessment,
        changed_fields=["status"],
        detail=f"{transition}: {previous} -> {target}",
    )
    return assessment


def _require_owned_inputs_entered(assessment: SpecialtyAssessment) -> None:
    """Every score input the specialty owns is entered, on every lesion of the case."""
    missing: dict[str, list[str]] = {}
    for row in assessment_owned_inputs(assessment):
        if row["entered"]:
            continue
        where = f" of lesion {row['lesion_levels']}" if row["lesion_levels"] else ""
        if row["record"] == STATUS and row["record_id"] is None:
            where = " (record a clinical status first)"
        missing.setdefault(f"inputs.{row['key']}", []).append(
            f"Enter {row['label']}{where} before submitting."
        )
    if missing:
        raise ValidationError(missing)


def _owned_inputs_set(
    by: User, assessment: SpecialtyAssessment, inputs: Sequence[Mapping[str, Any]]
) -> None:
    """Write each owned score input on its record through that record's service (which
    re-checks ownership, validates, recomputes the scores and audits)."""
    owned = {entry.key: entry for entry in owned_inputs(assessment.specialty.code)}
    case = assessment.case
    for index, item in enumerate(inputs):
        key = item.get("key") if isinstance(item, Mapping) else None
        entry = owned.get(str(key))
        if entry is None:
            allowed = ", ".join(owned) or "none"
            raise ValidationError(
                {f"inputs[{index}].key": f"Not an input of this assessment; one of: {allowed}."}
            )
        # Typed as Any: the key comes from the table, the value is validated by the service.
        fields: Any = {entry.field: item.get("value")}
        try:
            if entry.record == LESION:
                lesion_id = item.get("lesion")
                lesion = (
                    case.lesions.filter(pk=lesion_id).first()
                    if isinstance(lesion_id, int)
                    else None
                )
                if lesion is None:
                    raise ValidationError({"lesion": "Name a lesion of this case."})
                lesion_update(by=by, lesion=lesion, **fields)
            elif entry.record == STATUS:
                # A judgement made today is observed today: it goes on today's clinical status,
                # started from the latest one (carry-forward) when there is none yet today.
                status = current_clinical_status(case)
                today = timezone.localdate()
                if status is None:
                    raise ValidationError({"clinical_status": "Record a clinical status first."})
                if status.recorded_on == today:
                    clinical_status_update(by=by, status=status, **fields)
                else:
                    clinical_status_record(by=by, case=case, recorded_on=today, **fields)
            else:
                case_scoring_inputs_update(by=by, case=case, **fields)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise ValidationError(
                {
                    f"inputs.{entry.key}": [
                        f"{field}: {m}" if field not in ("", entry.field) else m
                        for field, ms in messages.items()
                        for m in ms
                    ]
                }
            ) from exc
