"""Patient-reported and functional instruments (scoring-spec.md §10).

EQ-5D-5L index (three additive value sets), Barthel Index, BPI short form and the Vitality
Index ([unverified]: the result says so). Item inputs are integers restricted to the values
each instrument lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .base import (
    COMPLETE,
    Band,
    Calculator,
    ComponentResult,
    ErrorCollector,
    FieldSpec,
    Meta,
    Reader,
    ScoreResult,
    build,
    check_enum,
    check_int,
    find_band,
    fmt,
    incomplete,
    make_result,
    option_field,
    total_points,
)
from .vocabulary import Eq5dValueSet

# --- EQ-5D-5L (§10.1) -----------------------------------------------------------------------

EQ5D_META = Meta(
    name="eq5d_5l",
    title="EQ-5D-5L index value",
    version="eq5d_5l-1.0.0",
    citation=(
        "Herdman M, Gudex C, Lloyd A, et al. Development and preliminary testing of the new "
        "five-level version of EQ-5D (EQ-5D-5L). Qual Life Res. 2011;20(10):1727-1736."
    ),
)

EQ5D_DIMENSIONS = (
    "mobility",
    "self_care",
    "usual_activities",
    "pain_discomfort",
    "anxiety_depression",
)
EQ5D_LEVEL_LABELS = {
    1: "no problems",
    2: "slight problems",
    3: "moderate problems",
    4: "severe problems",
    5: "unable to / extreme problems",
}
_HEALTH_STATE = re.compile(r"[1-5]{5}")


@dataclass(frozen=True)
class ValueSet:
    """An additive value set: ``start + constant (if any dimension > 1) + Σ coefficients``."""

    citation: str
    constant: Decimal
    #: Per dimension (spec order), the coefficients of levels 2, 3, 4, 5 (level 1 is 0).
    coefficients: tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...]
    note: str


def _row(*values: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    a, b, c, d = (Decimal(v) for v in values)
    return a, b, c, d


def _columns(
    *levels: tuple[str, str, str, str, str],
) -> tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...]:
    """Transpose the spec tables (one row per level, MO SC UA PD AD) into per-dimension rows."""
    return tuple(_row(*(level[d] for level in levels)) for d in range(5))


VALUE_SETS: dict[Eq5dValueSet, ValueSet] = {
    Eq5dValueSet.JAPAN_CTTO: ValueSet(
        citation=(
            "Shiroiwa T, Ikeda S, Noto S, et al. Comparison of value set based on DCE and/or TTO "
            "data: scoring for EQ-5D-5L health states in Japan. Value Health. 2016;19(5):648-654."
        ),
        constant=Decimal("-0.0609"),
        coefficients=_columns(
            ("-0.0639", "-0.0436", "-0.0504", "-0.0445", "-0.0718"),
            ("-0.1126", "-0.0767", "-0.0911", "-0.0682", "-0.1105"),
            ("-0.1790", "-0.1243", "-0.1479", "-0.1314", "-0.1682"),
            ("-0.2429", "-0.1597", "-0.1748", "-0.1912", "-0.1960"),
        ),
        note=(
            "Japan cTTO model (Shiroiwa 2016); confirm the model (cTTO or DCE) used by a study "
            "before comparing with its figures."
        ),
    ),
    Eq5dValueSet.USA: ValueSet(
        citation=(
            "Pickard AS, Law EH, Jiang R, et al. United States valuation of EQ-5D-5L health "
            "states using an international protocol. Value Health. 2019;22(8):931-941."
        ),
        constant=Decimal(0),
        coefficients=_columns(
            ("-0.096", "-0.089", "-0.068", "-0.060", "-0.057"),
            ("-0.122", "-0.107", "-0.101", "-0.098", "-0.123"),
            ("-0.237", "-0.220", "-0.255", "-0.318", "-0.299"),
            ("-0.322", "-0.261", "-0.255", "-0.414", "-0.321"),
        ),
        note="USA value set (Pickard 2019).",
    ),
    Eq5dValueSet.ENGLAND: ValueSet(
        citation=(
            "Devlin NJ, Shah KK, Feng Y, Mulhern B, van Hout B. Valuing health-related quality of "
            "life: an EQ-5D-5L value set for England. Health Econ. 2018;27(1):7-22."
        ),
        constant=Decimal(0),
        coefficients=_columns(
            ("-0.058", "-0.050", "-0.050", "-0.063", "-0.078"),
            ("-0.076", "-0.080", "-0.063", "-0.084", "-0.104"),
            ("-0.207", "-0.164", "-0.162", "-0.276", "-0.285"),
            ("-0.274", "-0.203", "-0.184", "-0.335", "-0.289"),
        ),
        note=(
            "England value set (Devlin 2018): NICE advises against it for appraisals and "
            "recommends mapping to EQ-5D-3L; report which was used."
        ),
    ),
}


def eq5d_index(levels: tuple[int, ...], value_set: Eq5dValueSet) -> Decimal:
    """The unrounded index of a health state (levels in dimension order)."""
    vs = VALUE_SETS[value_set]
    index = Decimal(1)
    if any(level > 1 for level in levels):
        index += vs.constant
    for dimension, level in enumerate(levels):
        if level > 1:
            index += vs.coefficients[dimension][level - 2]
    return index


@dataclass(frozen=True)
class Eq5dInput:
    mobility: int | None = None
    self_care: int | None = None
    usual_activities: int | None = None
    pain_discomfort: int | None = None
    anxiety_depression: int | None = None
    health_state: str | None = None
    value_set: Eq5dValueSet | None = None
    vas: int | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        for key in EQ5D_DIMENSIONS:
            check_int(errors, key, getattr(self, key), lambda v: 1 <= v <= 5, "1, 2, 3, 4, 5")
        state = self.health_state
        if state is not None and not (isinstance(state, str) and _HEALTH_STATE.fullmatch(state)):
            errors.add(
                "health_state",
                f"{state!r} is not a valid value for health_state; allowed: five digits 1-5 in "
                "the order MO SC UA PD AD, e.g. '21312'",
            )
        check_enum(errors, "value_set", self.value_set, Eq5dValueSet)
        check_int(errors, "vas", self.vas, lambda v: 0 <= v <= 100, "0-100")
        errors.raise_if_any()
        if state is not None:
            for key, digit in zip(EQ5D_DIMENSIONS, state, strict=True):
                given = getattr(self, key)
                if given is not None and given != int(digit):
                    errors.add(
                        "health_state",
                        f"health_state {state} gives {key}={digit} but {key} is {given}; give "
                        "one of them, or make them agree",
                    )
        errors.raise_if_any()

    def levels(self) -> tuple[int | None, ...]:
        if self.health_state is not None:
            return tuple(int(d) for d in self.health_state)
        return tuple(getattr(self, key) for key in EQ5D_DIMENSIONS)


def score_eq5d_5l(inp: Eq5dInput) -> ScoreResult:
    levels = inp.levels()
    missing = [key for key, level in zip(EQ5D_DIMENSIONS, levels, strict=True) if level is None]
    if inp.value_set is None:
        missing.append("value_set")
    details: dict[str, object] = {
        "value_set": inp.value_set.value if inp.value_set is not None else None,
        "vas": inp.vas,
    }
    known = tuple(level for level in levels if level is not None)
    components = []
    derived = f"health_state={inp.health_state}" if inp.health_state is not None else None
    for key, level in zip(EQ5D_DIMENSIONS, levels, strict=True):
        if level is not None:
            points: float | None = None
            if inp.value_set is not None:
                coefficients = VALUE_SETS[inp.value_set].coefficients
                dim = EQ5D_DIMENSIONS.index(key)
                points = 0.0 if level == 1 else float(coefficients[dim][level - 2])
            label = f"{key.replace('_', ' ').capitalize()}: {EQ5D_LEVEL_LABELS[level]}"
            components.append(ComponentResult(key, str(level), points, label, derived))
    if missing or inp.value_set is None or len(known) != 5:
        return incomplete(EQ5D_META, missing, components, details=details)
    vs = VALUE_SETS[inp.value_set]
    index = eq5d_index(known, inp.value_set)
    state = "".join(str(level) for level in known)
    constant = vs.constant if any(level > 1 for level in known) else Decimal(0)
    details.update(
        {
            "health_state": state,
            "constant_applied": float(constant),
            "value_set_citation": vs.citation,
            "index_exact": str(index),
        }
    )
    return make_result(
        EQ5D_META,
        status=COMPLETE,
        total=float(index),
        components=components,
        interpretation=(
            f"EQ-5D-5L index {index} for state {state} ({inp.value_set.label} value set; "
            "1 = full health, higher = better)."
        ),
        notes=[vs.note, "Unrounded index; the value set is stored with it."],
        details=details,
    )


# --- Barthel Index (§10.2) ------------------------------------------------------------------

BARTHEL_META = Meta(
    name="barthel",
    title="Barthel Index",
    version="barthel-1.0.0",
    citation=(
        "Mahoney FI, Barthel DW. Functional evaluation: the Barthel Index. Md State Med J. "
        "1965;14:61-65."
    ),
)

BARTHEL_ITEMS: dict[str, dict[int, str]] = {
    "feeding": {
        0: "Unable",
        5: "Needs help cutting, spreading butter etc., or modified diet",
        10: "Independent",
    },
    "bathing": {0: "Dependent", 5: "Independent (or in shower)"},
    "grooming": {
        0: "Needs help with personal care",
        5: "Independent face/hair/teeth/shaving (implements provided)",
    },
    "dressing": {
        0: "Dependent",
        5: "Needs help but can do about half unaided",
        10: "Independent (incl. buttons, zips, laces)",
    },
    "bowels": {0: "Incontinent (or needs enemas)", 5: "Occasional accident", 10: "Continent"},
    "bladder": {
        0: "Incontinent, or catheterised and unable to manage alone",
        5: "Occasional accident",
        10: "Continent",
    },
    "toilet_use": {
        0: "Dependent",
        5: "Needs some help but can do something alone",
        10: "Independent (on and off, dressing, wiping)",
    },
    "transfers": {
        0: "Unable, no sitting balance",
        5: "Major help (one or two people, physical), can sit",
        10: "Minor help (verbal or physical)",
        15: "Independent",
    },
    "mobility": {
        0: "Immobile or < 50 yards",
        5: "Wheelchair independent incl. corners, > 50 yards",
        10: "Walks with help of one person (verbal or physical) > 50 yards",
        15: "Independent (may use any aid, e.g. stick) > 50 yards",
    },
    "stairs": {0: "Unable", 5: "Needs help (verbal, physical, carrying aid)", 10: "Independent"},
}

BARTHEL_BANDS = (
    Band(0, 20, "total_dependency", "Total dependency [secondary]", "Total dependency."),
    Band(21, 60, "severe_dependency", "Severe dependency [secondary]", "Severe dependency."),
    Band(61, 90, "moderate_dependency", "Moderate dependency [secondary]", "Moderate dependency."),
    Band(91, 99, "slight_dependency", "Slight dependency [secondary]", "Slight dependency."),
    Band(100, 100, "independent", "Independent [secondary]", "Independent."),
)


def _items_input_errors(
    errors: ErrorCollector, obj: object, items: dict[str, dict[int, str]]
) -> None:
    for key, values in items.items():
        check_int(
            errors,
            key,
            getattr(obj, key),
            values.__contains__,
            ", ".join(str(v) for v in values),
        )


@dataclass(frozen=True)
class BarthelInput:
    feeding: int | None = None
    bathing: int | None = None
    grooming: int | None = None
    dressing: int | None = None
    bowels: int | None = None
    bladder: int | None = None
    toilet_use: int | None = None
    transfers: int | None = None
    mobility: int | None = None
    stairs: int | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        _items_input_errors(errors, self, BARTHEL_ITEMS)
        errors.raise_if_any()


def _item_components(
    obj: object, items: dict[str, dict[int, str]]
) -> tuple[list[ComponentResult], list[str]]:
    components: list[ComponentResult] = []
    missing: list[str] = []
    for key, labels in items.items():
        value = getattr(obj, key)
        if value is None:
            missing.append(key)
        else:
            components.append(ComponentResult(key, str(value), value, labels[value]))
    return components, missing


def score_barthel(inp: BarthelInput) -> ScoreResult:
    components, missing = _item_components(inp, BARTHEL_ITEMS)
    if missing:
        return incomplete(BARTHEL_META, missing, components)
    total = total_points(components)
    band = find_band(BARTHEL_BANDS, total)
    return make_result(
        BARTHEL_META,
        status=COMPLETE,
        total=total,
        category=band.key,
        category_label=band.label,
        components=components,
        interpretation=f"Barthel Index {total}/100 (higher = more independent).",
        notes=["[secondary] Dependency bands are secondary and shown for orientation only."],
    )


# --- BPI short form (§10.3) -----------------------------------------------------------------

BPI_META = Meta(
    name="bpi_sf",
    title="Brief Pain Inventory - short form",
    version="bpi_sf-1.0.0",
    citation=(
        "Cleeland CS, Ryan KM. Pain assessment: global use of the Brief Pain Inventory. Ann "
        "Acad Med Singapore. 1994;23(2):129-138."
    ),
)
BPI_SEVERITY = ("worst_pain", "least_pain", "average_pain", "pain_now")
BPI_INTERFERENCE = (
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations_with_other_people",
    "sleep",
    "enjoyment_of_life",
)
BPI_MIN_INTERFERENCE = 4


@dataclass(frozen=True)
class BpiInput:
    worst_pain: int | None = None
    least_pain: int | None = None
    average_pain: int | None = None
    pain_now: int | None = None
    general_activity: int | None = None
    mood: int | None = None
    walking_ability: int | None = None
    normal_work: int | None = None
    relations_with_other_people: int | None = None
    sleep: int | None = None
    enjoyment_of_life: int | None = None
    relief_percent: int | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        for key in (*BPI_SEVERITY, *BPI_INTERFERENCE):
            check_int(errors, key, getattr(self, key), lambda v: 0 <= v <= 10, "0-10")
        check_int(
            errors,
            "relief_percent",
            self.relief_percent,
            lambda v: 0 <= v <= 100 and v % 10 == 0,
            "0, 10, 20, ..., 100",
        )
        errors.raise_if_any()


def score_bpi_sf(inp: BpiInput) -> ScoreResult:
    components = [
        ComponentResult(key, str(getattr(inp, key)), getattr(inp, key), key.replace("_", " "))
        for key in (*BPI_SEVERITY, *BPI_INTERFERENCE)
        if getattr(inp, key) is not None
    ]
    severity_values = [getattr(inp, key) for key in BPI_SEVERITY]
    interference_values = [getattr(inp, key) for key in BPI_INTERFERENCE]
    answered = [v for v in interference_values if v is not None]
    missing = [key for key in BPI_SEVERITY if getattr(inp, key) is None]
    if len(answered) < BPI_MIN_INTERFERENCE:
        missing += [key for key in BPI_INTERFERENCE if getattr(inp, key) is None]
    severity = None if None in severity_values else sum(severity_values) / 4
    interference = sum(answered) / len(answered) if len(answered) >= BPI_MIN_INTERFERENCE else None
    details: dict[str, object] = {
        "pain_severity": severity,
        "pain_interference": interference,
        "interference_items_answered": len(answered),
        "relief_percent": inp.relief_percent,
    }
    notes = [
        "[secondary] Interference mean computed only with at least 4 of 7 items answered "
        "(BPI user guide rule)."
    ]
    if missing or severity is None or interference is None:
        return incomplete(BPI_META, missing, components, notes, details)
    return make_result(
        BPI_META,
        status=COMPLETE,
        components=components,
        interpretation=(
            f"Pain severity {fmt(severity)}/10 (mean of 4 items); pain interference "
            f"{fmt(interference)}/10 (mean of {len(answered)} of 7 items). Higher = worse."
        ),
        notes=notes,
        details=details,
    )


# --- Vitality Index (§10.6) -----------------------------------------------------------------

VITALITY_META = Meta(
    name="vitality_index",
    title="Vitality Index [unverified]",
    version="vitality_index-1.0.0",
    citation=(
        "Toba K, Nakai R, Akishita M, et al. Vitality Index as a useful tool to assess elderly "
        "with dementia. Geriatr Gerontol Int. 2002;2(1):23-29."
    ),
)
VITALITY_ITEMS: dict[str, dict[int, str]] = {
    "waking": {
        2: "Wakes spontaneously at the usual time",
        1: "Wakes when prompted",
        0: "Does not wake even when prompted",
    },
    "communication": {
        2: "Greets/speaks spontaneously",
        1: "Responds to greeting or conversation",
        0: "No response",
    },
    "feeding": {2: "Eats on own initiative", 1: "Eats when encouraged", 0: "Refuses / no interest"},
    "toileting": {
        2: "Always indicates need or goes to the toilet",
        1: "Sometimes indicates",
        0: "Unaware of excretion",
    },
    "rehabilitation_activity": {
        2: "Participates spontaneously",
        1: "Participates when encouraged",
        0: "Refuses / no interest",
    },
}
VITALITY_NOTE = (
    "[unverified] Vitality Index wording and scoring not checked against Toba 2002: not "
    "authoritative until verified."
)


@dataclass(frozen=True)
class VitalityInput:
    waking: int | None = None
    communication: int | None = None
    feeding: int | None = None
    toileting: int | None = None
    rehabilitation_activity: int | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        _items_input_errors(errors, self, VITALITY_ITEMS)
        errors.raise_if_any()


def score_vitality_index(inp: VitalityInput) -> ScoreResult:
    components, missing = _item_components(inp, VITALITY_ITEMS)
    details = {"evidence": "unverified"}
    if missing:
        return incomplete(VITALITY_META, missing, components, [VITALITY_NOTE], details)
    total = total_points(components)
    return make_result(
        VITALITY_META,
        status=COMPLETE,
        total=total,
        components=components,
        interpretation=f"Vitality Index {total}/10 (higher = more vitality) [unverified].",
        notes=[VITALITY_NOTE],
        details=details,
    )


# --- JSON -----------------------------------------------------------------------------------


def _int_items(items: dict[str, dict[int, str]], allowed: dict[str, str]) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(
            key,
            key.replace("_", " ").capitalize(),
            "integer",
            tuple((str(v), label) for v, label in labels.items()),
            True,
            f"Points: {allowed[key]}.",
        )
        for key, labels in items.items()
    )


def _allowed(items: dict[str, dict[int, str]]) -> dict[str, str]:
    return {key: ", ".join(str(v) for v in labels) for key, labels in items.items()}


_LEVEL_OPTIONS = tuple((str(v), label) for v, label in EQ5D_LEVEL_LABELS.items())
EQ5D_FIELDS: tuple[FieldSpec, ...] = (
    *(
        FieldSpec(
            key,
            key.replace("_", " ").capitalize(),
            "integer",
            _LEVEL_OPTIONS,
            True,
            "Level 1-5, or give health_state.",
        )
        for key in EQ5D_DIMENSIONS
    ),
    FieldSpec(
        "health_state",
        "Health state (5 digits, MO SC UA PD AD)",
        "string",
        (),
        False,
        "e.g. '21312'; instead of the five dimensions.",
        alternative_to="mobility",
    ),
    option_field("value_set", "Value set", Eq5dValueSet, help="Stored with the index."),
    FieldSpec("vas", "EQ VAS (0-100)", "integer", (), False, "Recorded, not part of the index."),
)


def evaluate_eq5d(data: object) -> ScoreResult:
    r = Reader(data, EQ5D_FIELDS)
    state = r.raw("health_state")
    if state is not None and not isinstance(state, str):
        r.error("health_state", "expected a string for health_state; allowed: e.g. '21312'")
        state = None
    dims = {key: r.integer(key, "1, 2, 3, 4, 5") for key in EQ5D_DIMENSIONS}
    value_set = r.option("value_set", Eq5dValueSet)
    vas = r.integer("vas", "0-100")
    inp = build(r, lambda: Eq5dInput(**dims, health_state=state, value_set=value_set, vas=vas))
    return score_eq5d_5l(inp)


BARTHEL_ALLOWED = _allowed(BARTHEL_ITEMS)
BARTHEL_FIELDS = _int_items(BARTHEL_ITEMS, BARTHEL_ALLOWED)


def evaluate_barthel(data: object) -> ScoreResult:
    r = Reader(data, BARTHEL_FIELDS)
    values = {key: r.integer(key, BARTHEL_ALLOWED[key]) for key in BARTHEL_ITEMS}
    return score_barthel(build(r, lambda: BarthelInput(**values)))


BPI_FIELDS: tuple[FieldSpec, ...] = (
    *(
        FieldSpec(key, key.replace("_", " ").capitalize(), "integer", (), True, "0-10 NRS.")
        for key in BPI_SEVERITY
    ),
    *(
        FieldSpec(
            key,
            f"Interference: {key.replace('_', ' ')}",
            "integer",
            (),
            False,
            "0-10; the mean needs at least 4 of 7 answered.",
        )
        for key in BPI_INTERFERENCE
    ),
    FieldSpec(
        "relief_percent", "Relief from treatment (%)", "integer", (), False, "0-100, steps of 10."
    ),
)


def evaluate_bpi(data: object) -> ScoreResult:
    r = Reader(data, BPI_FIELDS)
    values = {key: r.integer(key, "0-10") for key in (*BPI_SEVERITY, *BPI_INTERFERENCE)}
    relief = r.integer("relief_percent", "0, 10, 20, ..., 100")
    return score_bpi_sf(build(r, lambda: BpiInput(**values, relief_percent=relief)))


VITALITY_ALLOWED = _allowed(VITALITY_ITEMS)
VITALITY_FIELDS = _int_items(VITALITY_ITEMS, VITALITY_ALLOWED)


def evaluate_vitality(data: object) -> ScoreResult:
    r = Reader(data, VITALITY_FIELDS)
    values = {key: r.integer(key, VITALITY_ALLOWED[key]) for key in VITALITY_ITEMS}
    return score_vitality_index(build(r, lambda: VitalityInput(**values)))


def _calculator(
    meta: Meta, fields: tuple[FieldSpec, ...], evaluate: Callable[[object], ScoreResult]
) -> Calculator:
    return Calculator(meta.name, meta.title, meta.citation, meta.version, fields, evaluate)


EQ5D_CALCULATOR = _calculator(EQ5D_META, EQ5D_FIELDS, evaluate_eq5d)
BARTHEL_CALCULATOR = _calculator(BARTHEL_META, BARTHEL_FIELDS, evaluate_barthel)
BPI_CALCULATOR = _calculator(BPI_META, BPI_FIELDS, evaluate_bpi)
VITALITY_CALCULATOR = _calculator(VITALITY_META, VITALITY_FIELDS, evaluate_vitality)
