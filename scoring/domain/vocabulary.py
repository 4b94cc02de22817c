"""Controlled clinical vocabulary shared by the calculators and the case records.

Standard library only (see ``scoring/domain/__init__.py``). Option keys are exactly those of
``shared/docs/scoring-spec.md``; the Django models use these enums for their ``choices`` so a
stored value is always a value a calculator accepts.
"""

# Labels are user-facing clinical text: the en dashes of the spec are intentional.

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a human label (``.label``)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value.replace("_", " ").capitalize()
        return obj

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def keys(cls) -> list[str]:
        return [m.value for m in cls]


class PrimaryTumor(LabelledEnum):
    """Primary tumor vocabulary, scoring-spec.md §12 (one list for the whole product)."""

    LUNG = "lung", "Lung, non-small-cell or unspecified"
    LUNG_SMALL_CELL = "lung_small_cell", "Small-cell lung cancer"
    OSTEOSARCOMA = "osteosarcoma", "Osteosarcoma"
    STOMACH = "stomach", "Stomach"
    BLADDER = "bladder", "Urinary bladder"
    ESOPHAGUS = "esophagus", "Esophagus"
    PANCREAS = "pancreas", "Pancreas"
    LIVER = "liver", "Liver (hepatocellular)"
    GALLBLADDER = "gallbladder", "Gallbladder / biliary"
    UNIDENTIFIED = "unidentified", "Unknown primary"
    KIDNEY = "kidney", "Renal cell carcinoma"
    UTERUS = "uterus", "Uterus"
    RECTUM = "rectum", "Rectum"
    THYROID = "thyroid", "Thyroid"
    BREAST = "breast", "Breast"
    PROSTATE = "prostate", "Prostate"
    CARCINOID = "carcinoid", "Carcinoid / well-differentiated neuroendocrine"
    COLON = "colon", "Colon"
    HEAD_AND_NECK = "head_and_neck", "Head and neck"
    MELANOMA = "melanoma", "Melanoma"
    SARCOMA = "sarcoma", "Soft-tissue sarcoma"
    LYMPHOMA = "lymphoma", "Lymphoma"
    MULTIPLE_MYELOMA = "multiple_myeloma", "Multiple myeloma / plasmacytoma"
    GERM_CELL = "germ_cell", "Germ-cell tumor / seminoma"
    OTHER = "other", "Other primary (specify)"


class SpinalLevel(LabelledEnum):
    """Vertebral levels C1–S5 in cranio-caudal order (coccygeal levels are out of scope)."""

    C1 = "C1", "C1"
    C2 = "C2", "C2"
    C3 = "C3", "C3"
    C4 = "C4", "C4"
    C5 = "C5", "C5"
    C6 = "C6", "C6"
    C7 = "C7", "C7"
    T1 = "T1", "T1"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"
    T5 = "T5", "T5"
    T6 = "T6", "T6"
    T7 = "T7", "T7"
    T8 = "T8", "T8"
    T9 = "T9", "T9"
    T10 = "T10", "T10"
    T11 = "T11", "T11"
    T12 = "T12", "T12"
    L1 = "L1", "L1"
    L2 = "L2", "L2"
    L3 = "L3", "L3"
    L4 = "L4", "L4"
    L5 = "L5", "L5"
    S1 = "S1", "S1"
    S2 = "S2", "S2"
    S3 = "S3", "S3"
    S4 = "S4", "S4"
    S5 = "S5", "S5"

    @property
    def index(self) -> int:  # type: ignore[override]  # shadows str.index on purpose
        """Position from the skull down (C1 = 0); used to order and span levels."""
        return _LEVEL_ORDER[self.value]

    @classmethod
    def span(cls, first: SpinalLevel, last: SpinalLevel) -> list[SpinalLevel]:
        """All levels from ``first`` to ``last`` inclusive; ``first`` must not be below ``last``."""
        if first.index > last.index:
            raise ValueError(f"level {first} is below level {last}")
        members = list(cls)
        return members[first.index : last.index + 1]


_LEVEL_ORDER = {member.value: position for position, member in enumerate(SpinalLevel)}


