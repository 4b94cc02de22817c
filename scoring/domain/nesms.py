"""NESMS: New England Spinal Metastasis Score (scoring-spec.md §5). Higher = better, 0-3.

``modified_bauer`` is either entered (integer 0-4) or computed from the Bauer inputs
(``visceral_metastases``, ``solitary_skeletal_metastasis``, ``primary_site``; §4). When both
are available they must agree.

``ambulatory_status`` accepts ``independent`` / ``dependent`` and also the product's
``AmbulatoryStatus`` keys: ``with_aid`` and ``non_ambulatory`` count as ``dependent``
[convention; whether a walking aid counts as independent is unverified against Ghori 2015].

Albumin is ``serum_albumin_g_dl`` or ``serum_albumin_g_l`` (divided by 10). Total = min(3, sum);
the result notes when the ceiling applied. No per-score survival percentages are shown (§5.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

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
    check_bool,
    check_enum,
    check_int,
    enum_choices,
    fmt,
    incomplete,
    make_result,
    option_field,
    total_points,
)
from .bauer import BauerInput, modified_bauer_total
from .vocabulary import AmbulatoryStatus, NesmsAmbulation, PrimaryTumor

META = Meta(
    name="nesms",
    title="NESMS - New England Spinal Metastasis Score",
    version="nesms-1.0.0",
    citation=(
        "Ghori AK, Leonard DA, Schoenfeld AJ, et al. Modeling 1-year survival after surgery on "
        "the metastatic spine. Spine J. 2015;15(11):2345-2350. doi:10.1016/j.spinee.2015.06.061; "
        "Schoenfeld AJ, Ferrone ML, Schwab JH, et al. Prospective validation of a clinical "
        "prediction score for survival in patients with spinal metastases: the New England "
        "Spinal Metastasis Score. Spine J. 2021;21(1):28-36. doi:10.1016/j.spinee.2020.02.009"
    ),
)

ALBUMIN_THRESHOLD_G_DL = 3.5
MAX_ALBUMIN_G_DL = 10.0
#: Tolerance between the g/dL and g/L entries (rounding of a converted value).
ALBUMIN_TOLERANCE_G_DL = 0.05
CEILING = 3

INTERPRETATION = (
    "NESMS {total} (range 0-3, higher = better). Prospective validation (n = 180; reference "
    "NESMS 3): odds of 1-year mortality with score 2 OR 7.04 (95% CI 2.47-20.08), score 1 OR "
    "31.30 (8.82-111.04), score 0 also significantly worse. Per-score survival percentages are "
    "unverified and not shown."
)

AMBULATION_ALIASES: dict[AmbulatoryStatus, NesmsAmbulation] = {
    AmbulatoryStatus.INDEPENDENT: NesmsAmbulation.INDEPENDENT,
    AmbulatoryStatus.WITH_AID: NesmsAmbulation.DEPENDENT,
    AmbulatoryStatus.NON_AMBULATORY: NesmsAmbulation.DEPENDENT,
}


def g_l_to_g_dl(value: float) -> float:
    """Divide by 10 in decimal arithmetic, so 34.9 g/L is 3.49 g/dL (not 3.4899999999999998)."""
    return float(Decimal(repr(float(value))) / 10)


def _albumin_ok(value: float | None, maximum: float) -> bool:
    return value is None or (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and 0 < value <= maximum
    )


@dataclass(frozen=True)
class NesmsInput:
    modified_bauer: int | None = None
    visceral_metastases: bool | None = None
    solitary_skeletal_metastasis: bool | None = None
    primary_site: PrimaryTumor | None = None
    ambulatory_status: NesmsAmbulation | AmbulatoryStatus | None = None
    serum_albumin_g_dl: float | None = None
    serum_albumin_g_l: float | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_int(errors, "modified_bauer", self.modified_bauer, lambda v: 0 <= v <= 4, "0-4")
        check_bool(errors, "visceral_metastases", self.visceral_metastases)
        check_bool(errors, "solitary_skeletal_metastasis", self.solitary_skeletal_metastasis)
        check_enum(errors, "primary_site", self.primary_site, PrimaryTumor)
        check_enum(
            errors, "ambulatory_status", self.ambulatory_status, NesmsAmbulation, AmbulatoryStatus
        )
        for key, value, maximum, unit in (
            ("serum_albumin_g_dl", self.serum_albumin_g_dl, MAX_ALBUMIN_G_DL, "g/dL"),
            ("serum_albumin_g_l", self.serum_albumin_g_l, MAX_ALBUMIN_G_DL * 10, "g/L"),
        ):
            if not _albumin_ok(value, maximum):
                errors.add(
                    key,
                    f"{value!r} is not a valid value for {key}; allowed: > 0 to {maximum:g} {unit}",
                )
        errors.raise_if_any()
        computed = self.computed_modified_bauer()
        if self.modified_bauer is not None and computed not in (None, self.modified_bauer):
            errors.add(
                "modified_bauer",
                f"modified_bauer={self.modified_bauer} but the Bauer inputs give {computed}; "
                "give one of them, or make them agree",
            )
        g_dl, g_l = self.serum_albumin_g_dl, self.serum_albumin_g_l
        if g_dl is not None and g_l is not None:
            converted = g_l_to_g_dl(g_l)
            if abs(converted - g_dl) > ALBUMIN_TOLERANCE_G_DL or (
                converted >= ALBUMIN_THRESHOLD_G_DL
            ) != (g_dl >= ALBUMIN_THRESHOLD_G_DL):
                errors.add(
                    "serum_albumin_g_l",
                    f"serum_albumin_g_l={fmt(g_l)} ({fmt(converted)} g/dL) disagrees with "
                    f"serum_albumin_g_dl={fmt(g_dl)}; give one of them, or make them agree",
                )
        errors.raise_if_any()

    def computed_modified_bauer(self) -> int | None:
        return modified_bauer_total(
            BauerInput(
                visceral_metastases=self.visceral_metastases,
                solitary_skeletal_metastasis=self.solitary_skeletal_metastasis,
                primary_site=self.primary_site,
            )
        )


def score_nesms(inp: NesmsInput) -> ScoreResult:
    components: list[ComponentResult] = []
    missing: list[str] = []
    notes: list[str] = []

    mb = inp.modified_bauer
    derived_from = None
    if mb is None:
        mb = inp.computed_modified_bauer()
        if mb is not None:
            derived_from = (
                f"visceral_metastases={str(inp.visceral_metastases).lower()}, "
                f"solitary_skeletal_metastasis={str(inp.solitary_skeletal_metastasis).lower()}, "
                f"primary_site={inp.primary_site}"
            )
    if mb is None:
        missing.append("modified_bauer")
    else:
        high = mb >= 3
        components.append(
            ComponentResult(
                "modified_bauer",
                str(mb),
                2 if high else 0,
                "Modified Bauer >= 3 (high)" if high else "Modified Bauer <= 2",
                derived_from,
            )
        )

    amb = inp.ambulatory_status
    if amb is None:
        missing.append("ambulatory_status")
    else:
        mapped = amb if isinstance(amb, NesmsAmbulation) else AMBULATION_ALIASES[amb]
        aliased = mapped.value != amb.value
        if aliased:
            notes.append(
                f"[convention] ambulatory_status {amb.value!r} counted as {mapped.value!r}."
            )
        independent = mapped is NesmsAmbulation.INDEPENDENT
        components.append(
            ComponentResult(
                "ambulatory_status",
                mapped.value,
                1 if independent else 0,
                mapped.label,
                f"ambulatory_status={amb.value}" if aliased else None,
            )
        )
    if amb is not None:
        notes.append(
            "[unverified] Whether a walking aid counts as independent must be confirmed "
            "against Ghori 2015."
        )

    albumin = inp.serum_albumin_g_dl
    albumin_from = None
    if albumin is None and inp.serum_albumin_g_l is not None:
        albumin = g_l_to_g_dl(inp.serum_albumin_g_l)
        albumin_from = f"serum_albumin_g_l={fmt(inp.serum_albumin_g_l)}"
    if albumin is None:
        missing.append("serum_albumin_g_dl")
    else:
        normal = albumin >= ALBUMIN_THRESHOLD_G_DL
        components.append(
            ComponentResult(
                "serum_albumin_g_dl",
                fmt(albumin),
                1 if normal else 0,
                "Serum albumin >= 3.5 g/dL" if normal else "Serum albumin < 3.5 g/dL",
                albumin_from,
            )
        )

    notes.append("[secondary] Weights 2/1/1, thresholds and the ceiling of 3.")
    if missing:
        return incomplete(META, missing, components, notes)
    raw_sum = total_points(components)
    total = min(CEILING, raw_sum)
    if raw_sum > CEILING:
        notes.append(f"Ceiling applied: components sum to {raw_sum}, reported as {CEILING}.")
    return make_result(
        META,
        status=COMPLETE,
        total=total,
        components=components,
        interpretation=INTERPRETATION.format(total=total),
        notes=notes,
        details={"sum_before_ceiling": raw_sum, "ceiling_applied": raw_sum > CEILING},
    )


# --- JSON -----------------------------------------------------------------------------------

_AMBULATION_CHOICES = enum_choices(NesmsAmbulation, AmbulatoryStatus)

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "modified_bauer",
        "Modified Bauer score",
        "integer",
        tuple((str(v), str(v)) for v in range(5)),
        True,
        "Integer 0-4, or computed from visceral_metastases, solitary_skeletal_metastasis and "
        "primary_site.",
    ),
    FieldSpec(
        "visceral_metastases",
        "Visceral metastases (for the modified Bauer score)",
        "boolean",
        (),
        False,
        alternative_to="modified_bauer",
    ),
    FieldSpec(
        "solitary_skeletal_metastasis",
        "Solitary skeletal metastasis (for the modified Bauer score)",
        "boolean",
        (),
        False,
        alternative_to="modified_bauer",
    ),
    option_field(
        "primary_site",
        "Primary tumor (for the modified Bauer score)",
        PrimaryTumor,
        required=False,
        alternative_to="modified_bauer",
    ),
    FieldSpec(
        "ambulatory_status",
        "Ambulatory status",
        "option",
        tuple((key, str(getattr(m, "label", key))) for key, m in _AMBULATION_CHOICES.items()),
        True,
        "with_aid and non_ambulatory count as dependent [convention].",
    ),
    FieldSpec(
        "serum_albumin_g_dl",
        "Serum albumin (g/dL)",
        "number",
        (),
        True,
        "Or give serum_albumin_g_l.",
    ),
    FieldSpec(
        "serum_albumin_g_l",
        "Serum albumin (g/L)",
        "number",
        (),
        False,
        "Divided by 10 before comparison with 3.5 g/dL.",
        alternative_to="serum_albumin_g_dl",
    ),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: NesmsInput(
            modified_bauer=r.integer("modified_bauer", "0-4"),
            visceral_metastases=r.boolean("visceral_metastases"),
            solitary_skeletal_metastasis=r.boolean("solitary_skeletal_metastasis"),
            primary_site=r.option("primary_site", PrimaryTumor),
            ambulatory_status=cast(
                "NesmsAmbulation | AmbulatoryStatus | None",
                r.choice("ambulatory_status", _AMBULATION_CHOICES),
            ),
            serum_albumin_g_dl=r.number("serum_albumin_g_dl", "> 0 to 10 g/dL"),
            serum_albumin_g_l=r.number("serum_albumin_g_l", "> 0 to 100 g/L"),
        ),
    )
    return score_nesms(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
