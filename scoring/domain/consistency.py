"""What data entry refuses: values of one clinical status that contradict each other, and a
serum albumin plainly entered in another unit than g/dL.

Standard library only (see ``scoring/domain/__init__.py``). Conservative by design: a
combination is a contradiction only when the definitions of ``shared/docs/scoring-spec.md``
make it impossible; anything a clinician could defend is accepted. Each rule names its section.

Rules
-----
* **KPS and ECOG** (§8.3, §8.4). The ECOG grade must be the one that KPS maps to under
  convention A *or* convention B: where the two conventions disagree (KPS 90, 70, 50, 30)
  either grade is accepted. KPS 90 with ECOG 4 is a contradiction; KPS 90 with ECOG 0 or 1 is not.
* **Frankel grade and walking** (§8.1, ambulatory status of §5.1). Walking, with or without
  assistance, needs motor function below the lesion: Frankel A (no motor or sensory function)
  and B (sensory only, no motor function) contradict ``independent`` and ``with_aid``. Frankel C
  (motor function "of no practical use") contradicts ``independent``: a patient who walks
  without the help of another person has useful motor function, which is Frankel D ("many
  walk, with or without aids"). Frankel C with ``with_aid`` is accepted (assisted steps are a
  judgement call), and so is any grade with ``non_ambulatory`` (pain, instability or frailty
  stop patients with intact neurology from walking). The grade is read, as the Tokuhashi palsy
  item reads it (§2.1), as the patient's neurological status for the legs.
* Not rules, on purpose: Frankel and ASIA grades are never compared (§8.2: not
  interchangeable); ECOG or KPS against walking is left to the clinician.

Serum albumin (§5.1: g/dL; "albumin in g/L is divided by 10") is accepted from 0.5 to 7.0
g/dL. A value that is impossible in g/dL but plausible in g/L (10–70) or in µmol/L (150–1050,
molar mass ≈ 66.5 kDa) is refused with the converted value as a hint; anything else outside
the range is refused naming the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .performance import KPS_TO_ECOG
from .vocabulary import AmbulatoryStatus, EcogGrade, FrankelGrade, PerformanceConvention


@dataclass(frozen=True)
class StatusFacts:
    """The values of one clinical status that the rules compare (None: not entered)."""

    karnofsky: int | None = None
    ecog: EcogGrade | None = None
    frankel_grade: FrankelGrade | None = None
    ambulatory_status: AmbulatoryStatus | None = None


@dataclass(frozen=True)
class Contradiction:
    """Two (or more) entered values that cannot both be true.

    ``fields`` are the names of the values involved (either may be the wrong one), ``rule``
    the section of scoring-spec.md the rule rests on.
    """

    fields: tuple[str, ...]
    message: str
    rule: str


def contradictions(facts: StatusFacts) -> tuple[Contradiction, ...]:
    """Every contradiction among ``facts``; empty when none (or when values are missing)."""
    found: list[Contradiction] = []
    performance = _kps_ecog(facts.karnofsky, facts.ecog)
    if performance is not None:
        found.append(performance)
    walking = _frankel_walking(facts.frankel_grade, facts.ambulatory_status)
    if walking is not None:
        found.append(walking)
    return tuple(found)


def _kps_ecog(kps: int | None, ecog: EcogGrade | None) -> Contradiction | None:
    if kps is None or ecog is None:
        return None
    by_a = KPS_TO_ECOG[PerformanceConvention.A].get(kps)
    by_b = KPS_TO_ECOG[PerformanceConvention.B].get(kps)
    if by_a is None or by_b is None:
        return None  # not a KPS value at all: the field's own validation says so
    if ecog in (by_a, by_b):
        return None
    if by_a == by_b:
        expected = f"ECOG {by_a.value} in both conventions"
    else:
        expected = f"ECOG {by_a.value} (convention A) or ECOG {by_b.value} (convention B)"
    return Contradiction(
        fields=("karnofsky", "ecog"),
        message=(
            f"KPS {kps} is {expected} (scoring-spec §8.4), not ECOG {ecog.value}: "
            "check the Karnofsky score or the ECOG grade."
        ),
        rule="§8.4",
    )


#: Frankel grades with no motor function below the lesion (§8.1).
_NO_MOTOR = {FrankelGrade.A: "no motor or sensory function", FrankelGrade.B: "no motor function"}
_WALKING = {
    AmbulatoryStatus.INDEPENDENT: "walks independently",
    AmbulatoryStatus.WITH_AID: "walks with assistance",
}


def _frankel_walking(
    grade: FrankelGrade | None, walking: AmbulatoryStatus | None
) -> Contradiction | None:
    if grade is None or walking is None or walking not in _WALKING:
        return None
    if grade in _NO_MOTOR:
        reason = f"Frankel {grade.value} means {_NO_MOTOR[grade]} below the lesion"
    elif grade is FrankelGrade.C and walking is AmbulatoryStatus.INDEPENDENT:
        reason = (
            "Frankel C means motor function of no practical use below the lesion; a patient "
            "who walks without help has useful motor function (Frankel D)"
        )
    else:
        return None
    return Contradiction(
        fields=("frankel_grade", "ambulatory_status"),
        message=(
            f"{reason} (scoring-spec §8.1), yet the patient {_WALKING[walking]}: "
            "check the Frankel grade or the ambulatory status."
        ),
        rule="§8.1",
    )


# --- Serum albumin ---------------------------------------------------------------------------

ALBUMIN_MIN_G_DL = Decimal("0.5")
ALBUMIN_MAX_G_DL = Decimal("7.0")
#: Values impossible in g/dL that are plausible serum albumin in g/L (1.0–7.0 g/dL).
ALBUMIN_G_L_RANGE = (Decimal(10), Decimal(70))
#: ... and in µmol/L (≈ 1.0–7.0 g/dL). The two ranges do not overlap.
ALBUMIN_UMOL_L_RANGE = (Decimal(150), Decimal(1050))
#: g/dL per µmol/L: 66,500 g/mol x 1e-6 mol/µmol, per litre -> per decilitre.
ALBUMIN_G_DL_PER_UMOL_L = Decimal("66500") / Decimal(1_000_000) / Decimal(10)

_ONE_DECIMAL = Decimal("0.1")
_ALBUMIN_UNIT = "Serum albumin is entered in g/dL, from 0.5 to 7.0"


def _plain(value: Decimal) -> str:
    """``42`` rather than ``42.0`` or ``4.2E+1``."""
    return format(value.normalize(), "f")


def albumin_g_dl_problem(value: Decimal) -> str | None:
    """Why ``value`` is not a serum albumin in g/dL, with the g/dL value when the unit used is
    plain; None when it is one (0.5–7.0)."""
    if not value.is_finite():
        return f"{_ALBUMIN_UNIT}."
    if ALBUMIN_MIN_G_DL <= value <= ALBUMIN_MAX_G_DL:
        return None
    low, high = ALBUMIN_G_L_RANGE
    if low <= value <= high:
        # Exact, never rounded: 34.5 g/L is 3.45 g/dL, below the NESMS threshold of 3.5.
        g_dl = _plain(value / 10)
        return f"{_plain(value)} looks like g/L; in g/dL that is {g_dl}. {_ALBUMIN_UNIT}."
    low, high = ALBUMIN_UMOL_L_RANGE
    if low <= value <= high:
        about = (value * ALBUMIN_G_DL_PER_UMOL_L).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
        return f"{_plain(value)} looks like µmol/L; in g/dL that is about {about}. {_ALBUMIN_UNIT}."
    return f"{_ALBUMIN_UNIT}; {_plain(value)} is outside that range."
