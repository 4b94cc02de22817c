"""The clinical record of a case: statuses, lesions, prior radiotherapy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from scoring.domain.consistency import StatusFacts, contradictions
from scoring.domain.vocabulary import AmbulatoryStatus, EcogGrade, FrankelGrade, LabelledEnum

from ..audit import audit_record
from ..models import (
    AuditAction,
    Case,
    ClinicalStatus,
    PriorRadiotherapy,
    SpinalLesion,
)
from ..models.base import Versioned
from ..permissions import Perm
from .common import (
    M,
    apply_fields,
    check_version,
    lock_case,
    require,
    require_open,
    require_owned_fields,
    save_record,
)
from .fields import ClinicalStatusFields, LesionFields, PriorRadiotherapyFields, keys
from .scores import case_scores_recompute

V = TypeVar("V", bound=Versioned)

# --- Clinical data: statuses, lesions, prior radiotherapy ---------------------------------

CLINICAL_STATUS_FIELDS = keys(ClinicalStatusFields)
LESION_FIELDS = keys(LesionFields)
PRIOR_RT_FIELDS = keys(PriorRadiotherapyFields)


# Records whose changes change the case's scores (prior radiotherapy feeds no score).
SCORE_INPUTS = (ClinicalStatus, SpinalLesion)

E = TypeVar("E", bound=LabelledEnum)


def _option(kind: type[E], value: object) -> E | None:
    """The option entered, or None (empty, or not an option: the field's validation says so)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _refuse_contradictions(obj: object, writing: Iterable[str]) -> None:
    """Refuse a clinical status whose values contradict each other
    (``scoring.domain.consistency``: KPS vs ECOG, Frankel grade vs walking), naming the fields
    being written. Only a contradiction that involves a value being written counts, so a record
    entered before a rule existed stays editable in its other fields.
    """
    if not isinstance(obj, ClinicalStatus):
        return
    facts = StatusFacts(
        karnofsky=obj.karnofsky if isinstance(obj.karnofsky, int) else None,
        ecog=_option(EcogGrade, obj.ecog),
        frankel_grade=_option(FrankelGrade, obj.frankel_grade),
        ambulatory_status=_option(AmbulatoryStatus, obj.ambulatory_status),
    )
    written = set(writing)
    errors: dict[str, list[str]] = {}
    for contradiction in contradictions(facts):
        for name in contradiction.fields:
            if name in written:
                errors.setdefault(name, []).append(contradiction.message)
    if errors:
        raise ValidationError(errors)


def _clinical_create(
    by: User, case: Case, obj: M, fields: Mapping[str, Any], allowed: frozenset[str]
) -> M:
    require(by, Perm.EDIT_CLINICAL_DATA, case)
    lock_case(case)
    require_open(case)
    require_owned_fields(by, obj, fields)
    apply_fields(obj, fields, allowed)
    carried = _carry_forward(obj, case, fields) if isinstance(obj, ClinicalStatus) else []
    _refuse_contradictions(obj, fields)
    save_record(obj, by=by)
    if isinstance(obj, SCORE_INPUTS):
        case_scores_recompute(case=case)
    audit_record(
        user=by,
        action=AuditAction.CREATE,
        obj=obj,
        changed_fields=sorted(fields),
        detail=f"carried forward: {', '.join(carried)}" if carried else "",
    )
    return obj


# Carried from one clinical status to the next when not given; the free-text notes of a
# snapshot are about that snapshot only.
CARRIED_FIELDS = CLINICAL_STATUS_FIELDS - {"recorded_on", "notes"}


def _carry_forward(status: ClinicalStatus, case: Case, given: Mapping[str, Any]) -> list[str]:
    """Start a new status from the latest one recorded on or before its date: every value not
    given is carried forward with the date it was actually observed (``observed_on``), never
    re-dated to today and never dropped. A value given as empty means "not known now" and is
    not carried. Returns the names carried, sorted.
    """
    if not status.recorded_on:
        return []  # full_clean names the missing date
    previous = (
        case.clinical_statuses.filter(recorded_on__lte=status.recorded_on)
        .order_by("-recorded_on", "-id")
        .first()
    )
    if previous is None:
        return []
    carried: dict[str, str] = {}
    for name in sorted(CARRIED_FIELDS - set(given)):
        value = getattr(previous, name)
        if value is None or value == "":
            continue
        setattr(status, name, value)
        carried[name] = previous.observed_date(name).isoformat()
    status.observed_on = carried
    return list(carried)


def _clinical_update(
    by: User,
    obj: V,
    fields: Mapping[str, Any],
    allowed: frozenset[str],
    expected_version: int | None,
) -> V:
    case: Case = obj.case  # type: ignore[attr-defined]
    require(by, Perm.EDIT_CLINICAL_DATA, case)
    lock_case(case)
    obj.refresh_from_db()  # what is committed now, not what the caller read before the lock
    check_version(obj, expected_version)
    require_open(case)
    require_owned_fields(by, obj, fields)
    changed = apply_fields(obj, fields, allowed)
    if changed:
        _refuse_contradictions(obj, changed)
        if isinstance(obj, ClinicalStatus) and set(changed) & set(obj.observed_on):
            # Entered in this status now: observed on its date, no longer carried.
            obj.observed_on = {k: v for k, v in obj.observed_on.items() if k not in changed}
            changed.append("observed_on")
        save_record(obj, by=by, changed=changed)
        if isinstance(obj, SCORE_INPUTS):
            case_scores_recompute(case=case)
        audit_record(user=by, action=AuditAction.UPDATE, obj=obj, changed_fields=changed)
    return obj


@transaction.atomic
def clinical_status_record(
    *, by: User, case: Case, **fields: Unpack[ClinicalStatusFields]
) -> ClinicalStatus:
    obj = ClinicalStatus(case=case, recorded_by=by)
    return _clinical_create(by, case, obj, fields, CLINICAL_STATUS_FIELDS)


@transaction.atomic
def clinical_status_update(
    *,
    by: User,
    status: ClinicalStatus,
    expected_version: int | None = None,
    **fields: Unpack[ClinicalStatusFields],
) -> ClinicalStatus:
    return _clinical_update(by, status, fields, CLINICAL_STATUS_FIELDS, expected_version)


@transaction.atomic
def lesion_add(*, by: User, case: Case, **fields: Unpack[LesionFields]) -> SpinalLesion:
    return _clinical_create(
        by, case, SpinalLesion(case=case, recorded_by=by), fields, LESION_FIELDS
    )


@transaction.atomic
def lesion_update(
    *,
    by: User,
    lesion: SpinalLesion,
    expected_version: int | None = None,
    **fields: Unpack[LesionFields],
) -> SpinalLesion:
    return _clinical_update(by, lesion, fields, LESION_FIELDS, expected_version)


@transaction.atomic
def prior_radiotherapy_add(
    *, by: User, case: Case, **fields: Unpack[PriorRadiotherapyFields]
) -> PriorRadiotherapy:
    obj = PriorRadiotherapy(case=case, recorded_by=by)
    return _clinical_create(by, case, obj, fields, PRIOR_RT_FIELDS)


@transaction.atomic
def prior_radiotherapy_update(
    *,
    by: User,
    course: PriorRadiotherapy,
    expected_version: int | None = None,
    **fields: Unpack[PriorRadiotherapyFields],
) -> PriorRadiotherapy:
    return _clinical_update(by, course, fields, PRIOR_RT_FIELDS, expected_version)
