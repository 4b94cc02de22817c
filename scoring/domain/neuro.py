"""Frankel grade and ASIA Impairment Scale (scoring-spec.md §8.1-8.2).

Recorded grades, not sums. The two scales are separate and never converted into each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    COMPLETE,
    Calculator,
    ComponentResult,
    ErrorCollector,
    Meta,
    Reader,
    ScoreResult,
    build,
    check_enum,
    incomplete,
    make_result,
    option_field,
)
from .vocabulary import AsiaGrade, FrankelGrade

FRANKEL_META = Meta(
    name="frankel",
    title="Frankel grade",
    version="frankel-1.0.0",
    citation=(
        "Frankel HL, Hancock DO, Hyslop G, et al. The value of postural reduction in the initial "
        "management of closed injuries of the spine with paraplegia and tetraplegia. "
        "Paraplegia. 1969;7(3):179-192."
    ),
)
ASIA_META = Meta(
    name="asia",
    title="ASIA Impairment Scale (AIS, ISNCSCI)",
    version="asia-1.0.0",
    citation=(
        "Kirshblum SC, Burns SP, Biering-Sorensen F, et al. International standards for "
        "neurological classification of spinal cord injury (revised 2011). J Spinal Cord Med. "
        "2011;34(6):535-546."
    ),
)

FRANKEL_DEFINITIONS: dict[FrankelGrade, str] = {
    FrankelGrade.A: "Complete: no motor or sensory function below the level of the lesion.",
    FrankelGrade.B: "Sensory only: some sensation preserved below the level; no motor function.",
    FrankelGrade.C: "Motor useless: some motor function below the level, of no practical use.",
    FrankelGrade.D: (
        "Motor useful: useful motor function below the level (can move the legs; many walk, "
        "with or without aids)."
    ),
    FrankelGrade.E: "Recovery: no neurological deficit (abnormal reflexes may remain).",
}
ASIA_DEFINITIONS: dict[AsiaGrade, str] = {
    AsiaGrade.A: "Complete: no sensory or motor function preserved in the sacral segments S4-S5.",
    AsiaGrade.B: (
        "Sensory incomplete: sensory but not motor function preserved below the neurological "
        "level, including S4-S5, and no motor function more than three levels below the motor "
        "level on either side."
    ),
    AsiaGrade.C: (
        "Motor incomplete: motor function preserved below the neurological level; less than "
        "half of key muscle functions below the single neurological level have grade >= 3."
    ),
    AsiaGrade.D: (
        "Motor incomplete: as C, with at least half of key muscle functions below the single "
        "neurological level having grade >= 3."
    ),
    AsiaGrade.E: (
        "Normal: sensation and motor function normal in all segments in a patient who had "
        "prior deficits."
    ),
}
NOT_CONVERTIBLE = "Frankel and AIS grades are not interchangeable; never converted."


@dataclass(frozen=True)
class FrankelInput:
    frankel_grade: FrankelGrade | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "frankel_grade", self.frankel_grade, FrankelGrade)
        errors.raise_if_any()


@dataclass(frozen=True)
class AsiaInput:
    asia_grade: AsiaGrade | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "asia_grade", self.asia_grade, AsiaGrade)
        errors.raise_if_any()


def _grade_result(
    meta: Meta, key: str, grade: FrankelGrade | AsiaGrade | None, definition: str, evidence: str
) -> ScoreResult:
    notes = [NOT_CONVERTIBLE, evidence]
    if grade is None:
        return incomplete(meta, [key], notes=notes)
    return make_result(
        meta,
        status=COMPLETE,
        category=grade.value,
        category_label=grade.label,
        components=[ComponentResult(key, grade.value, None, grade.label)],
        interpretation=definition,
        notes=notes,
    )


def grade_frankel(inp: FrankelInput) -> ScoreResult:
    g = inp.frankel_grade
    definition = FRANKEL_DEFINITIONS[g] if g is not None else ""
    return _grade_result(
        FRANKEL_META,
        "frankel_grade",
        g,
        definition,
        "[secondary] Definitions cross-checked; original not re-read.",
    )


def grade_asia(inp: AsiaInput) -> ScoreResult:
    g = inp.asia_grade
    definition = ASIA_DEFINITIONS[g] if g is not None else ""
    return _grade_result(
        ASIA_META, "asia_grade", g, definition, "[secondary] ISNCSCI wording (2011/2019)."
    )


# --- JSON -----------------------------------------------------------------------------------

FRANKEL_FIELDS = (option_field("frankel_grade", "Frankel grade", FrankelGrade),)
ASIA_FIELDS = (option_field("asia_grade", "ASIA Impairment Scale grade", AsiaGrade),)


def evaluate_frankel(data: object) -> ScoreResult:
    r = Reader(data, FRANKEL_FIELDS)
    return grade_frankel(
        build(r, lambda: FrankelInput(frankel_grade=r.option("frankel_grade", FrankelGrade)))
    )


def evaluate_asia(data: object) -> ScoreResult:
    r = Reader(data, ASIA_FIELDS)
    return grade_asia(build(r, lambda: AsiaInput(asia_grade=r.option("asia_grade", AsiaGrade))))


FRANKEL_CALCULATOR = Calculator(
    FRANKEL_META.name,
    FRANKEL_META.title,
    FRANKEL_META.citation,
    FRANKEL_META.version,
    FRANKEL_FIELDS,
    evaluate_frankel,
)
ASIA_CALCULATOR = Calculator(
    ASIA_META.name,
    ASIA_META.title,
    ASIA_META.citation,
    ASIA_META.version,
    ASIA_FIELDS,
    evaluate_asia,
)
