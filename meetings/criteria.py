"""Standard-pathway criteria: which facts of a case a pathway may name, how a criterion is
validated, and whether a case meets a pathway (plain Python, no Django; table-tested in
``tests/meetings/test_criteria.py``).

A pathway's criteria are a list of conditions that must all hold::

    [{"fact": "sins_max", "op": "lt", "value": 7},
     {"fact": "escc_max", "op": "le", "value": "1b"},
     {"fact": "radiosensitivity", "op": "eq", "value": "radiosensitive"}]

``op`` is one of ``eq ne lt le gt ge in not_in`` (``in``/``not_in`` take a non-empty list).
Ordinal facts (ESCC grade, SINS category, Frankel grade, urgency, expected survival) compare
by their clinical order, not alphabetically: ``escc_max lt "2"`` holds for 0, 1a, 1b and 1c.
Choices and booleans compare only with ``eq ne in not_in`` (booleans: ``eq ne``).

The facts, derived from the case's records by ``derive_facts`` (``meetings.readiness`` hands
it the records). A fact that cannot be known is *missing*: a criterion on it is not met, and
its reason says what to enter — nothing is defaulted.

| fact | kind | derived from | missing when |
|---|---|---|---|
| ``sins_max`` | number | highest current SINS of the lesions | a lesion lacks a full SINS |
| ``sins_category_max`` | ordinal (a) | the same lesions' SINS categories | as ``sins_max`` |
| ``escc_max`` | ordinal (b) | highest ESCC grade of the lesions | a lesion is not graded |
| ``cord_compression`` | bool | any lesion with ESCC 2 or 3 | none 2-3, one not graded |
| ``lesion_count`` | number | the case's lesions | never (0 is a value) |
| ``pathologic_fracture`` | bool | any lesion fractured | none, one not assessed |
| ``mechanically_unstable`` | bool | any lesion grossly unstable (NOMS M) | none, one not judged |
| ``prior_radiotherapy_at_level`` | bool | a prior course overlaps a lesion | no lesion |
| ``radiosensitivity`` | choice | the case (radiation oncology) | not judged |
| ``primary_tumor`` | choice | the case | never (required) |
| ``urgency`` | ordinal (c) | the case | never |
| ``expected_survival`` | ordinal (d) | the case (the referrer's estimate) | ``unknown`` |
| ``able_to_tolerate_surgery`` | bool | the case (NOMS S) | not judged |
| ``neurological_deficit`` | choice | the current clinical status | no status / not entered |
| ``ambulatory_status`` | choice | the current clinical status | as above |
| ``frankel_grade`` | ordinal (e) | the current clinical status | as above |
| ``karnofsky`` | number | the current clinical status | as above |
| ``ecog`` | number | the current clinical status | as above |
| ``systemic_disease_status`` | choice | the current clinical status | as above, ``unknown`` |
| ``tokuhashi_total`` | number | the current revised Tokuhashi score | not complete |

Ordinal orders, low to high: (a) ``stable < potentially_unstable < unstable``;
(b) ``0 < 1a < 1b < 1c < 2 < 3``; (c) ``routine < urgent < emergency``;
(d) ``lt_3_months < 3_to_6_months < 6_to_12_months < gt_12_months``; (e) ``A < B < C < D < E``.
A missing SINS or ESCC on any lesion makes the maximum unknown: an unscored lesion might be the
worst one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scoring.domain.vocabulary import (
    AmbulatoryStatus,
    EsccGrade,
    FrankelGrade,
    PrimaryTumor,
    Radiosensitivity,
    SpinalLevel,
)

# Vocabularies of the cases app's models (Django): repeated here so this module stays plain
# Python; ``tests/meetings/test_criteria.py`` checks they equal the models' choices.
URGENCIES = ("routine", "urgent", "emergency")
EXPECTED_SURVIVAL = ("lt_3_months", "3_to_6_months", "6_to_12_months", "gt_12_months")
NEUROLOGICAL_DEFICITS = ("none", "radiculopathy", "myelopathy", "cauda_equina")
SYSTEMIC_DISEASE = ("newly_diagnosed", "responding", "stable", "progressing", "no_evidence")
SINS_CATEGORIES = ("stable", "potentially_unstable", "unstable")
HIGH_GRADE_ESCC = frozenset({EsccGrade.G2.value, EsccGrade.G3.value})


class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "bool"
    ORDINAL = "ordinal"
    CHOICE = "choice"


#: What each operator means, in words (for the reasons a case does not match).
OP_WORDS = {
    "eq": "",
    "ne": "other than",
    "lt": "below",
    "le": "at most",
    "gt": "above",
    "ge": "at least",
    "in": "one of",
    "not_in": "none of",
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
LIST_OPS = frozenset({"in", "not_in"})
_OPS_BY_KIND = {
    Kind.NUMBER: tuple(OP_WORDS),
    Kind.ORDINAL: tuple(OP_WORDS),
    Kind.CHOICE: ("eq", "ne", "in", "not_in"),
    Kind.BOOL: ("eq", "ne"),
}


@dataclass(frozen=True)
class Fact:
    name: str
    kind: Kind
    label: str
    missing: str  # the reason a criterion on it is not met when it cannot be known
    values: tuple[str, ...] = ()  # ordinal: low to high; choice: the allowed values

    @property
    def ops(self) -> tuple[str, ...]:
        return _OPS_BY_KIND[self.kind]


def _f(name: str, kind: Kind, label: str, missing: str, values: Iterable[str] = ()) -> Fact:
    return Fact(name, kind, label, missing, tuple(values))


_STATUS = "no current clinical status gives it"
FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        _f(
            "sins_max",
            Kind.NUMBER,
            "highest SINS",
            "SINS not scored (every lesion needs a complete SINS)",
        ),
        _f(
            "sins_category_max",
            Kind.ORDINAL,
            "highest SINS category",
            "SINS not scored (every lesion needs a complete SINS)",
            SINS_CATEGORIES,
        ),
        _f(
            "escc_max",
            Kind.ORDINAL,
            "highest ESCC grade",
            "ESCC not graded (every lesion needs its ESCC grade)",
            EsccGrade.keys(),
        ),
        _f(
            "cord_compression",
            Kind.BOOL,
            "cord compression (ESCC 2-3)",
            "cord compression unknown (a lesion has no ESCC grade)",
        ),
        _f("lesion_count", Kind.NUMBER, "number of lesions", "lesions unknown"),
        _f(
            "pathologic_fracture",
            Kind.BOOL,
            "pathologic fracture",
            "pathologic fracture not assessed on every lesion",
        ),
        _f(
            "mechanically_unstable",
            Kind.BOOL,
            "gross mechanical instability",
            "mechanical status not judged on every lesion",
        ),
        _f(
            "prior_radiotherapy_at_level",
            Kind.BOOL,
            "prior radiotherapy at a lesion's level",
            "no lesion recorded",
        ),
        _f(
            "radiosensitivity",
            Kind.CHOICE,
            "radiosensitivity",
            "radiosensitivity not judged",
            Radiosensitivity.keys(),
        ),
        _f(
            "primary_tumor",
            Kind.CHOICE,
            "primary tumor",
            "primary tumor not entered",
            PrimaryTumor.keys(),
        ),
        _f("urgency", Kind.ORDINAL, "urgency", "urgency not entered", URGENCIES),
        _f(
            "expected_survival",
            Kind.ORDINAL,
            "expected survival",
            "expected survival unknown",
            EXPECTED_SURVIVAL,
        ),
        _f(
            "able_to_tolerate_surgery",
            Kind.BOOL,
            "able to tolerate open surgery",
            "tolerance of open surgery not judged",
        ),
        _f(
            "neurological_deficit",
            Kind.CHOICE,
            "neurological deficit",
            f"neurological deficit not entered ({_STATUS})",
            NEUROLOGICAL_DEFICITS,
        ),
        _f(
            "ambulatory_status",
            Kind.CHOICE,
            "ambulatory status",
            f"ambulatory status not entered ({_STATUS})",
            AmbulatoryStatus.keys(),
        ),
        _f(
            "frankel_grade",
            Kind.ORDINAL,
            "Frankel grade",
            f"Frankel grade not entered ({_STATUS})",
            FrankelGrade.keys(),
        ),
        _f("karnofsky", Kind.NUMBER, "Karnofsky", f"Karnofsky not entered ({_STATUS})"),
        _f("ecog", Kind.NUMBER, "ECOG", f"ECOG not entered ({_STATUS})"),
        _f(
            "systemic_disease_status",
            Kind.CHOICE,
            "systemic disease status",
            f"systemic disease status not entered ({_STATUS})",
            SYSTEMIC_DISEASE,
        ),
        _f(
            "tokuhashi_total",
            Kind.NUMBER,
            "revised Tokuhashi score",
            "revised Tokuhashi score not complete",
        ),
    )
}

# --- Validation -------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_problem(fact: Fact, op: str, value: object) -> str | None:
    """What is wrong with ``value`` for ``fact`` and ``op`` (None: nothing)."""
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            return f"'{op}' takes a non-empty list of values."
        problems = [_value_problem(fact, "eq", item) for item in value]
        return next((p for p in problems if p), None)
    if fact.kind is Kind.NUMBER:
        return None if _is_number(value) else f"{fact.name} is compared with a number."
    if fact.kind is Kind.BOOL:
        return None if isinstance(value, bool) else f"{fact.name} is true or false."
    if not isinstance(value, str) or value not in fact.values:
        return f"{value!r} is not a value of {fact.name}; use one of {', '.join(fact.values)}."
    return None


def validate(criteria: object) -> dict[str, list[str]]:
    """The problems of a pathway's criteria, keyed by where they are (``criteria``,
    ``criteria[2].fact``, ``criteria[0].value``…); empty when the criteria are valid."""
    if not isinstance(criteria, list) or not criteria:
        return {"criteria": ["Give a list of at least one condition (all must hold)."]}
    errors: dict[str, list[str]] = {}
    for index, condition in enumerate(criteria):
        where = f"criteria[{index}]"
        if not isinstance(condition, dict):
            errors[where] = ['A condition is {"fact": ..., "op": ..., "value": ...}.']
            continue
        unknown = sorted(set(condition) - {"fact", "op", "value"})
        if unknown:
            errors[where] = [f"Unknown key(s): {', '.join(map(str, unknown))}."]
        fact = FACTS.get(condition.get("fact"))  # type: ignore[arg-type]
        op = condition.get("op")
        if fact is None:
            errors[f"{where}.fact"] = [
                f"Unknown fact {condition.get('fact')!r}; use one of {', '.join(FACTS)}."
            ]
        if op not in OP_WORDS:
            errors[f"{where}.op"] = [f"Unknown op {op!r}; use one of {', '.join(OP_WORDS)}."]
        elif fact is not None and op not in fact.ops:
            errors[f"{where}.op"] = [
                f"{fact.name} ({fact.kind}) is compared with {', '.join(fact.ops)}."
            ]
        elif fact is not None:
            if "value" not in condition:
                errors[f"{where}.value"] = ["Give the value to compare with."]
            else:
                problem = _value_problem(fact, str(op), condition["value"])
                if problem:
                    errors[f"{where}.value"] = [problem]
    return errors


# --- Evaluation -------------------------------------------------------------------------------


def _key(fact: Fact, value: Any) -> Any:
    """What is compared: an ordinal's position in its order, anything else itself."""
    return fact.values.index(value) if fact.kind is Kind.ORDINAL else value


