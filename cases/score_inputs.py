"""Every score input of a case, once: where it is entered, which calculators use it, who owns it.

Each clinical judgement is entered once, in one field of one record. From this table are
derived:

* who may set an input (``owners``: only a specialist of an owning specialty on the case's
  board; empty: any clinical editor) — ``cases.permissions.FIELD_OWNERS``;
* the inputs handed to each calculator — ``cases.services.scores``;
* the chase list of what is missing, with a machine key, a human label, the record and the
  owners — ``cases.selectors.scores.chase_list``;
* the inputs each specialty's assessment shows and requires at submission —
  ``cases.assessment_schemas`` and ``cases.services.assessments``.

A ``Use`` says that a calculator takes the input as ``param`` (transformed by ``via`` when the
stored value is not the calculator's), and reports it missing as ``component``. A
``combined`` use is computed from several inputs at once (e.g. "solitary skeletal metastasis"
from two counts, "pathologic fracture" over every lesion): the builder in
``cases.services.scores`` combines them; the table still says what feeds what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

LESION = "lesion"
STATUS = "clinical_status"
CASE = "case"
RECORD_LABELS = {LESION: "lesion", STATUS: "clinical status", CASE: "case"}

SURGERY = "spine_surgery"
RADIOLOGY = "radiology"
MED_ONC = "medical_oncology"
RAD_ONC = "radiation_oncology"


def _present(value: str) -> bool:
    """Visceral metastases: the Bauer scores ask only whether there are any."""
    return value != "none"


def _myelopathy(value: str) -> bool:
    return value == "myelopathy"


def _number(value: Any) -> float:
    return float(value)


@dataclass(frozen=True)
class Use:
    calculator: str
    param: str
    component: str
    via: Callable[[Any], Any] | None = None
    combined: bool = False


@dataclass(frozen=True)
class ScoreInput:
    record: str
    field: str
    label: str
    owners: frozenset[str]
    uses: tuple[Use, ...]

    @property
    def key(self) -> str:
        return f"{self.record}.{self.field}"

    @property
    def calculators(self) -> tuple[str, ...]:
        return tuple(sorted({use.calculator for use in self.uses}))


def _i(record: str, field: str, label: str, owners: Iterable[str], *uses: Use) -> ScoreInput:
    return ScoreInput(record, field, label, frozenset(owners), uses)


_BAUERS = ("bauer", "modified_bauer")
_ANYONE: tuple[str, ...] = ()

SCORE_INPUTS: tuple[ScoreInput, ...] = (
    # --- Lesion: SINS items, ESCC, NOMS mechanical status ---------------------------------
    _i(LESION, "level_from", "Vertebral level", _ANYONE, Use("sins", "spinal_level", "location")),
    _i(
        LESION,
        "level_to",
        "Lowest level of the span",
        _ANYONE,
        Use("sins", "spinal_level_to", "location", combined=True),
    ),
    _i(LESION, "sins_pain", "Pain (SINS)", [SURGERY], Use("sins", "pain", "pain")),
    _i(
        LESION,
        "sins_bone_lesion",
        "Bone lesion (SINS)",
        [RADIOLOGY],
        Use("sins", "bone_lesion", "bone_lesion"),
    ),
    _i(
        LESION,
        "sins_alignment",
        "Alignment (SINS)",
        [RADIOLOGY],
        Use("sins", "alignment", "alignment"),
    ),
    _i(
        LESION,
        "sins_vertebral_body_collapse",
        "Vertebral body collapse (SINS)",
        [RADIOLOGY],
        Use("sins", "vertebral_body_collapse", "vertebral_body_collapse"),
    ),
    _i(
        LESION,
        "sins_posterolateral_involvement",
        "Posterolateral involvement (SINS)",
        [RADIOLOGY],
        Use("sins", "posterolateral_involvement", "posterolateral_involvement"),
    ),
    _i(
        LESION,
        "escc_grade",
        "ESCC (Bilsky) grade",
        [RADIOLOGY],
        Use("escc", "escc_grade", "escc_grade"),
        Use("noms", "escc_grade", "escc_grade"),
    ),
    _i(
        LESION,
        "mechanical_status",
        "Mechanical status (NOMS M)",
        [SURGERY],
        Use("noms", "mechanical_status", "mechanical_status"),
    ),
    _i(
        LESION,
        "pathologic_fracture",
        "Pathologic fracture",
        [RADIOLOGY],
        Use("bauer", "pathologic_fracture", "pathologic_fracture", combined=True),
    ),
    # --- Clinical status ----------------------------------------------------------------
    _i(
        STATUS,
        "karnofsky",
        "Karnofsky performance status (KPS)",
        _ANYONE,
        Use("tokuhashi_revised", "kps", "general_condition"),
    ),
    _i(
        STATUS,
        "extraspinal_bone_metastases_count",
        "Extraspinal bone metastases (count)",
        _ANYONE,
        Use(
            "tokuhashi_revised",
            "extraspinal_bone_metastases_count",
            "extraspinal_bone_metastases",
        ),
        *(
            Use(c, "solitary_skeletal_metastasis", "solitary_skeletal_metastasis", combined=True)
            for c in _BAUERS
        ),
        Use("nesms", "solitary_skeletal_metastasis", "modified_bauer", combined=True),
    ),
    _i(
        STATUS,
        "vertebral_metastases_count",
        "Vertebrae with metastases (count)",
        _ANYONE,
        Use("tokuhashi_revised", "vertebral_body_metastases_count", "vertebral_body_metastases"),
        *(
            Use(c, "solitary_skeletal_metastasis", "solitary_skeletal_metastasis", combined=True)
            for c in _BAUERS
        ),
        Use("nesms", "solitary_skeletal_metastasis", "modified_bauer", combined=True),
    ),
    _i(
        STATUS,
        "visceral_metastases",
        "Metastases to the major internal organs",
        [MED_ONC],
        Use("tokuhashi_revised", "major_organ_metastases", "major_organ_metastases"),
        *(Use(c, "visceral_metastases", "visceral_metastases", _present) for c in _BAUERS),
        Use("nesms", "visceral_metastases", "modified_bauer", _present),
    ),
    _i(
        STATUS,
        "visceral_metastases_treatability",
        "Visceral metastases (Tomita)",
        [MED_ONC],
        Use("tomita", "visceral_metastases", "visceral_metastases"),
    ),
    _i(
        STATUS,
        "bone_metastases_extent",
        "Bone metastases incl. spine (Tomita)",
        [MED_ONC],
        Use("tomita", "bone_metastases", "bone_metastases"),
    ),
    _i(
        STATUS,
        "frankel_grade",
        "Frankel grade",
        _ANYONE,
        Use("tokuhashi_revised", "frankel_grade", "palsy"),
    ),
    _i(
        STATUS,
        "ambulatory_status",
        "Ambulatory status",
        _ANYONE,
        Use("nesms", "ambulatory_status", "ambulatory_status"),
    ),
    _i(
        STATUS,
        "serum_albumin_g_dl",
        "Serum albumin (g/dL)",
        _ANYONE,
        Use("nesms", "serum_albumin_g_dl", "serum_albumin_g_dl", _number),
    ),
    _i(
        STATUS,
        "neurological_deficit",
        "Neurological deficit (myelopathy)",
        _ANYONE,
        Use("noms", "myelopathy", "myelopathy", _myelopathy),
    ),
    # A judgement medical oncology owns that no calculator takes (yet): owned, never chased.
    _i(STATUS, "systemic_disease_status", "Systemic disease status", [MED_ONC]),
    # --- Case ---------------------------------------------------------------------------
    _i(
        CASE,
        "primary_tumor",
        "Primary tumor",
        _ANYONE,
        Use("tokuhashi_revised", "primary_site", "primary_site"),
        *(Use(c, "primary_site", "primary_site") for c in _BAUERS),
        Use("nesms", "primary_site", "modified_bauer"),
        Use("noms", "histology", "histology"),
    ),
    _i(
        CASE,
        "tumor_growth",
        "Primary tumor growth (Tomita)",
        [MED_ONC],
        Use("tomita", "primary_tumor_growth", "primary_tumor_growth"),
    ),
    _i(
        CASE,
        "radiosensitivity",
        "Radiosensitivity (NOMS O)",
        [RAD_ONC],
        Use("noms", "radiosensitivity", "radiosensitivity"),
    ),
    # Whether the patient can tolerate open surgery is judged by spine surgery with medical
    # oncology (comorbidity, systemic disease): either may enter it.
    _i(
        CASE,
        "able_to_tolerate_surgery",
        "Can tolerate open surgery (NOMS S)",
        [SURGERY, MED_ONC],
        Use("noms", "able_to_tolerate_surgery", "able_to_tolerate_surgery"),
    ),
    _i(
        CASE,
        "able_to_tolerate_percutaneous",
        "Can tolerate a percutaneous procedure",
        [SURGERY],
        Use(
            "noms",
            "able_to_tolerate_percutaneous",
            "able_to_tolerate_percutaneous",
            combined=True,
        ),
    ),
    _i(
        CASE,
        "able_to_tolerate_local_treatment",
        "Can tolerate any local treatment",
        [RAD_ONC, MED_ONC],
        Use("noms", "able_to_tolerate_local_treatment", "able_to_tolerate_local_treatment"),
    ),
)

BY_KEY: dict[str, ScoreInput] = {i.key: i for i in SCORE_INPUTS}

# A lesion's inputs read off its imaging are as old as the imaging (``imaging_date``); a
# clinical status's are as old as their observation (``ClinicalStatus.observed_date``). The
# case's judgements carry no date of observation.
IMAGING_FIELDS = frozenset(
    {
        "sins_bone_lesion",
        "sins_alignment",
        "sins_vertebral_body_collapse",
        "sins_posterolateral_involvement",
        "escc_grade",
        "pathologic_fracture",
    }
)


def owned_by(specialty_code: str) -> list[ScoreInput]:
    """The inputs a specialty owns, in table order."""
    return [i for i in SCORE_INPUTS if specialty_code in i.owners]


def feeding(calculator: str, component: str) -> list[tuple[ScoreInput, Use]]:
    """The inputs (with their use) a calculator reports as ``component`` when missing."""
    return [
        (i, use)
        for i in SCORE_INPUTS
        for use in i.uses
        if use.calculator == calculator and use.component == component
    ]


def uses_of(calculator: str, records: Iterable[str]) -> list[tuple[ScoreInput, Use]]:
    """The single-field inputs of ``calculator`` stored on the given records."""
    wanted = set(records)
    return [
        (i, use)
        for i in SCORE_INPUTS
        if i.record in wanted
        for use in i.uses
        if use.calculator == calculator and not use.combined
    ]
