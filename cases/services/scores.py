"""Compute a case's scores from its records and store them with their inputs.

``case_scores_recompute`` is called by every service that changes a score input (the case,
its clinical statuses, its lesions), inside that service's transaction: the stored scores
always match the records, and a failed change leaves no score behind. A score whose inputs
and calculator version are unchanged is not stored again; a changed one gets a new current
row and the previous row stays as history.

Inputs are read from the records exactly as entered: nothing is guessed or defaulted. Where
an input is missing, the stored result is ``incomplete`` and ``scoring.selectors.chase_list``
says where the missing value is entered and which specialty owns it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from scoring.domain import CALCULATORS, ScoreResult

from ..models import Case, ClinicalStatus, ScoreRecord, SpinalLesion
from ..score_inputs import (
    CASE,
    IMAGING_FIELDS,
    LESION,
    SCORE_INPUTS,
    STATUS,
    ScoreInput,
    uses_of,
)
from ..selectors.records import current_clinical_status

CASE_CALCULATORS = ("tokuhashi_revised", "tomita", "bauer", "modified_bauer", "nesms")
LESION_CALCULATORS = ("sins", "escc", "noms")


def _present(**values: Any) -> dict[str, Any]:
    """Drop what was not entered: a missing input is missing, never a default."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def _solitary_skeletal(status: ClinicalStatus | None) -> bool | None:
    """Exactly one skeletal metastasis, from the two counts (both must be known)."""
    if status is None:
        return None
    extraspinal = status.extraspinal_bone_metastases_count
    vertebral = status.vertebral_metastases_count
    if extraspinal is None or vertebral is None:
        return None
    return extraspinal + vertebral == 1


def _pathologic_fracture(lesions: list[SpinalLesion]) -> bool | None:
    """Any fractured lesion: yes; every lesion assessed and none fractured: no; else unknown."""
    values = [lesion.pathologic_fracture for lesion in lesions]
    if any(values):
        return True
    if values and all(value is False for value in values):
        return False
    return None


def _percutaneous(case: Case) -> bool | None:
    """[convention] A patient who can tolerate open surgery can tolerate a percutaneous
    procedure: NOMS does not stay incomplete for the lack of the second answer. A "no" to open
    surgery says nothing about percutaneous procedures: that one stays to be judged."""
    if case.able_to_tolerate_percutaneous is not None:
        return case.able_to_tolerate_percutaneous
    return True if case.able_to_tolerate_surgery else None


def _from_table(calculator: str, records: dict[str, Any]) -> dict[str, Any]:
    """The calculator's single-field inputs, read from the records as entered (score_inputs)."""
    params: dict[str, Any] = {}
    for entry, use in uses_of(calculator, records):
        record = records[entry.record]
        value = getattr(record, entry.field) if record is not None else None
        if value is None or value == "":
            continue  # a missing input is missing, never a default
        params[use.param] = use.via(value) if use.via else value
    return params


def case_inputs(
    case: Case, status: ClinicalStatus | None, lesions: list[SpinalLesion]
) -> dict[str, dict[str, Any]]:
    """The per-patient calculators' inputs, keyed by calculator name."""
    records = {CASE: case, STATUS: status}
    combined = _present(
        solitary_skeletal_metastasis=_solitary_skeletal(status),
        pathologic_fracture=_pathologic_fracture(lesions),
    )
    inputs = {}
    for name in CASE_CALCULATORS:
        params = _from_table(name, records)
        for entry in SCORE_INPUTS:
            for use in entry.uses:
                if use.calculator == name and use.combined and use.param in combined:
                    params[use.param] = combined[use.param]
        inputs[name] = params
    return inputs


def lesion_inputs(
    case: Case, status: ClinicalStatus | None, lesion: SpinalLesion
) -> dict[str, dict[str, Any]]:
    """The per-lesion calculators' inputs (NOMS also uses the case and the clinical status)."""
    records = {CASE: case, STATUS: status, LESION: lesion}
    inputs = {name: _from_table(name, records) for name in LESION_CALCULATORS}
    if lesion.level_to and lesion.level_to != lesion.level_from:
        inputs["sins"]["spinal_level_to"] = lesion.level_to
    percutaneous = _percutaneous(case)
    if percutaneous is not None:
        inputs["noms"]["able_to_tolerate_percutaneous"] = percutaneous
    return inputs