def holds(fact: Fact, op: str, actual: Any, value: Any) -> bool:
    """Whether ``actual op value`` (a valid condition on a known fact)."""
    if op in LIST_OPS:
        inside = any(_key(fact, actual) == _key(fact, item) for item in value)
        return inside if op == "in" else not inside
    return _COMPARE[op](_key(fact, actual), _key(fact, value))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def evaluate(
    criteria: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]
) -> tuple[bool, list[str]]:
    """Whether the case whose ``facts`` are given meets every criterion, and, for each that
    it does not, why in words ("highest SINS is 9, needs below 7"; "SINS not scored …").

    A missing fact (None or absent) fails its criterion. A criterion that is not valid any
    more (a fact a later release removed) fails too, saying so: a pathway never matches by
    accident.
    """
    reasons: list[str] = []
    for condition in criteria:
        fact = FACTS.get(condition.get("fact"))  # type: ignore[arg-type]
        op, value = condition.get("op"), condition.get("value")
        if fact is None or op not in fact.ops or _value_problem(fact, str(op), value):
            reasons.append(f"criterion {dict(condition)} is not valid: review the pathway")
            continue
        actual = facts.get(fact.name)
        if actual is None:
            reasons.append(fact.missing)
        elif not holds(fact, str(op), actual, value):
            words = " ".join(w for w in (OP_WORDS[str(op)], _show(value)) if w)
            reasons.append(f"{fact.label} is {_show(actual)}, needs {words}")
    return not reasons, reasons


