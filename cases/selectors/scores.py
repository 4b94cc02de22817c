"""Reads of stored scores, scoped to the user's boards like every clinical read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from scoring.domain import suggest_radiosensitivity, suggest_tomita_growth
from scoring.domain.vocabulary import PrimaryTumor

from ..models import Case, ScoreRecord
from ..permissions import Perm, board_ids


def score_records_for_user(user: Any) -> QuerySet[ScoreRecord]:
    return ScoreRecord.objects.filter(case__board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "lesion", "case__patient", "case__board"
    )


def current_scores(case: Case) -> list[ScoreRecord]:
    """The case's current scores: patient-level first, then lesion by lesion."""
    records = ScoreRecord.objects.filter(case=case, is_current=True).select_related("lesion")
    return sorted(
        records,
        key=lambda r: (r.lesion_id is not None, r.lesion_id or 0, r.calculator),
    )


def suggestions(case: Case) -> dict[str, dict[str, str | None]]:
    """Histology-based suggestions for inputs a specialist must confirm (never applied)."""
    primary = PrimaryTumor(case.primary_tumor)
    growth = suggest_tomita_growth(primary)
    sensitivity = suggest_radiosensitivity(primary)
    return {
        "tumor_growth": {
            "suggested": growth.value if growth else None,
            "confirmed": case.tumor_growth or None,
            "owner": "medical_oncology",
        },
        "radiosensitivity": {
            "suggested": sensitivity.value if sensitivity else None,
            "confirmed": case.radiosensitivity or None,
            "owner": "radiation_oncology",
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

_STATUS = "clinical status"
_LESION = "lesion"
_CASE = "case"

CHASE: dict[str, tuple[str, str, str | None]] = {
    # component key -> (record, field or description, owning specialty or None)
    "location": (_LESION, "vertebral levels", None),
    "pain": (_LESION, "sins_pain (mechanical pain)", "spine_surgery"),
    "bone_lesion": (_LESION, "sins_bone_lesion", "radiology"),
    "alignment": (_LESION, "sins_alignment", "radiology"),
    "vertebral_body_collapse": (_LESION, "sins_vertebral_body_collapse", "radiology"),
    "posterolateral_involvement": (_LESION, "sins_posterolateral_involvement", "radiology"),
    "escc_grade": (_LESION, "escc_grade", "radiology"),
    "mechanical_status": (_LESION, "mechanical_status", "spine_surgery"),
    "general_condition": (_STATUS, "karnofsky (KPS; ECOG alone is not converted)", None),
    "extraspinal_bone_metastases": (_STATUS, "extraspinal_bone_metastases_count", None),
    "vertebral_body_metastases": (_STATUS, "vertebral_metastases_count", None),
    "major_organ_metastases": (_STATUS, "visceral_metastases", "medical_oncology"),
    "palsy": (_STATUS, "frankel_grade", None),
    "primary_site": (_CASE, "primary_tumor", None),
    "primary_tumor_growth": (_CASE, "tumor_growth", "medical_oncology"),
    "bone_metastases": (_STATUS, "bone_metastases_extent", "medical_oncology"),
    "pathologic_fracture": (_LESION, "pathologic_fracture (every lesion)", "radiology"),
    "solitary_skeletal_metastasis": (
        _STATUS,
        "extraspinal_bone_metastases_count and vertebral_metastases_count",
        None,
    ),
    "modified_bauer": (_STATUS, "the modified Bauer inputs", None),
    "ambulatory_status": (_STATUS, "ambulatory_status", None),
    "serum_albumin": (_STATUS, "serum_albumin_g_dl", None),
    "serum_albumin_g_dl": (_STATUS, "serum_albumin_g_dl", None),
    "myelopathy": (_STATUS, "neurological_deficit", None),
    "radiosensitivity": (_CASE, "radiosensitivity", "radiation_oncology"),
    "able_to_tolerate_surgery": (_CASE, "able_to_tolerate_surgery", "spine_surgery"),
    "able_to_tolerate_percutaneous": (_CASE, "able_to_tolerate_percutaneous", "spine_surgery"),
}
# The same key means something else in Tomita and in Bauer.
CHASE_BY_CALCULATOR: dict[tuple[str, str], tuple[str, str, str | None]] = {
    ("tomita", "visceral_metastases"): (
        _STATUS,
        "visceral_metastases_treatability",
        "medical_oncology",
    ),
    ("bauer", "visceral_metastases"): (_STATUS, "visceral_metastases", "medical_oncology"),
    ("modified_bauer", "visceral_metastases"): (_STATUS, "visceral_metastases", "medical_oncology"),
}


def chase_list(records: Iterable[ScoreRecord]) -> list[dict[str, Any]]:
    """Every missing input of the given scores once, with where to enter it and who owns it."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        for key in record.result.get("missing", []):
            record_name, field, owner = CHASE_BY_CALCULATOR.get(
                (record.calculator, key), CHASE.get(key, (_CASE, key, None))
            )
            entry = seen.setdefault(
                (record_name, field),
                {"record": record_name, "field": field, "owner": owner, "needed_by": []},
            )
            label = record.calculator + (f" ({record.lesion.level_label})" if record.lesion else "")
            if label not in entry["needed_by"]:
                entry["needed_by"].append(label)
    return list(seen.values())