# --- SINS (§1) -------------------------------------------------------------------------------


class SinsLocation(LabelledEnum):
    JUNCTIONAL = "junctional", "Junctional (occiput–C2, C7–T2, T11–L1, L5–S1)"
    MOBILE = "mobile", "Mobile spine (C3–C6, L2–L4)"
    SEMIRIGID = "semirigid", "Semirigid (T3–T10)"
    RIGID = "rigid", "Rigid (S2–S5)"


class SinsPain(LabelledEnum):
    MECHANICAL = "mechanical", "Mechanical pain"
    OCCASIONAL_NON_MECHANICAL = "occasional_non_mechanical", "Occasional pain, not mechanical"
    PAIN_FREE = "pain_free", "Pain-free lesion"


class SinsBoneLesion(LabelledEnum):
    LYTIC = "lytic", "Lytic"
    MIXED = "mixed", "Mixed (lytic/blastic)"
    BLASTIC = "blastic", "Blastic"


class SinsAlignment(LabelledEnum):
    SUBLUXATION_TRANSLATION = "subluxation_translation", "Subluxation/translation present"
    DE_NOVO_DEFORMITY = "de_novo_deformity", "De novo deformity (kyphosis/scoliosis)"
    NORMAL = "normal", "Normal alignment"


class SinsCollapse(LabelledEnum):
    GT_50_PERCENT = "gt_50_percent", "> 50% collapse"
    LT_50_PERCENT = "lt_50_percent", "< 50% collapse"
    NO_COLLAPSE_GT_50_PERCENT_INVOLVED = (
        "no_collapse_gt_50_percent_involved",
        "No collapse with > 50% of the body involved",
    )
    NONE = "none", "None of the above"


class SinsPosterolateral(LabelledEnum):
    BILATERAL = "bilateral", "Bilateral"
    UNILATERAL = "unilateral", "Unilateral"
    NONE = "none", "None of the above"


# --- ESCC (§6) -------------------------------------------------------------------------------


class EsccGrade(LabelledEnum):
    G0 = "0", "0 — bone-only disease"
    G1A = "1a", "1a — epidural impingement, no thecal sac deformation"
    G1B = "1b", "1b — thecal sac deformation, no cord abutment"
    G1C = "1c", "1c — thecal sac deformation with cord abutment, no compression"
    G2 = "2", "2 — cord compression, CSF visible around the cord"
    G3 = "3", "3 — cord compression, no CSF visible around the cord"

    @property
    def is_high_grade(self) -> bool:
        return self in (EsccGrade.G2, EsccGrade.G3)


# --- Neurological and performance scales (§8) -----------------------------------------------


class FrankelGrade(LabelledEnum):
    A = "A", "A — complete"
    B = "B", "B — sensory only"
    C = "C", "C — motor useless"
    D = "D", "D — motor useful"
    E = "E", "E — no neurological deficit"


class AsiaGrade(LabelledEnum):
    """ASIA Impairment Scale; never converted to or from Frankel (§8.2)."""

    A = "A", "A — complete"
    B = "B", "B — sensory incomplete"
    C = "C", "C — motor incomplete, < half of key muscles grade ≥ 3"
    D = "D", "D — motor incomplete, ≥ half of key muscles grade ≥ 3"
    E = "E", "E — normal"


class EcogGrade(LabelledEnum):
    E0 = "0", "0 — fully active"
    E1 = "1", "1 — restricted in strenuous activity, ambulatory"
    E2 = "2", "2 — ambulatory, self-care, no work; up > 50% of waking hours"
    E3 = "3", "3 — limited self-care; bed/chair > 50% of waking hours"
    E4 = "4", "4 — completely disabled"
    E5 = "5", "5 — dead"


KARNOFSKY_VALUES: tuple[int, ...] = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


class AmbulatoryStatus(LabelledEnum):
    """Walking ability. NESMS counts only ``independent`` as favourable (§5.1)."""

    INDEPENDENT = "independent", "Walks independently (without the help of another person)"
    WITH_AID = "with_aid", "Walks with assistance"
    NON_AMBULATORY = "non_ambulatory", "Non-ambulatory"


