"""Result contract, input errors and JSON parsing shared by every calculator.

Standard library only.

Result contract
---------------
Every calculator is a pure function from a frozen input dataclass to a :class:`ScoreResult`.
``ScoreResult.as_dict()`` is what the HTTP API serialises, field for field.

* ``status`` is ``complete``, ``incomplete`` (``total`` and ``category`` are ``None`` and
  ``missing`` lists the component keys still needed, in spec order) or
  ``board_decision_required`` (NOMS only).
* Missing inputs never default. JSON ``null`` is treated exactly like an absent key.

Versioning (``<calculator>-MAJOR.MINOR.PATCH``)
----------------------------------------------
* MAJOR: anything that can change a total, category, recommendation or status for the same
  input (points, boundaries, rules, required inputs).
* MINOR: backwards-compatible additions (new optional input, new ``details`` entry, new note)
  that leave every total, category and status unchanged.
* PATCH: wording only (labels, interpretation text, messages).

Stored results keep the version, so a result can always be traced to the rules that produced it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Literal, TypeVar, cast

from .vocabulary import LabelledEnum

Status = Literal["complete", "incomplete", "board_decision_required"]
FieldKind = Literal["option", "integer", "number", "boolean", "level", "string"]

COMPLETE: Status = "complete"
INCOMPLETE: Status = "incomplete"
BOARD_DECISION_REQUIRED: Status = "board_decision_required"

#: Error key used when the payload itself (not one field) is wrong.
NON_FIELD_ERRORS = "non_field_errors"

T = TypeVar("T")
E = TypeVar("E", bound=LabelledEnum)


class ScoringInputError(ValueError):
    """Invalid input. ``errors`` maps each offending field key to all its messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors: dict[str, list[str]] = {key: list(msgs) for key, msgs in errors.items()}
        summary = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in self.errors.items())
        super().__init__(summary)


class ErrorCollector:
    """Collects every field error so one exception reports them all."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def merge(self, errors: Mapping[str, Sequence[str]]) -> None:
        for key, messages in errors.items():
            for message in messages:
                self.add(key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScoringInputError(self.errors)


@dataclass(frozen=True)
class ComponentResult:
    """One scored component: the option chosen (or raw value as text) and its points."""

    key: str
    option: str | None
    points: int | float | None
    label: str
    derived_from: str | None = None


@dataclass(frozen=True)
class ScoreResult:
    calculator: str
    status: Status
    total: int | float | None
    category: str | None
    category_label: str | None
    components: tuple[ComponentResult, ...]
    missing: tuple[str, ...]
    interpretation: str
    version: str
    citation: str
    notes: tuple[str, ...] = ()
    details: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready primitives (str, int, float, bool, None, list, dict), names unchanged."""
        return {
            "calculator": self.calculator,
            "status": self.status,
            "total": self.total,
            "category": self.category,
            "category_label": self.category_label,
            "components": [
                {
                    "key": c.key,
                    "option": c.option,
                    "points": c.points,
                    "label": c.label,
                    "derived_from": c.derived_from,
                }
                for c in self.components
            ],
            "missing": list(self.missing),
            "interpretation": self.interpretation,
            "version": self.version,
            "citation": self.citation,
            "notes": list(self.notes),
            "details": to_json(self.details),
        }


