"""Karnofsky (KPS) ⇄ ECOG conversion (scoring-spec.md §8.3-8.4). Results are always ``derived``.

Give exactly one of ``kps`` (0-100, multiples of 10) or ``ecog`` (0-5); ``convention`` is
``A`` (default, per the spec) or ``B``. KPS -> ECOG gives one grade (``total``); ECOG -> KPS
gives a range (``details["kps_range"]``, ``total`` None): the product never picks a midpoint.
There is no category (the spec defines none); the convention is named in the interpretation,
the notes and ``details``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    COMPLETE,
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
    make_result,
    option_field,
)
from .vocabulary import KARNOFSKY_VALUES, EcogGrade, PerformanceConvention

META = Meta(
    name="karnofsky_ecog",
    title="Karnofsky performance status / ECOG conversion (derived)",
    version="karnofsky_ecog-1.0.0",
    citation=(
        "Oken MM, Creech RH, Tormey DC, et al. Toxicity and response criteria of the Eastern "
        "Cooperative Oncology Group. Am J Clin Oncol. 1982;5(6):649-655; Karnofsky DA, "
        "Burchenal JH. The clinical evaluation of chemotherapeutic agents in cancer. In: MacLeod "
        "CM, ed. Evaluation of Chemotherapeutic Agents. Columbia Univ Press; 1949:191-205."
    ),
)

#: §8.4: KPS -> ECOG under each convention.
KPS_TO_ECOG: dict[PerformanceConvention, dict[int, EcogGrade]] = {
    PerformanceConvention.A: {
        100: EcogGrade.E0,
        90: EcogGrade.E1,
        80: EcogGrade.E1,
        70: EcogGrade.E2,
        60: EcogGrade.E2,
        50: EcogGrade.E3,
        40: EcogGrade.E3,
        30: EcogGrade.E4,
        20: EcogGrade.E4,
        10: EcogGrade.E4,
        0: EcogGrade.E5,
    },
    PerformanceConvention.B: {
        100: EcogGrade.E0,
        90: EcogGrade.E0,
        80: EcogGrade.E1,
        70: EcogGrade.E1,
        60: EcogGrade.E2,
        50: EcogGrade.E2,
        40: EcogGrade.E3,
        30: EcogGrade.E3,
        20: EcogGrade.E4,
        10: EcogGrade.E4,
        0: EcogGrade.E5,
    },
}

KPS_ALLOWED = ", ".join(str(v) for v in KARNOFSKY_VALUES)


def ecog_from_kps(
    kps: int, convention: PerformanceConvention = PerformanceConvention.A
) -> EcogGrade:
    return KPS_TO_ECOG[convention][kps]


def kps_range_from_ecog(
    ecog: EcogGrade, convention: PerformanceConvention = PerformanceConvention.A
) -> tuple[int, ...]:
    """Every KPS value mapping to ``ecog``, ascending (a range, never a single value)."""
    table = KPS_TO_ECOG[convention]
    return tuple(sorted(kps for kps, grade in table.items() if grade is ecog))


@dataclass(frozen=True)
class PerformanceInput:
    kps: int | None = None
    ecog: EcogGrade | None = None
    convention: PerformanceConvention | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_int(errors, "kps", self.kps, lambda v: v in KARNOFSKY_VALUES, KPS_ALLOWED)
        check_enum(errors, "ecog", self.ecog, EcogGrade)
        check_enum(errors, "convention", self.convention, PerformanceConvention)
        if self.kps is not None and self.ecog is not None:
            errors.add("ecog", "give either kps or ecog to convert, not both")
        errors.raise_if_any()


def convert_performance(inp: PerformanceInput) -> ScoreResult:
    convention = inp.convention or PerformanceConvention.A
    default = " (default)" if inp.convention is None else ""
    other = (
        PerformanceConvention.B
        if convention is PerformanceConvention.A
        else PerformanceConvention.A
    )
    notes = [
        f"Derived value, convention {convention.value}{default}: {convention.label}. "
        "The conversion is approximate."
    ]
    details: dict[str, object] = {"derived": True, "convention": convention.value}
    if inp.kps is not None:
        ecog = ecog_from_kps(inp.kps, convention)
        other_ecog = ecog_from_kps(inp.kps, other)
        details.update({"direction": "kps_to_ecog", "kps": inp.kps, "ecog": ecog.value})
        if other_ecog is not ecog:
            notes.append(
                f"Convention {other.value} gives ECOG {other_ecog.value} for KPS {inp.kps}."
            )
        return make_result(
            META,
            status=COMPLETE,
            total=int(ecog.value),
            components=[
                ComponentResult("ecog", ecog.value, int(ecog.value), ecog.label, f"kps={inp.kps}")
            ],
            interpretation=(
                f"KPS {inp.kps} corresponds to ECOG {ecog.value} "
                f"(derived, convention {convention.value})."
            ),
            notes=notes,
            details=details,
        )
    if inp.ecog is None:
        return make_result(
            META,
            status="incomplete",
            missing=("kps",),
            interpretation="Incomplete: give kps or ecog.",
            notes=notes,
            details=details,
        )
    values = kps_range_from_ecog(inp.ecog, convention)
    low, high = values[0], values[-1]
    text = f"{low}" if low == high else f"{low}-{high}"
    details.update(
        {
            "direction": "ecog_to_kps",
            "ecog": inp.ecog.value,
            "kps_range": [low, high],
            "kps_values": list(values),
        }
    )
    notes.append("ECOG -> KPS gives a range: the board chooses a single KPS if one is needed.")
    return make_result(
        META,
        status=COMPLETE,
        components=[ComponentResult("kps", text, None, f"KPS {text}", f"ecog={inp.ecog.value}")],
        interpretation=(
            f"ECOG {inp.ecog.value} corresponds to KPS {text} "
            f"(derived, convention {convention.value})."
        ),
        notes=notes,
        details=details,
    )


# --- JSON -----------------------------------------------------------------------------------

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "kps",
        "Karnofsky performance status",
        "integer",
        tuple((str(v), f"KPS {v}") for v in KARNOFSKY_VALUES),
        True,
        "0-100 in steps of 10. Give kps or ecog.",
    ),
    option_field("ecog", "ECOG performance status", EcogGrade, alternative_to="kps"),
    option_field(
        "convention",
        "Conversion convention",
        PerformanceConvention,
        required=False,
        help="A (default) or B; always shown with the result.",
    ),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: PerformanceInput(
            kps=r.integer("kps", KPS_ALLOWED),
            ecog=r.option("ecog", EcogGrade),
            convention=r.option("convention", PerformanceConvention),
        ),
    )
    return convert_performance(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
