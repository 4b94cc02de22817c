"""Bauer score (1995) and modified Bauer score (2008), scoring-spec.md §4. Higher = better.

Inputs are the clinical facts (``visceral_metastases``, ``pathologic_fracture``,
``solitary_skeletal_metastasis`` booleans and ``primary_site``); the five items are derived from
them. The modified score drops the pathologic-fracture item; ``pathologic_fracture`` is optional
there and used only to show the §4.3 disagreement with the Bauer score.
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
    banded_result,
    build,
    check_bool,
    check_enum,
    find_band,
    incomplete,
    option_field,
    total_points,
)
from .vocabulary import PrimaryTumor

BAUER_META = Meta(
    name="bauer",
    title="Bauer score (1995)",
    version="bauer-1.0.0",
    citation=(
        "Bauer HC, Wedin R. Survival after surgery for spinal and extremity metastases. "
        "Prognostication in 241 patients. Acta Orthop Scand. 1995;66(2):143-146. "
        "doi:10.3109/17453679508995508"
    ),
)
MODIFIED_META = Meta(
    name="modified_bauer",
    title="Modified Bauer score (2008)",
    version="modified_bauer-1.0.0",
    citation=(
        "Leithner A, Radl R, Gruber G, Hochegger M, Leithner K, Welkerling H, Rehak P, "
        "Windhager R. Predictive value of seven preoperative prognostic scoring systems for "
        "spinal metastases. Eur Spine J. 2008;17(11):1488-1495. doi:10.1007/s00586-008-0763-1"
    ),
)

FAVOURABLE_PRIMARIES = frozenset(
    {
        PrimaryTumor.BREAST,
        PrimaryTumor.KIDNEY,
        PrimaryTumor.LYMPHOMA,
        PrimaryTumor.MULTIPLE_MYELOMA,
    }
)
#: §12: small-cell lung cancer is lung for Bauer.
LUNG_PRIMARIES = frozenset({PrimaryTumor.LUNG, PrimaryTumor.LUNG_SMALL_CELL})

BAUER_BANDS = (
    Band(
        0,
        1,
        "0_1",
        "Poor: 1-year survival about 0 (survival < 6 months) [secondary]",
        "Bauer 0-1: poor prognosis, 1-year survival about 0 (survival < 6 months) [secondary].",
    ),
    Band(
        2,
        3,
        "2_3",
        "Intermediate: 1-year survival about 25 % [secondary]",
        "Bauer 2-3: intermediate prognosis, 1-year survival about 25 % [secondary].",
    ),
    Band(
        4,
        5,
        "4_5",
        "Good: 1-year survival about 50 % [secondary]",
        "Bauer 4-5: good prognosis, 1-year survival about 50 % [secondary].",
    ),
)
MODIFIED_BANDS = (
    Band(
        0,
        1,
        "poor",
        "Poor prognosis (< 6 months)",
        "Modified Bauer 0-1: poor prognosis (< 6 months). Strategy associated in the "
        "literature: supportive / conservative care.",
    ),
    Band(
        2,
        2,
        "moderate",
        "Moderate prognosis (> 6 months)",
        "Modified Bauer 2: moderate prognosis (> 6 months). Strategy associated in the "
        "literature: palliative surgery.",
    ),
    Band(
        3,
        4,
        "good",
        "Good prognosis (> 12 months)",
        "Modified Bauer 3-4: good prognosis (> 12 months). Strategy associated in the "
        "literature: excisional surgery.",
    ),
)
GROUPS_NOTE = (
    "[secondary] Group cut points from secondary reproductions; the original abstract gives "
    "three groups with 1-year survival from 0.5 to 0.0."
)
MODIFIED_NOTE = (
    "[secondary] Cut points 0-1 / 2 / 3-4 from secondary sources; strategies are the "
    "association reported in the literature."
)


@dataclass(frozen=True)
class BauerInput:
    visceral_metastases: bool | None = None
    pathologic_fracture: bool | None = None
    solitary_skeletal_metastasis: bool | None = None
    primary_site: PrimaryTumor | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_bool(errors, "visceral_metastases", self.visceral_metastases)
        check_bool(errors, "pathologic_fracture", self.pathologic_fracture)
        check_bool(errors, "solitary_skeletal_metastasis", self.solitary_skeletal_metastasis)
        check_enum(errors, "primary_site", self.primary_site, PrimaryTumor)
        errors.raise_if_any()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def bauer_items(inp: BauerInput, *, modified: bool) -> tuple[list[ComponentResult], list[str]]:
    """The item components that can be scored, and the missing input keys (spec order)."""
    components: list[ComponentResult] = []
    missing: list[str] = []
    if inp.visceral_metastases is None:
        missing.append("visceral_metastases")
    else:
        ok = not inp.visceral_metastases
        components.append(
            ComponentResult(
                "no_visceral_metastases",
                _flag(ok),
                int(ok),
                "No visceral metastases (brain counts as visceral)",
                f"visceral_metastases={_flag(inp.visceral_metastases)}",
            )
        )
    if not modified:
        if inp.pathologic_fracture is None:
            missing.append("pathologic_fracture")
        else:
            ok = not inp.pathologic_fracture
            components.append(
                ComponentResult(
                    "no_pathologic_fracture",
                    _flag(ok),
                    int(ok),
                    "No pathologic fracture",
                    f"pathologic_fracture={_flag(inp.pathologic_fracture)}",
                )
            )
    if inp.solitary_skeletal_metastasis is None:
        missing.append("solitary_skeletal_metastasis")
    else:
        ok = inp.solitary_skeletal_metastasis
        components.append(
            ComponentResult(
                "solitary_skeletal_metastasis",
                _flag(ok),
                int(ok),
                "Solitary skeletal metastasis",
                f"solitary_skeletal_metastasis={_flag(ok)}",
            )
        )
    if inp.primary_site is None:
        missing.append("primary_site")
    else:
        site = inp.primary_site
        not_lung = site not in LUNG_PRIMARIES
        favourable = site in FAVOURABLE_PRIMARIES
        components.append(
            ComponentResult(
                "primary_not_lung",
                _flag(not_lung),
                int(not_lung),
                "Primary tumor is not lung cancer",
                f"primary_site={site.value}",
            )
        )
        components.append(
            ComponentResult(
                "primary_favourable",
                _flag(favourable),
                int(favourable),
                "Primary tumor is breast, kidney, lymphoma or multiple myeloma",
                f"primary_site={site.value}",
            )
        )
    return components, missing


def modified_bauer_total(inp: BauerInput) -> int | None:
    """The modified Bauer total, or None when an input it needs is missing."""
    components, missing = bauer_items(inp, modified=True)
    return None if missing else total_points(components)


def compare_bauer(inp: BauerInput) -> tuple[int | None, int | None, str | None]:
    """Both totals (None when not computable) and the §4.3 disagreement note, if any."""
    full, missing_full = bauer_items(inp, modified=False)
    bauer = None if missing_full else total_points(full)
    modified = modified_bauer_total(inp)
    if bauer is None or modified is None:
        return bauer, modified, None
    bauer_band, modified_band = find_band(BAUER_BANDS, bauer), find_band(MODIFIED_BANDS, modified)
    note = None
    if bauer_band.key == "2_3" and modified_band.key != "moderate":
        note = (
            f"Bauer and modified Bauer disagree for this pattern (section 4.3): Bauer {bauer} "
            f"({bauer_band.key}) vs modified Bauer {modified} ({modified_band.key})."
        )
    return bauer, modified, note


def _score(inp: BauerInput, *, modified: bool) -> ScoreResult:
    meta = MODIFIED_META if modified else BAUER_META
    bands = MODIFIED_BANDS if modified else BAUER_BANDS
    components, missing = bauer_items(inp, modified=modified)
    notes = [MODIFIED_NOTE if modified else GROUPS_NOTE]
    if missing:
        return incomplete(meta, missing, components, notes)
    if modified and inp.pathologic_fracture is not None:
        notes.append("pathologic_fracture is not scored in the modified Bauer score.")
    bauer, modified_total, disagreement = compare_bauer(inp)
    details: dict[str, object] = {"bauer_total": bauer, "modified_bauer_total": modified_total}
    if disagreement is not None:
        notes.append(disagreement)
    return banded_result(meta, bands, components, notes=notes, details=details)


def score_bauer(inp: BauerInput) -> ScoreResult:
    return _score(inp, modified=False)


def score_modified_bauer(inp: BauerInput) -> ScoreResult:
    return _score(inp, modified=True)


# --- JSON -----------------------------------------------------------------------------------


def _bauer_fields(*, modified: bool) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(
            "visceral_metastases",
            "Visceral metastases (brain metastases count as visceral)",
            "boolean",
        ),
        FieldSpec(
            "pathologic_fracture",
            "Pathologic fracture",
            "boolean",
            (),
            not modified,
            "Not scored in the modified Bauer score; used only to show the section 4.3 "
            "disagreement."
            if modified
            else "",
        ),
        FieldSpec("solitary_skeletal_metastasis", "Solitary skeletal metastasis", "boolean"),
        option_field(
            "primary_site",
            "Primary tumor",
            PrimaryTumor,
            help="Favourable: breast, kidney, lymphoma, multiple myeloma; lung scores neither.",
        ),
    )


BAUER_FIELDS = _bauer_fields(modified=False)
MODIFIED_FIELDS = _bauer_fields(modified=True)


def read_bauer(data: object, fields: tuple[FieldSpec, ...]) -> BauerInput:
    r = Reader(data, fields)
    return build(
        r,
        lambda: BauerInput(
            visceral_metastases=r.boolean("visceral_metastases"),
            pathologic_fracture=r.boolean("pathologic_fracture"),
            solitary_skeletal_metastasis=r.boolean("solitary_skeletal_metastasis"),
            primary_site=r.option("primary_site", PrimaryTumor),
        ),
    )


def evaluate_bauer(data: object) -> ScoreResult:
    return score_bauer(read_bauer(data, BAUER_FIELDS))


def evaluate_modified_bauer(data: object) -> ScoreResult:
    return score_modified_bauer(read_bauer(data, MODIFIED_FIELDS))


BAUER_CALCULATOR = Calculator(
    BAUER_META.name,
    BAUER_META.title,
    BAUER_META.citation,
    BAUER_META.version,
    BAUER_FIELDS,
    evaluate_bauer,
)
MODIFIED_CALCULATOR = Calculator(
    MODIFIED_META.name,
    MODIFIED_META.title,
    MODIFIED_META.citation,
    MODIFIED_META.version,
    MODIFIED_FIELDS,
    evaluate_modified_bauer,
)
