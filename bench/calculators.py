"""Evaluations per second of every registered calculator (JSON ``evaluate`` path).

Run: ``python -m bench.calculators``. A plain script, not a test.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from scoring.domain import CALCULATORS

CASES: dict[str, Mapping[str, object]] = {
    "sins": {
        "spinal_level": "T10",
        "spinal_level_to": "T11",
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "de_novo_deformity",
        "vertebral_body_collapse": "lt_50_percent",
        "posterolateral_involvement": "unilateral",
    },
    "tokuhashi_revised": {
        "kps": 70,
        "extraspinal_bone_metastases_count": 2,
        "vertebral_body_metastases": "two",
        "major_organ_metastases": "removable",
        "primary_site": "colon",
        "frankel_grade": "D",
    },
    "tomita": {
        "primary_tumor_growth": "moderate",
        "visceral_metastases": "treatable",
        "bone_metastases": "multiple",
    },
    "bauer": {
        "visceral_metastases": False,
        "pathologic_fracture": True,
        "solitary_skeletal_metastasis": True,
        "primary_site": "colon",
    },
    "modified_bauer": {
        "visceral_metastases": False,
        "solitary_skeletal_metastasis": True,
        "primary_site": "breast",
    },
    "nesms": {
        "visceral_metastases": False,
        "solitary_skeletal_metastasis": True,
        "primary_site": "kidney",
        "ambulatory_status": "with_aid",
        "serum_albumin_g_l": 36,
    },
    "escc": {"epidural_extension": True, "cord_compressed": True, "csf_visible_around_cord": True},
    "noms": {
        "escc_grade": "1c",
        "myelopathy": False,
        "radiosensitivity": "radioresistant",
        "sins_total": 14,
        "able_to_tolerate_surgery": True,
        "histology": "kidney",
    },
    "karnofsky_ecog": {"kps": 70, "convention": "B"},
    "frankel": {"frankel_grade": "C"},
    "asia": {"asia_grade": "D"},
    "eq5d_5l": {"health_state": "21312", "value_set": "japan_ctto", "vas": 60},
    "barthel": {
        "feeding": 10,
        "bathing": 5,
        "grooming": 5,
        "dressing": 10,
        "bowels": 10,
        "bladder": 5,
        "toilet_use": 10,
        "transfers": 15,
        "mobility": 10,
        "stairs": 5,
    },
    "bpi_sf": {
        "worst_pain": 7,
        "least_pain": 2,
        "average_pain": 5,
        "pain_now": 4,
        "general_activity": 6,
        "mood": 5,
        "walking_ability": 7,
        "normal_work": 6,
        "sleep": 4,
    },
    "vitality_index": {
        "waking": 2,
        "communication": 1,
        "feeding": 2,
        "toileting": 1,
        "rehabilitation_activity": 1,
    },
}

MIN_SECONDS = 0.3


def measure(name: str, data: Mapping[str, object]) -> float:
    evaluate = CALCULATORS[name].evaluate
    assert evaluate(data).status != "incomplete", name
    iterations, elapsed = 0, 0.0
    batch = 200
    start = time.perf_counter()
    while elapsed < MIN_SECONDS:
        for _ in range(batch):
            evaluate(data)
        iterations += batch
        elapsed = time.perf_counter() - start
    return iterations / elapsed


def main() -> None:
    missing = set(CALCULATORS) - set(CASES)
    assert not missing, f"no benchmark case for {sorted(missing)}"
    print(f"{'calculator':<20} {'evaluations/s':>14}")
    for name, data in CASES.items():
        print(f"{name:<20} {measure(name, data):>14,.0f}")


if __name__ == "__main__":
    main()