# --- Facts from a case's records --------------------------------------------------------------


@dataclass(frozen=True)
class LesionData:
    level_from: str
    level_to: str = ""
    escc_grade: str = ""
    sins_total: float | None = None  # a complete current SINS only
    sins_category: str | None = None
    mechanical_status: str = ""
    pathologic_fracture: bool | None = None

    def span(self) -> tuple[int, int]:
        return _span(self.level_from, self.level_to)


def _span(level_from: str, level_to: str) -> tuple[int, int]:
    return SpinalLevel(level_from).index, SpinalLevel(level_to or level_from).index


@dataclass(frozen=True)
class CaseData:
    """What ``derive_facts`` reads: the case's own fields, its lesions, its current clinical
    status (its fields by name; None: no status), the revised Tokuhashi total (complete only)
    and the level spans of its prior radiotherapy courses."""

    urgency: str
    primary_tumor: str
    radiosensitivity: str = ""
    expected_survival: str = "unknown"
    able_to_tolerate_surgery: bool | None = None
    lesions: tuple[LesionData, ...] = ()
    status: Mapping[str, Any] | None = None
    tokuhashi_total: float | None = None
    prior_radiotherapy: tuple[tuple[str, str], ...] = field(default=())


def _any_known(values: list[bool | None]) -> bool | None:
    """Any true: true; all known and none true: false; otherwise unknown."""
    if any(values):
        return True
    if values and all(v is not None for v in values):
        return False
    return None


