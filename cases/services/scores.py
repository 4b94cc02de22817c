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

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from scoring.domain import CALCULATORS, ScoreResult

from ..models import Case, ClinicalStatus, NeurologicalDeficit, ScoreRecord, SpinalLesion

CASE_CALCULATORS = ("tokuhashi_revised", "tomita", "bauer", "modified_bauer", "nesms")
LESION_CALCULATORS = ("sins", "escc", "noms")


def _present(**values: Any) -> dict[str, Any]:
    """Drop what was not entered: a missing input is missing, never a default."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def current_clinical_status(case: Case) -> ClinicalStatus | None:
    """The latest dated clinical status (ties: the one recorded last)."""
    statuses = getattr(case, "_prefetched_objects_cache", {}).get("clinical_statuses")
    if statuses is not None:
        ordered = sorted(statuses, key=lambda s: (s.recorded_on, s.pk), reverse=True)
        return ordered[0] if ordered else None
    return case.clinical_statuses.order_by("-recorded_on", "-id").first()


def _myelopathy(status: ClinicalStatus | None) -> bool | None:
    if status is None or not status.neurological_deficit:
        return None
    return status.neurological_deficit == NeurologicalDeficit.MYELOPATHY


def _solitary_skeletal(status: ClinicalStatus | None) -> bool | None:
    """Exactly one skeletal metastasis, from the two counts (both must be known)."""
    if status is None:
        return None
    extraspinal = status.extraspinal_bone_metastases_count
    vertebral = status.vertebral_metastases_count
    if extraspinal is None or vertebral is None:
        return None
    return extraspinal + vertebral == 1


def _visceral_present(status: ClinicalStatus | None) -> bool | None:
    if status is None or not status.visceral_metastases:
        return None
    return status.visceral_metastases != "none"


def _pathologic_fracture(lesions: list[SpinalLesion]) -> bool | None:
    """Any fractured lesion: yes; every lesion assessed and none fractured: no; else unknown."""
    values = [lesion.pathologic_fracture for lesion in lesions]
    if any(values):
        return True
    if values and all(value is False for value in values):
        return False
    return None


def case_inputs(
    case: Case, status: ClinicalStatus | None, lesions: list[SpinalLesion]
) -> dict[str, dict[str, Any]]:
    """The per-patient calculators' inputs, keyed by calculator name."""
    s = status
    bauer = _present(
        visceral_metastases=_visceral_present(s),
        pathologic_fracture=_pathologic_fracture(lesions),
        solitary_skeletal_metastasis=_solitary_skeletal(s),
        primary_site=case.primary_tumor,
    )
    modified_bauer = {k: v for k, v in bauer.items() if k != "pathologic_fracture"}
    return {
        "tokuhashi_revised": _present(
            kps=s and s.karnofsky,
            extraspinal_bone_metastases_count=s and s.extraspinal_bone_metastases_count,
            vertebral_body_metastases_count=s and s.vertebral_metastases_count,
            major_organ_metastases=s and s.visceral_metastases,
            primary_site=case.primary_tumor,
            frankel_grade=s and s.frankel_grade,
        ),
        "tomita": _present(
            primary_tumor_growth=case.tumor_growth,
            visceral_metastases=s and s.visceral_metastases_treatability,
            bone_metastases=s and s.bone_metastases_extent,
        ),
        "bauer": bauer,
        "modified_bauer": modified_bauer,
        # NESMS weighs the modified Bauer score, computed by the calculator from its inputs.
        "nesms": {
            **modified_bauer,
            **_present(
                ambulatory_status=s and s.ambulatory_status,
                serum_albumin_g_dl=float(s.serum_albumin_g_dl)
                if s and s.serum_albumin_g_dl is not None
                else None,
            ),
        },
    }


def lesion_inputs(
    case: Case, status: ClinicalStatus | None, lesion: SpinalLesion
) -> dict[str, dict[str, Any]]:
    """The per-lesion calculators' inputs (NOMS also uses the patient's systemic status)."""
    sins = _present(
        spinal_level=lesion.level_from,
        spinal_level_to=lesion.level_to if lesion.level_to != lesion.level_from else None,
        pain=lesion.sins_pain,
        bone_lesion=lesion.sins_bone_lesion,
        alignment=lesion.sins_alignment,
        vertebral_body_collapse=lesion.sins_vertebral_body_collapse,
        posterolateral_involvement=lesion.sins_posterolateral_involvement,
    )
    return {
        "sins": sins,
        "escc": _present(escc_grade=lesion.escc_grade),
        "noms": _present(
            escc_grade=lesion.escc_grade,
            myelopathy=_myelopathy(status),
            radiosensitivity=case.radiosensitivity,
            mechanical_status=lesion.mechanical_status,
            able_to_tolerate_surgery=case.able_to_tolerate_surgery,
            able_to_tolerate_percutaneous=case.able_to_tolerate_percutaneous,
            able_to_tolerate_local_treatment=case.able_to_tolerate_local_treatment,
            histology=case.primary_tumor,
        ),
    }


def _digest(calculator: str, inputs: dict[str, Any]) -> str:
    payload = json.dumps([calculator, inputs], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class _Wanted:
    calculator: str
    lesion: SpinalLesion | None
    inputs: dict[str, Any]
    result: ScoreResult | None = None  # already evaluated (a lesion's SINS, for NOMS)


def _wanted(case: Case) -> list[_Wanted]:
    status = current_clinical_status(case)
    lesions = list(case.lesions.all())
    wanted = [
        _Wanted(name, None, inputs) for name, inputs in case_inputs(case, status, lesions).items()
    ]
    for lesion in lesions:
        per_lesion = lesion_inputs(case, status, lesion)
        # NOMS's mechanical assessment may draw on the lesion's SINS (scoring-spec §7.3).
        sins = CALCULATORS["sins"].evaluate(per_lesion["sins"])
        if sins.status == "complete":
            per_lesion["noms"]["sins_total"] = sins.total
        wanted += [
            _Wanted(name, lesion, inputs, sins if name == "sins" else None)
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
        digest = _digest(want.calculator, want.inputs)
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
