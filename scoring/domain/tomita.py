"""Tomita score, 2001 (scoring-spec.md §3). Scored per patient; higher = worse.

The growth group is the input. :func:`suggest_tomita_growth` only *suggests* a group from the
primary tumor (§12 column) for the oncologist to confirm; the calculator never calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    Band,
    Calculator,
    ComponentResult,
    ErrorCollector,
    FieldSpec,
    Meta,
    Reader,
    ScoreResult,
    add_option,
    banded_result,
    build,
    check_enum,
    incomplete,
    option_field,
)
from .vocabulary import PrimaryTumor, TomitaBoneMetastases, TomitaGrowth, TomitaVisceral

META = Meta(
    name="tomita",
    title="Tomita score (2001)",
    version="tomita-1.0.0",
    citation=(
        "Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T. Surgical strategy "
        "for spinal metastases. Spine (Phila Pa 1976). 2001;26(3):298-306. "
        "doi:10.1097/00007632-200102010-00016"
    ),
)

GROWTH_POINTS = {TomitaGrowth.SLOW: 1, TomitaGrowth.MODERATE: 2, TomitaGrowth.RAPID: 4}
VISCERAL_POINTS = {
    TomitaVisceral.NONE: 0,
    TomitaVisceral.TREATABLE: 2,
    TomitaVisceral.UNTREATABLE: 4,
}
BONE_POINTS = {TomitaBoneMetastases.SOLITARY_OR_ISOLATED: 1, TomitaBoneMetastases.MULTIPLE: 2}

BANDS = (
    Band(
        2,
        3,
        "wide_or_marginal_excision",
        "Wide or marginal excision (long-term local control)",
        "Treatment goal: long-term local control. Surgical strategy: wide or marginal excision "
        "(e.g. total en bloc spondylectomy).",
    ),
    Band(
        4,
        5,
        "marginal_or_intralesional_excision",
        "Marginal or intralesional excision (middle-term local control)",
        "Treatment goal: middle-term local control. Surgical strategy: marginal or intralesional "
        "excision.",
    ),
    Band(
        6,
        7,
        "palliative_surgery",
        "Palliative surgery (short-term palliation)",
        "Treatment goal: short-term palliation. Surgical strategy: palliative surgery.",
    ),
    Band(
        8,
        10,
        "supportive_care",
        "Non-operative supportive care (terminal care)",
        "Treatment goal: terminal care. Strategy: non-operative supportive care.",
    ),
)

_GROWTH_SUGGESTIONS: dict[PrimaryTumor, TomitaGrowth] = {
    PrimaryTumor.THYROID: TomitaGrowth.SLOW,
    PrimaryTumor.BREAST: TomitaGrowth.SLOW,
    PrimaryTumor.PROSTATE: TomitaGrowth.SLOW,
    PrimaryTumor.KIDNEY: TomitaGrowth.MODERATE,
    PrimaryTumor.UTERUS: TomitaGrowth.MODERATE,
    PrimaryTumor.LUNG: TomitaGrowth.RAPID,
    PrimaryTumor.LUNG_SMALL_CELL: TomitaGrowth.RAPID,
    PrimaryTumor.STOMACH: TomitaGrowth.RAPID,
    PrimaryTumor.ESOPHAGUS: TomitaGrowth.RAPID,
    PrimaryTumor.PANCREAS: TomitaGrowth.RAPID,
    PrimaryTumor.LIVER: TomitaGrowth.RAPID,
    PrimaryTumor.UNIDENTIFIED: TomitaGrowth.RAPID,
    PrimaryTumor.COLON: TomitaGrowth.RAPID,
}


def suggest_tomita_growth(primary: PrimaryTumor) -> TomitaGrowth | None:
    """A *suggested* growth group (§3.1 [convention], §12); None = no suggestion.

    Show it as a suggestion to be confirmed by the oncologist; never apply it silently.
    """
    return _GROWTH_SUGGESTIONS.get(primary)


@dataclass(frozen=True)
class TomitaInput:
    primary_tumor_growth: TomitaGrowth | None = None
    visceral_metastases: TomitaVisceral | None = None
    bone_metastases: TomitaBoneMetastases | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "primary_tumor_growth", self.primary_tumor_growth, TomitaGrowth)
        check_enum(errors, "visceral_metastases", self.visceral_metastases, TomitaVisceral)
        check_enum(errors, "bone_metastases", self.bone_metastases, TomitaBoneMetastases)
        errors.raise_if_any()


def score_tomita(inp: TomitaInput) -> ScoreResult:
    components: list[ComponentResult] = []
    missing: list[str] = []
    add_option(components, missing, "primary_tumor_growth", inp.primary_tumor_growth, GROWTH_POINTS)
    add_option(components, missing, "visceral_metastases", inp.visceral_metastases, VISCERAL_POINTS)
    add_option(components, missing, "bone_metastases", inp.bone_metastases, BONE_POINTS)
    notes = ["[secondary] Tomita point table checked in secondary sources only."]
    if missing:
        return incomplete(META, missing, components, notes)
    return banded_result(META, BANDS, components, notes=notes)


# --- JSON -----------------------------------------------------------------------------------

FIELDS: tuple[FieldSpec, ...] = (
    option_field(
        "primary_tumor_growth",
        "Primary tumor growth",
        TomitaGrowth,
        help="Confirmed by the oncologist; suggest_tomita_growth() only suggests a group.",
    ),
    option_field("visceral_metastases", "Visceral metastases", TomitaVisceral),
    option_field("bone_metastases", "Bone metastases (including spine)", TomitaBoneMetastases),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: TomitaInput(
            primary_tumor_growth=r.option("primary_tumor_growth", TomitaGrowth),
            visceral_metastases=r.option("visceral_metastases", TomitaVisceral),
            bone_metastases=r.option("bone_metastases", TomitaBoneMetastases),
        ),
    )
    return score_tomita(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
