"""SINS: Spine Instability Neoplastic Score (scoring-spec.md §1). Scored per lesion.

Location is given either as the ``location`` option or as the lesion's vertebral level(s):
``spinal_level`` (the single level, or the most cranial level of a contiguous lesion) and the
optional ``spinal_level_to`` (the most caudal level of that lesion). A lesion spanning levels of
two categories is scored with the higher-scoring category [convention]; every level is recorded
in ``details["levels"]``. Occiput (C0) is not in the level vocabulary: enter ``location`` =
``junctional`` directly. Coccygeal levels are rejected.
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
    allowed_text,
    banded_result,
    build,
    check_enum,
    incomplete,
    option_field,
    total_points,
)
from .vocabulary import (
    SinsAlignment,
    SinsBoneLesion,
    SinsCollapse,
    SinsLocation,
    SinsPain,
    SinsPosterolateral,
    SpinalLevel,
)

META = Meta(
    name="sins",
    title="SINS — Spine Instability Neoplastic Score",
    version="sins-1.0.0",
    citation=(
        "Fisher CG, DiPaola CP, Ryken TC, Bilsky MH, Shaffrey CI, Berven SH, et al. A novel "
        "classification system for spinal instability in neoplastic disease: an evidence-based "
        "approach and expert consensus from the Spine Oncology Study Group. Spine (Phila Pa "
        "1976). 2010;35(22):E1221-E1229. doi:10.1097/BRS.0b013e3181e16ae2"
    ),
)

LOCATION_POINTS: dict[SinsLocation, int] = {
    SinsLocation.JUNCTIONAL: 3,
    SinsLocation.MOBILE: 2,
    SinsLocation.SEMIRIGID: 1,
    SinsLocation.RIGID: 0,
}
PAIN_POINTS: dict[SinsPain, int] = {
    SinsPain.MECHANICAL: 3,
    SinsPain.OCCASIONAL_NON_MECHANICAL: 1,
    SinsPain.PAIN_FREE: 0,
}
BONE_LESION_POINTS: dict[SinsBoneLesion, int] = {
    SinsBoneLesion.LYTIC: 2,
    SinsBoneLesion.MIXED: 1,
    SinsBoneLesion.BLASTIC: 0,
}
ALIGNMENT_POINTS: dict[SinsAlignment, int] = {
    SinsAlignment.SUBLUXATION_TRANSLATION: 4,
    SinsAlignment.DE_NOVO_DEFORMITY: 2,
    SinsAlignment.NORMAL: 0,
}
COLLAPSE_POINTS: dict[SinsCollapse, int] = {
    SinsCollapse.GT_50_PERCENT: 3,
    SinsCollapse.LT_50_PERCENT: 2,
    SinsCollapse.NO_COLLAPSE_GT_50_PERCENT_INVOLVED: 1,
    SinsCollapse.NONE: 0,
}
POSTEROLATERAL_POINTS: dict[SinsPosterolateral, int] = {
    SinsPosterolateral.BILATERAL: 3,
    SinsPosterolateral.UNILATERAL: 1,
    SinsPosterolateral.NONE: 0,
}


def _level_location(level: SpinalLevel) -> SinsLocation:
    """§1.2 lookup (C1-S5; occiput and coccyx are outside the level vocabulary)."""
    i = level.index
    if i <= SpinalLevel.C2.index:
        return SinsLocation.JUNCTIONAL
    if i <= SpinalLevel.C6.index:
        return SinsLocation.MOBILE
    if i <= SpinalLevel.T2.index:
        return SinsLocation.JUNCTIONAL
    if i <= SpinalLevel.T10.index:
        return SinsLocation.SEMIRIGID
    if i <= SpinalLevel.L1.index:
        return SinsLocation.JUNCTIONAL
    if i <= SpinalLevel.L4.index:
        return SinsLocation.MOBILE
    if i <= SpinalLevel.S1.index:
        return SinsLocation.JUNCTIONAL
    return SinsLocation.RIGID


LEVEL_LOCATION: dict[SpinalLevel, SinsLocation] = {lv: _level_location(lv) for lv in SpinalLevel}

BANDS = (
    Band(0, 6, "stable", "Stable", "Stable lesion (SINS 0-6)."),
    Band(
        7,
        12,
        "potentially_unstable",
        "Potentially unstable (indeterminate; possible impending instability)",
        "Potentially unstable (SINS 7-12): surgical consultation recommended.",
    ),
    Band(
        13, 18, "unstable", "Unstable", "Unstable (SINS 13-18): surgical consultation recommended."
    ),
)

COMPONENT_KEYS = (
    "location",
    "pain",
    "bone_lesion",
    "alignment",
    "vertebral_body_collapse",
    "posterolateral_involvement",
)


@dataclass(frozen=True)
class SinsInput:
    location: SinsLocation | None = None
    spinal_level: SpinalLevel | None = None
    spinal_level_to: SpinalLevel | None = None
    pain: SinsPain | None = None
    bone_lesion: SinsBoneLesion | None = None
    alignment: SinsAlignment | None = None
    vertebral_body_collapse: SinsCollapse | None = None
    posterolateral_involvement: SinsPosterolateral | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "location", self.location, SinsLocation)
        check_enum(errors, "spinal_level", self.spinal_level, SpinalLevel)
        check_enum(errors, "spinal_level_to", self.spinal_level_to, SpinalLevel)
        check_enum(errors, "pain", self.pain, SinsPain)
        check_enum(errors, "bone_lesion", self.bone_lesion, SinsBoneLesion)
        check_enum(errors, "alignment", self.alignment, SinsAlignment)
        check_enum(errors, "vertebral_body_collapse", self.vertebral_body_collapse, SinsCollapse)
        check_enum(
            errors,
            "posterolateral_involvement",
            self.posterolateral_involvement,
            SinsPosterolateral,
        )
        errors.raise_if_any()
        if self.spinal_level_to is not None and self.spinal_level is None:
            errors.add(
                "spinal_level_to",
                "spinal_level_to needs spinal_level (the most cranial level of the lesion)",
            )
        elif (
            self.spinal_level is not None
            and self.spinal_level_to is not None
            and self.spinal_level_to.index < self.spinal_level.index
        ):
            errors.add(
                "spinal_level_to",
                f"spinal_level_to {self.spinal_level_to} is above spinal_level "
                f"{self.spinal_level}; give the most cranial level as spinal_level",
            )
        else:
            derived = self.derived_location()
            if derived is not None and self.location is not None and derived != self.location:
                errors.add(
                    "spinal_level",
                    f"level {self.levels_text()} is {derived.value} but location is "
                    f"{self.location.value!r}; give one of them, or make them agree",
                )
        errors.raise_if_any()

    def levels(self) -> list[SpinalLevel]:
        if self.spinal_level is None:
            return []
        return SpinalLevel.span(self.spinal_level, self.spinal_level_to or self.spinal_level)

    def levels_text(self) -> str:
        levels = self.levels()
        if len(levels) == 1:
            return str(levels[0])
        return f"{levels[0]}-{levels[-1]}"

    def derived_location(self) -> SinsLocation | None:
        levels = self.levels()
        if not levels:
            return None
        return max((LEVEL_LOCATION[lv] for lv in levels), key=LOCATION_POINTS.__getitem__)


def score_sins(inp: SinsInput) -> ScoreResult:
    components: list[ComponentResult] = []
    missing: list[str] = []
    notes: list[str] = []
    details: dict[str, object] = {}

    location = inp.location
    derived_from = None
    if inp.spinal_level is not None:
        levels = inp.levels()
        location = inp.derived_location()
        derived_from = f"spinal_level={inp.levels_text()}"
        details["levels"] = [str(lv) for lv in levels]
        categories = sorted({LEVEL_LOCATION[lv] for lv in levels}, key=LOCATION_POINTS.__getitem__)
        if len(categories) > 1:
            notes.append(
                f"[convention] Lesion {inp.levels_text()} spans "
                f"{' and '.join(c.value for c in categories)} levels: scored with the "
                "higher-scoring category."
            )
    if location is None:
        missing.append("location")
    else:
        components.append(
            ComponentResult(
                "location", location.value, LOCATION_POINTS[location], location.label, derived_from
            )
        )

    add_option(components, missing, "pain", inp.pain, PAIN_POINTS)
    add_option(components, missing, "bone_lesion", inp.bone_lesion, BONE_LESION_POINTS)
    add_option(components, missing, "alignment", inp.alignment, ALIGNMENT_POINTS)
    add_option(
        components, missing, "vertebral_body_collapse", inp.vertebral_body_collapse, COLLAPSE_POINTS
    )
    add_option(
        components,
        missing,
        "posterolateral_involvement",
        inp.posterolateral_involvement,
        POSTEROLATERAL_POINTS,
    )

    if missing:
        return incomplete(META, missing, components, notes, details)
    details["sosg_binary"] = (
        "stable"
        if total_points(components) <= 6
        else "current_or_possible_instability_surgical_consultation"
    )
    return banded_result(META, BANDS, components, notes=notes, details=details)


# --- JSON -----------------------------------------------------------------------------------

_LEVEL_HELP = (
    "Vertebral level C1-S5 (the most cranial level of a contiguous lesion). Occiput (C0): give "
    "location=junctional. Coccygeal levels are outside SINS."
)

FIELDS: tuple[FieldSpec, ...] = (
    option_field("location", "Location", SinsLocation, help="Or give spinal_level."),
    FieldSpec(
        "spinal_level",
        "Vertebral level",
        "level",
        tuple(SpinalLevel.choices()),
        False,
        _LEVEL_HELP,
        alternative_to="location",
    ),
    FieldSpec(
        "spinal_level_to",
        "Last (most caudal) level of a contiguous lesion",
        "level",
        tuple(SpinalLevel.choices()),
        False,
        "Optional, with spinal_level: a lesion spanning two location categories scores the "
        "higher one [convention].",
        alternative_to="location",
    ),
    option_field("pain", "Pain", SinsPain),
    option_field("bone_lesion", "Bone lesion", SinsBoneLesion),
    option_field("alignment", "Radiographic spinal alignment", SinsAlignment),
    option_field(
        "vertebral_body_collapse",
        "Vertebral body collapse",
        SinsCollapse,
        help="Enter the category; exactly 50% is ambiguous in the original [convention].",
    ),
    option_field(
        "posterolateral_involvement",
        "Posterolateral involvement of spinal elements",
        SinsPosterolateral,
    ),
)


def read_level(reader: Reader, key: str) -> SpinalLevel | None:
    raw = reader.raw(key)
    reason = None
    if isinstance(raw, str):
        if raw.upper() in ("C0", "OCCIPUT"):
            reason = "occiput (C0) is not a vertebral level here: give location 'junctional'"
        elif raw.upper().startswith("CO"):
            reason = "coccygeal levels are outside SINS"
    if reason is not None:
        reader.error(
            key,
            f"{raw!r} is not a valid option for {key}: {reason}; "
            f"allowed: {allowed_text(SpinalLevel.keys())}",
        )
        return None
    return reader.option(key, SpinalLevel)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: SinsInput(
            location=r.option("location", SinsLocation),
            spinal_level=read_level(r, "spinal_level"),
            spinal_level_to=read_level(r, "spinal_level_to"),
            pain=r.option("pain", SinsPain),
            bone_lesion=r.option("bone_lesion", SinsBoneLesion),
            alignment=r.option("alignment", SinsAlignment),
            vertebral_body_collapse=r.option("vertebral_body_collapse", SinsCollapse),
            posterolateral_involvement=r.option("posterolateral_involvement", SinsPosterolateral),
        ),
    )
    return score_sins(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
