"""The clinical record of a case: statuses, lesions, prior radiotherapy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from ..audit import audit_record
from ..models import (
    AuditAction,
    Case,
    ClinicalStatus,
    PriorRadiotherapy,
    SpinalLesion,
)
from ..permissions import Perm
from ._common import (
    M,
    _apply,
    _require,
    _require_open,
    _require_owned_fields,
    _save,
)
from .scores import case_scores_recompute

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
