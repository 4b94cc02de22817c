"""Reads of stored scores, scoped to the user's boards like every clinical read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from scoring.domain import suggest_radiosensitivity, suggest_tomita_growth
from scoring.domain.vocabulary import PrimaryTumor

from ..assessment_schemas import owned_inputs
from ..models import Case, ScoreRecord, SpecialtyAssessment, SpinalLesion
from ..permissions import Perm, board_ids
from ..score_inputs import BY_KEY, LESION, STATUS, feeding
from .records import current_clinical_status


def score_records_for_user(user: Any) -> QuerySet[ScoreRecord]:
    return ScoreRecord.objects.filter(case__board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "lesion", "case__patient", "case__board"
    )


def current_scores(case: Case) -> list[ScoreRecord]:
    """The case's current scores: patient-level first, then lesion by lesion."""
    records = list(ScoreRecord.objects.filter(case=case, is_current=True).select_related("lesion"))
    for record in records:
        record.case = case  # the caller's case (and its board): no query per record
    return sorted(
        records,
        key=lambda r: (r.lesion_id is not None, r.lesion_id or 0, r.calculator),
    )


def _owner(key: str) -> str:
    (owner,) = BY_KEY[key].owners  # one owning specialty for these two (the table says which)
    return owner


def suggestions(case: Case) -> dict[str, dict[str, str | None]]:
    """Histology-based suggestions for inputs a specialist must confirm (never applied)."""
    primary = PrimaryTumor(case.primary_tumor)
    growth = suggest_tomita_growth(primary)
    sensitivity = suggest_radiosensitivity(primary)
    return {
        "tumor_growth": {
            "suggested": growth.value if growth else None,
            "confirmed": case.tumor_growth or None,
            "owner": _owner("case.tumor_growth"),
        },
        "radiosensitivity": {
            "suggested": sensitivity.value if sensitivity else None,
            "confirmed": case.radiosensitivity or None,
            "owner": _owner("case.radiosensitivity"),
        },
    }


@dataclass(frozen=True)
class CaseScores:
    """What the API and the case page show of a case's scores."""

    current: list[ScoreRecord]
    chase: list[dict[str, Any]]
    suggestions: dict[str, dict[str, str | None]]

    @property
    def patient_level(self) -> list[ScoreRecord]:
        return [r for r in self.current if r.lesion_id is None]

    @property
    def per_lesion(self) -> list[ScoreRecord]:
        return [r for r in self.current if r.lesion_id is not None]


def case_scores(case: Case) -> CaseScores:
    """The case's current scores, the missing inputs to chase, and the histology suggestions."""
    current = current_scores(case)
    return CaseScores(current, chase_list(current), suggestions(case))


# --- What to chase: where each missing input is entered, and who owns it -------------------


def chase_list(records: Iterable[ScoreRecord]) -> list[dict[str, Any]]:
    """Every missing input of the given scores once (per lesion for a lesion's inputs), with a
    machine key, a human label, the record where it is entered and the owning specialties,
    from the one table of score inputs (``cases.score_inputs``), so a page links straight to
    the input.
    """
    seen: dict[tuple[str, int | None], dict[str, Any]] = {}
    for record in records:
        label = record.calculator + (f" ({record.lesion.level_label})" if record.lesion else "")
        for component in record.result.get("missing", []):
            for entry, use in feeding(record.calculator, component):
                if use.param in record.inputs:
                    continue  # given: another input of the same component is the missing one
                # A lesion's inputs are chased on that lesion; pathologic fracture (a patient
                # score fed by every lesion) on the case's lesions as a whole.
                lesion = record.lesion if entry.record == LESION else None
                item = seen.setdefault(
                    (entry.key, lesion.pk if lesion else None),
                    {
                        "key": entry.key,
                        "label": entry.label,
                        "record": entry.record,
                        "field": entry.field,
                        "owners": sorted(entry.owners),
                        "lesion": lesion.pk if lesion else None,
                        "lesion_levels": lesion.level_label if lesion else None,
                        "needed_by": [],
                    },
                )
                if label not in item["needed_by"]:
                    item["needed_by"].append(label)
    return list(seen.values())


# --- The score inputs an assessment shows: its specialty's, with their values ----------------


def assessment_owned_inputs(assessment: SpecialtyAssessment) -> list[dict[str, Any]]:
    """Each score input the assessment's specialty owns, with its current value: per lesion
    for a lesion's input, from the latest clinical status for a status's, from the case for a
    case's. ``entered`` is False for what is still to be entered (blocks submission).

    Uses the case's prefetched lesions and clinical statuses when the caller has them.
    """
    case = assessment.case
    lesions = list(case.lesions.all())
    status = current_clinical_status(case)
    rows: list[dict[str, Any]] = []
    for entry in owned_inputs(assessment.specialty.code):
        targets: list[tuple[Any, SpinalLesion | None]]
        if entry.record == LESION:
            targets = [(lesion, lesion) for lesion in lesions]
        elif entry.record == STATUS:
            targets = [(status, None)]
        else:
            targets = [(case, None)]
        for record, lesion in targets:
            value = getattr(record, entry.field) if record is not None else None
            rows.append(
                {
                    "key": entry.key,
                    "label": entry.label,
                    "record": entry.record,
                    "field": entry.field,
                    "lesion": lesion.pk if lesion else None,
                    "lesion_levels": lesion.level_label if lesion else None,
                    "record_id": record.pk if record is not None else None,
                    "value": value,
                    "entered": value not in (None, ""),
                }
            )
    return rows
