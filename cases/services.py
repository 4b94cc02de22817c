"""Every write of the cases app. Each service is one transaction that validates, re-checks the
permission that matters, saves with the row history attributed to ``by``, and writes the audit
record. Views, serializers, forms and the admin only parse input and call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from scoring.services import case_scores_recompute

from . import permissions
from .assessment_schemas import validate_details
from .audit import audit_record
from .models import (
    AssessmentStatus,
    AuditAction,
    Board,
    BoardUserObjectPermission,
    Case,
    CaseStatus,
    CaseStatusChange,
    ClinicalStatus,
    Membership,
    Patient,
    PriorRadiotherapy,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from .permissions import Perm
from .workflow import (
    ASSESSABLE_STATUSES,
    FINAL_STATUSES,
    assessment_transition_for,
    case_transition_for,
)

M = TypeVar("M", bound=models.Model)

NOT_ALLOWED = "You do not have permission to do this on this board."


def _require(user: Any, perm: Perm, obj: object) -> None:
    if not permissions.has_perm(user, perm, obj):
        raise PermissionDenied(NOT_ALLOWED)


def _require_open(case: Case) -> None:
    """Clinical data of a closed, declined or withdrawn case is no longer changed."""
    if case.status in FINAL_STATUSES:
        raise ValidationError({"case": f"The case is {case.status}; re-present it first."})


def _require_owned_fields(user: Any, obj: object, fields: Mapping[str, Any]) -> None:
    """A specialist's judgement is set only by that specialty (cases.permissions.FIELD_OWNERS).

    Only fields whose value changes count, so a client may send back what it read.
    """
    changing = [name for name, value in fields.items() if getattr(obj, name, None) != value]
    denied = permissions.fields_not_owned(user, obj, changing)
    if denied:
        owners = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in denied.items())
        raise PermissionDenied(f"Only these specialties may set these components: {owners}.")


def _save(obj: M, *, by: Any, exclude: list[str] | None = None) -> M:
    """Validate fully, then save with the history row attributed to ``by``."""
    obj.full_clean(exclude=exclude)
    obj._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    try:
        obj.save()
    except IntegrityError as exc:  # a race past full_clean's uniqueness check
        raise ValidationError({"non_field_errors": "This record conflicts with another."}) from exc
    return obj


def _lock(obj: M) -> M:
    """Lock the row for this transaction and reload ``obj`` (the caller's instance) from it."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()
    obj.refresh_from_db()
    return obj


def _apply(obj: M, fields: Mapping[str, Any], editable: set[str]) -> list[str]:
    """Set ``fields`` on ``obj`` and return the names that really changed."""
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


# --- Memberships and the guardian permissions derived from them --------------------------


def _sync_board_permissions(board: Board, user: AbstractBaseUser) -> None:
    """Make the user's guardian permissions on ``board`` exactly those of their roles.

    Set-based on guardian's direct foreign-key table (a handful of queries, not a few per
    permission as ``assign_perm``/``remove_perm`` would take).
    """
    wanted: set[str] = set()
    for role in Membership.objects.filter(board=board, user=user).values_list("role", flat=True):
        wanted |= {str(perm) for perm in permissions.ROLE_PERMISSIONS[role]}
    held = BoardUserObjectPermission.objects.filter(user=user, content_object=board)
    have = set(held.values_list("permission__codename", flat=True))
    if wanted - have:
        by_codename = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(Board), codename__in=wanted - have
            )
        }
        BoardUserObjectPermission.objects.bulk_create(
            BoardUserObjectPermission(user=user, content_object=board, permission=by_codename[c])
            for c in sorted(wanted - have)
        )
    if have - wanted:
        held.filter(permission__codename__in=have - wanted).delete()
    permissions.invalidate(user)


@transaction.atomic
def membership_grant(
    *,
    by: Any,
    board: Board,
    user: AbstractBaseUser,
    role: str,
    specialty: Specialty | None = None,
) -> Membership:
    """Give ``user`` a role on ``board`` (idempotent). Staff only, through the admin or seeding."""
    existing = Membership.objects.filter(
        board=board, user=user, role=role, specialty=specialty
    ).first()
    if existing is not None:
        return existing
    membership = _save(Membership(board=board, user=user, role=role, specialty=specialty), by=by)
    _sync_board_permissions(board, user)
    audit_record(user=by, action=AuditAction.PERMISSION, obj=membership, detail=f"grant {role}")
    return membership


@transaction.atomic
def membership_revoke(*, by: Any, membership: Membership) -> None:
    board, user, role = membership.board, membership.user, membership.role
    audit_record(user=by, action=AuditAction.PERMISSION, obj=membership, detail=f"revoke {role}")
    membership._history_user = by  # type: ignore[attr-defined]
    membership.delete()
    _sync_board_permissions(board, user)


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
        from .tasks import request_assessments

        request_assessments.delay_on_commit(case.pk, case.presentation_round)
    return case


# --- Clinical data: statuses, lesions, prior radiotherapy ---------------------------------