class VisceralMetastases(LabelledEnum):
    """Metastases to the major internal organs (lungs, liver, kidneys, brain), §2.1."""

    NONE = "none", "None"
    REMOVABLE = "removable", "Removable"
    UNREMOVABLE = "unremovable", "Unremovable"


# --- NOMS (§7) and Tomita (§3) ----------------------------------------------------------------


class Radiosensitivity(LabelledEnum):
    RADIOSENSITIVE = "radiosensitive", "Radiosensitive to cEBRT"
    RADIORESISTANT = "radioresistant", "Radioresistant to cEBRT"


class MechanicalStatus(LabelledEnum):
    STABLE = "stable", "Stable"
    MECHANICAL_PAIN_NO_GROSS_INSTABILITY = (
        "mechanical_pain_no_gross_instability",
        "Mechanical pain without gross instability",
    )
    UNSTABLE = "unstable", "Gross instability"


class TomitaGrowth(LabelledEnum):
    SLOW = "slow", "Slow growth (e.g. breast, thyroid)"
    MODERATE = "moderate", "Moderate growth (e.g. kidney, uterus)"
    RAPID = "rapid", "Rapid growth (e.g. lung, stomach)"


class TomitaVisceral(LabelledEnum):
    NONE = "none", "No visceral metastases"
    TREATABLE = "treatable", "Treatable"
    UNTREATABLE = "untreatable", "Untreatable"


# --- Additions for the calculators (added after the Django choices; existing members unchanged) --


class TomitaBoneMetastases(LabelledEnum):
    SOLITARY_OR_ISOLATED = "solitary_or_isolated", "Solitary or isolated"
    MULTIPLE = "multiple", "Multiple"


class TokuhashiGeneralCondition(LabelledEnum):
    """Revised Tokuhashi general condition (KPS bands), §2.1."""

    POOR = "poor", "Poor (KPS 10–40 %)"
    MODERATE = "moderate", "Moderate (KPS 50–70 %)"
    GOOD = "good", "Good (KPS 80–100 %)"


class TokuhashiExtraspinalBone(LabelledEnum):
    GE_3 = "ge_3", "≥ 3 extraspinal bone metastasis foci"
    ONE_TO_TWO = "one_to_two", "1–2 extraspinal bone metastasis foci"
    NONE = "none", "No extraspinal bone metastasis"


class TokuhashiVertebralBody(LabelledEnum):
    GE_3 = "ge_3", "≥ 3 vertebral body metastases"
    TWO = "two", "2 vertebral body metastases"
    ONE = "one", "1 vertebral body metastasis"


class TokuhashiPalsy(LabelledEnum):
    COMPLETE = "complete", "Complete (Frankel A, B)"
    INCOMPLETE = "incomplete", "Incomplete (Frankel C, D)"
    NONE = "none", "None (Frankel E)"


class NesmsAmbulation(LabelledEnum):
    """NESMS ambulation (§5.1); ``AmbulatoryStatus`` keys are also accepted by the calculator."""

    INDEPENDENT = "independent", "Independent (walks without the help of another person)"
    DEPENDENT = "dependent", "Dependent (needs assistance, or non-ambulatory)"


class PerformanceConvention(LabelledEnum):
    """ECOG ⇄ KPS conversion convention, §8.4."""

    A = "A", "Convention A (ECOG 0 = KPS 100; 1 = 80–90; 2 = 60–70; 3 = 40–50; 4 = 10–30)"
    B = "B", "Convention B (ECOG 0 = KPS 90–100; 1 = 70–80; 2 = 50–60; 3 = 30–40; 4 = 10–20)"


class Eq5dValueSet(LabelledEnum):
    """EQ-5D-5L value sets implemented (§10.1); purely additive models only."""

    JAPAN_CTTO = "japan_ctto", "Japan (Shiroiwa 2016, cTTO)"
    USA = "usa", "USA (Pickard 2019)"
    ENGLAND = "england", "England (Devlin 2018)"