def to_json(value: object) -> object:
    """Convert enums, tuples and mappings into JSON primitives, recursively."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Meta:
    """Identity of a calculator, copied into every result."""

    name: str
    title: str
    version: str
    citation: str


@dataclass(frozen=True)
class Band:
    """An inclusive category band of a total."""

    low: int
    high: int
    key: str
    label: str
    interpretation: str


def find_band(bands: Sequence[Band], total: int) -> Band:
    for band in bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"total {total} outside every band")


def banded_result(
    meta: Meta,
    bands: Sequence[Band],
    components: Sequence[ComponentResult],
    *,
    notes: Iterable[str] = (),
    details: Mapping[str, object] | None = None,
) -> ScoreResult:
    """The complete result of a points score: the total and the band it falls in."""
    total = total_points(components)
    band = find_band(bands, total)
    return make_result(
        meta,
        status=COMPLETE,
        total=total,
        category=band.key,
        category_label=band.label,
        components=components,
        interpretation=band.interpretation,
        notes=notes,
        details=details,
    )


def make_result(
    meta: Meta,
    *,
    status: Status,
    total: int | float | None = None,
    category: str | None = None,
    category_label: str | None = None,
    components: Iterable[ComponentResult] = (),
    missing: Iterable[str] = (),
    interpretation: str = "",
    notes: Iterable[str] = (),
    details: Mapping[str, object] | None = None,
) -> ScoreResult:
    return ScoreResult(
        calculator=meta.name,
        status=status,
        total=total,
        category=category,
        category_label=category_label,
        components=tuple(components),
        missing=tuple(missing),
        interpretation=interpretation,
        version=meta.version,
        citation=meta.citation,
        notes=tuple(notes),
        details=MappingProxyType(dict(details or {})),
    )


def incomplete(
    meta: Meta,
    missing: Iterable[str],
    components: Iterable[ComponentResult] = (),
    notes: Iterable[str] = (),
    details: Mapping[str, object] | None = None,
) -> ScoreResult:
    missing = tuple(missing)
    return make_result(
        meta,
        status=INCOMPLETE,
        components=components,
        missing=missing,
        interpretation="Incomplete: missing " + ", ".join(missing) + ". No total is reported.",
        notes=notes,
        details=details,
    )


# --- Field descriptions for the API ---------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: FieldKind
    options: tuple[tuple[str, str], ...] = ()
    required: bool = True
    help: str = ""
    alternative_to: str | None = None


@dataclass(frozen=True)
class Calculator:
    """A registered calculator: metadata, accepted fields and a JSON ``evaluate``."""

    name: str
    title: str
    citation: str
    version: str
    fields: tuple[FieldSpec, ...]
    evaluate: Callable[[Mapping[str, object]], ScoreResult]


def option_field(
    key: str,
    label: str,
    enum: type[Enum],
    *,
    required: bool = True,
    help: str = "",
    alternative_to: str | None = None,
) -> FieldSpec:
    options = tuple((str(m.value), str(getattr(m, "label", m.value))) for m in enum)
    return FieldSpec(key, label, "option", options, required, help, alternative_to)


# --- JSON parsing ---------------------------------------------------------------------------


def allowed_text(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


@functools.cache
def enum_choices(*enums: type[Enum]) -> Mapping[str, Enum]:
    """Map option keys to members; the first enum wins on a shared key (cached, read-only)."""
    choices: dict[str, Enum] = {}
    for enum in enums:
        for member in enum:
            choices.setdefault(str(member.value), member)
    return MappingProxyType(choices)


class Reader:
    """Reads a JSON-like mapping, type-checking each field and collecting every error.

    A field that is absent or ``null`` reads as ``None`` (missing); a field with a wrong type or
    value records an error and also reads as ``None``. Call :func:`build` at the end.
    """

    def __init__(self, data: object, fields: Sequence[FieldSpec]) -> None:
        self.errors = ErrorCollector()
        self._data: dict[str, object] = {}
        allowed = [f.key for f in fields]
        if not isinstance(data, Mapping):
            self.errors.add(
                NON_FIELD_ERRORS,
                f"expected an object with fields; allowed: {allowed_text(allowed)}",
            )
            return
        for key, value in data.items():
            if isinstance(key, str) and key in allowed:
                self._data[key] = value
            else:
                self.errors.add(
                    str(key), f"unknown field {key!r}; allowed: {allowed_text(allowed)}"
                )

    def raw(self, key: str) -> object:
        return self._data.get(key)

    def error(self, key: str, message: str) -> None:
        self.errors.add(key, message)

    def choice(self, key: str, choices: Mapping[str, T]) -> T | None:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value in choices:
            return choices[value]
        shown = repr(value) if isinstance(value, str) else f"{type(value).__name__} value"
        self.error(
            key,
            f"{shown} is not a valid option for {key}; allowed: {allowed_text(choices)}",
        )
        return None

    def option(self, key: str, enum: type[T]) -> T | None:
        return self.choice(key, cast("Mapping[str, T]", enum_choices(cast("type[Enum]", enum))))

    def integer(self, key: str, allowed: str) -> int | None:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.error(key, f"expected an integer for {key}; allowed: {allowed}")
        return None

    def number(self, key: str, allowed: str) -> float | None:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value) if isinstance(value, float) or abs(value) < 2**53 else None
            if number is not None and math.isfinite(number):
                return number
        self.error(key, f"expected a finite number for {key}; allowed: {allowed}")
        return None

    def boolean(self, key: str) -> bool | None:
        value = self._data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error(key, f"expected true or false for {key}; allowed: true, false")
        return None


def build(reader: Reader, factory: Callable[[], T]) -> T:
    """Construct the typed input, merging its own validation errors with the parse errors."""
    value: T | None = None
    try:
        value = factory()
    except ScoringInputError as exc:
        reader.errors.merge(exc.errors)
    reader.errors.raise_if_any()
    return cast(T, value)


def check_int(
    errors: ErrorCollector,
    key: str,
    value: int | None,
    valid: Callable[[int], bool],
    allowed: str,
) -> None:
    """Record an error unless ``value`` is None or an int (not bool) satisfying ``valid``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not valid(value):
        errors.add(key, f"{value!r} is not a valid value for {key}; allowed: {allowed}")


def check_bool(errors: ErrorCollector, key: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        errors.add(key, f"{value!r} is not a valid value for {key}; allowed: true, false")


def check_enum(errors: ErrorCollector, key: str, value: object, *enums: type[Enum]) -> None:
    """Typed inputs must hold enum members (a bare string is rejected, naming the options)."""
    if value is None or any(isinstance(value, enum) for enum in enums):
        return
    errors.add(
        key,
        f"{value!r} is not a valid option for {key}; allowed: {allowed_text(enum_choices(*enums))}",
    )


def fmt(value: float) -> str:
    """Render a number without a spurious trailing ``.0``."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def add_option(
    components: list[ComponentResult],
    missing: list[str],
    key: str,
    value: E | None,
    table: Mapping[E, int],
    derived_from: str | None = None,
) -> None:
    """Append the component for an option (or record it as missing)."""
    if value is None:
        missing.append(key)
    else:
        components.append(
            ComponentResult(key, value.value, table[value], value.label, derived_from)
        )


def total_points(components: Iterable[ComponentResult]) -> int:
    return sum(int(c.points) for c in components if c.points is not None)