CLINICAL_STATUS_FIELDS = {
    f.name
    for f in ClinicalStatus._meta.concrete_fields
    if f.editable and f.name not in {"id", "case", "recorded_by", "created_at", "updated_at"}
}
LESION_FIELDS = {
    f.name
    for f in SpinalLesion._meta.concrete_fields
    if f.editable and f.name not in {"id", "case", "recorded_by", "created_at", "updated_at"}
}
PRIOR_RT_FIELDS = {
    f.name
    for f in PriorRadiotherapy._meta.concrete_fields
    if f.editable and f.name not in {"id", "case", "recorded_by", "created_at"}
}


# Records whose changes change the case's scores (prior radiotherapy feeds no score).
SCORE_INPUTS = (ClinicalStatus, SpinalLesion)


def _clinical_create(
    by: Any, case: Case, obj: M, fields: Mapping[str, Any], allowed: set[str]
) -> M:
    _require(by, Perm.EDIT_CLINICAL_DATA, case)
    _require_open(case)
    _require_owned_fields(by, obj, fields)
    _apply(obj, fields, allowed)
    _save(obj, by=by)
    if isinstance(obj, SCORE_INPUTS):
        case_scores_recompute(case=case)
    audit_record(user=by, action=AuditAction.CREATE, obj=obj, changed_fields=sorted(fields))
    return obj


def _clinical_update(by: Any, obj: M, fields: Mapping[str, Any], allowed: set[str]) -> M:
    case: Case = obj.case  # type: ignore[attr-defined]
    _require(by, Perm.EDIT_CLINICAL_DATA, case)
    _require_open(case)
    _require_owned_fields(by, obj, fields)
    changed = _apply(obj, fields, allowed)
    if changed:
        _save(obj, by=by)
        if isinstance(obj, SCORE_INPUTS):
            case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=obj, changed_fields=changed)
    return obj


@transaction.atomic
def clinical_status_record(*, by: Any, case: Case, **fields: Any) -> ClinicalStatus:
    obj = ClinicalStatus(case=case, recorded_by=by)
    return _clinical_create(by, case, obj, fields, CLINICAL_STATUS_FIELDS)


@transaction.atomic
def clinical_status_update(*, by: Any, status: ClinicalStatus, **fields: Any) -> ClinicalStatus:
    return _clinical_update(by, status, fields, CLINICAL_STATUS_FIELDS)


@transaction.atomic
def lesion_add(*, by: Any, case: Case, **fields: Any) -> SpinalLesion:
    return _clinical_create(
        by, case, SpinalLesion(case=case, recorded_by=by), fields, LESION_FIELDS
    )


@transaction.atomic
def lesion_update(*, by: Any, lesion: SpinalLesion, **fields: Any) -> SpinalLesion:
    return _clinical_update(by, lesion, fields, LESION_FIELDS)


@transaction.atomic
def prior_radiotherapy_add(*, by: Any, case: Case, **fields: Any) -> PriorRadiotherapy:
    obj = PriorRadiotherapy(case=case, recorded_by=by)
    return _clinical_create(by, case, obj, fields, PRIOR_RT_FIELDS)


@transaction.atomic
def prior_radiotherapy_update(
    *, by: Any, course: PriorRadiotherapy, **fields: Any
) -> PriorRadiotherapy:
    return _clinical_update(by, course, fields, PRIOR_RT_FIELDS)


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
    """Start the ``specialty`` assessment of the case's current round, as a draft.

    Only a specialist of that specialty on the case's board may: re-checked here, whatever the
    caller checked before.
    """
    assessment = SpecialtyAssessment(
        case=case,
        specialty=specialty,
        presentation_round=case.presentation_round,
        author=by,
        opinion=opinion,
    )
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _check_assessable(case)
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
) -> SpecialtyAssessment:
    """Edit a draft. A submitted assessment is reopened first (an explicit, audited step)."""
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _lock(assessment)
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
        _save(assessment, by=by)
        audit_record(user=by, action=AuditAction.UPDATE, obj=assessment, changed_fields=changed)
    return assessment


@transaction.atomic
def assessment_change_status(
    *, by: Any, assessment: SpecialtyAssessment, transition: str
) -> SpecialtyAssessment:
    """``submit`` (complete fields and an opinion required) or ``reopen`` an assessment."""
    _require(by, Perm.AUTHOR_ASSESSMENT, assessment)
    _lock(assessment)
    _check_assessable(assessment.case)
    target = assessment_transition_for(assessment.status, transition)
    if transition == "submit":
        validate_details(assessment.specialty.code, assessment.details, for_submit=True)
        if not assessment.opinion.strip():
            raise ValidationError({"opinion": "Write the specialty's opinion before submitting."})
        assessment.submitted_at = timezone.now()
    previous = assessment.status
    assessment.status = target
    _save(assessment, by=by)
    audit_record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=assessment,
        changed_fields=["status"],
        detail=f"{transition}: {previous} -> {target}",
    )
    return assessment