def _observed_date(
    entry: ScoreInput, status: ClinicalStatus | None, lesions: list[SpinalLesion]
) -> dt.date | None:
    """When the entered value of ``entry`` was observed (None: undated, or not entered)."""
    if entry.record == STATUS:
        if status is None or getattr(status, entry.field) in (None, ""):
            return None
        return status.observed_date(entry.field)
    if entry.record == LESION and entry.field in IMAGING_FIELDS:
        dates = [lesion.imaging_date for lesion in lesions]
        if not dates or None in dates:
            return None  # an undated lesion: its age is unknown, never guessed
        return min(d for d in dates if d is not None)
    return None


def observed_dates(
    calculator: str,
    inputs: dict[str, Any],
    status: ClinicalStatus | None,
    lesions: list[SpinalLesion],
) -> dict[str, str]:
    """For each dated input given to ``calculator``, the ISO date its value was observed; an
    input combined from several values is as old as the oldest of them."""
    dates: dict[str, dt.date] = {}
    for entry in SCORE_INPUTS:
        for use in entry.uses:
            if use.calculator != calculator or use.param not in inputs:
                continue
            when = _observed_date(entry, status, lesions)
            if when is not None:
                dates[use.param] = min(dates.get(use.param, when), when)
    return {param: when.isoformat() for param, when in sorted(dates.items())}


def _digest(calculator: str, inputs: dict[str, Any], observed: dict[str, str]) -> str:
    payload = json.dumps([calculator, inputs, observed], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class _Wanted:
    calculator: str
    lesion: SpinalLesion | None
    inputs: dict[str, Any]
    observed: dict[str, str]
    result: ScoreResult | None = None  # already evaluated (a lesion's SINS, for NOMS)


def _wanted(case: Case) -> list[_Wanted]:
    status = current_clinical_status(case)
    lesions = list(case.lesions.all())
    wanted = [
        _Wanted(name, None, inputs, observed_dates(name, inputs, status, lesions))
        for name, inputs in case_inputs(case, status, lesions).items()
    ]
    for lesion in lesions:
        per_lesion = lesion_inputs(case, status, lesion)
        # NOMS's mechanical assessment may draw on the lesion's SINS (scoring-spec §7.3).
        sins = CALCULATORS["sins"].evaluate(per_lesion["sins"])
        if sins.status == "complete":
            per_lesion["noms"]["sins_total"] = sins.total
        wanted += [
            _Wanted(
                name,
                lesion,
                inputs,
                observed_dates(name, inputs, status, [lesion]),
                sins if name == "sins" else None,
            )
            for name, inputs in per_lesion.items()
        ]
    return wanted


@transaction.atomic
def case_scores_recompute(*, case: Case) -> list[ScoreRecord]:
    """Bring the case's stored scores in line with its records; return the current ones.

    Idempotent: with unchanged inputs and calculator versions it writes nothing.
    """
    now = timezone.now()
    current = {
        (r.calculator, r.lesion_id): r
        # No ordering (it would join the nullable lesion, which PostgreSQL cannot lock).
        for r in ScoreRecord.objects.select_for_update(of=("self",))
        .filter(case=case, is_current=True)
        .order_by()
    }
    keep: list[ScoreRecord] = []
    create: list[ScoreRecord] = []
    superseded: list[int] = []
    for want in _wanted(case):
        calculator = CALCULATORS[want.calculator]
        digest = _digest(want.calculator, want.inputs, want.observed)
        key = (want.calculator, want.lesion.pk if want.lesion else None)
        existing = current.pop(key, None)
        if existing and existing.inputs_digest == digest and existing.version == calculator.version:
            keep.append(existing)
            continue
        result = want.result or calculator.evaluate(want.inputs)
        if existing:
            superseded.append(existing.pk)
        create.append(
            ScoreRecord(
                case=case,
                lesion=want.lesion,
                calculator=want.calculator,
                status=result.status,
                total=result.total,
                category=result.category or "",
                inputs=want.inputs,
                observed=want.observed,
                inputs_digest=digest,
                result=result.as_dict(),
                version=calculator.version,
                computed_at=now,
            )
        )
    # Scores of calculators or lesions that no longer apply stop being current too.
    superseded += [stale.pk for stale in current.values()]
    if superseded:  # before the inserts: one current row per score at any time
        ScoreRecord.objects.filter(pk__in=superseded).update(is_current=False, superseded_at=now)
    return keep + ScoreRecord.objects.bulk_create(create)