def _number(value: Any) -> int | float | None:
    if value in (None, ""):
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def derive_facts(data: CaseData) -> dict[str, Any]:
    """Every fact of ``FACTS`` for the case (None where it cannot be known)."""
    lesions = data.lesions
    all_scored = bool(lesions) and all(lesion.sins_total is not None for lesion in lesions)
    all_graded = bool(lesions) and all(lesion.escc_grade for lesion in lesions)
    grades = [lesion.escc_grade for lesion in lesions if lesion.escc_grade]
    compression = any(grade in HIGH_GRADE_ESCC for grade in grades)
    spans = [_span(a, b) for a, b in data.prior_radiotherapy]
    status = data.status or {}
    facts: dict[str, Any] = {
        "sins_max": (
            _number(max(lesion.sins_total for lesion in lesions if lesion.sins_total is not None))
            if all_scored
            else None
        ),
        "sins_category_max": (
            max(
                (lesion.sins_category for lesion in lesions if lesion.sins_category),
                key=SINS_CATEGORIES.index,
                default=None,
            )
            if all_scored
            else None
        ),
        "escc_max": max(grades, key=EsccGrade.keys().index) if all_graded else None,
        "cord_compression": True if compression else (False if all_graded else None),
        "lesion_count": len(lesions),
        "pathologic_fracture": _any_known([lesion.pathologic_fracture for lesion in lesions]),
        "mechanically_unstable": _any_known(
            [
                (lesion.mechanical_status == "unstable") if lesion.mechanical_status else None
                for lesion in lesions
            ]
        ),
        # No course recorded is "none known": the prior-radiotherapy list is the record of it.
        "prior_radiotherapy_at_level": (
            any(
                top <= course_bottom and course_top <= bottom
                for top, bottom in (lesion.span() for lesion in lesions)
                for course_top, course_bottom in spans
            )
            if lesions
            else None
        ),
        "radiosensitivity": data.radiosensitivity or None,
        "primary_tumor": data.primary_tumor or None,
        "urgency": data.urgency or None,
        "expected_survival": (
            data.expected_survival if data.expected_survival in EXPECTED_SURVIVAL else None
        ),
        "able_to_tolerate_surgery": data.able_to_tolerate_surgery,
        "neurological_deficit": status.get("neurological_deficit") or None,
        "ambulatory_status": status.get("ambulatory_status") or None,
        "frankel_grade": status.get("frankel_grade") or None,
        "karnofsky": _number(status.get("karnofsky")),
        "ecog": _number(status.get("ecog")),
        "systemic_disease_status": (
            status.get("systemic_disease_status")
            if status.get("systemic_disease_status") in SYSTEMIC_DISEASE
            else None
        ),
        "tokuhashi_total": _number(data.tokuhashi_total),
    }
    return facts
