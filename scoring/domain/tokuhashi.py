"""Revised Tokuhashi score, 2005 (scoring-spec.md §2). Scored per patient; higher = better.

Raw values may replace the options: ``kps`` (general condition),
``extraspinal_bone_metastases_count``, ``vertebral_body_metastases_count`` and
``frankel_grade`` (palsy). A raw value that disagrees with its option is rejected. Every
primary tumor key of the product vocabulary (§12) is accepted; a site not listed in the 2005
table scores with the ``other`` row, and the result says so.

Only the 2005 revision is implemented; the 1990 score is not mixed in (§2.5).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    Band,
    Calculator,
    ComponentResult,
    E,
    ErrorCollector,
    FieldSpec,
    Meta,
    Reader,
    ScoreResult,
    add_option,
    banded_result,
    build,
    check_bool,
    check_enum,
    check_int,
    incomplete,
    option_field,
)
from .vocabulary import (
    FrankelGrade,
    LabelledEnum,
    PrimaryTumor,
    TokuhashiExtraspinalBone,
    TokuhashiGeneralCondition,
    TokuhashiPalsy,
    TokuhashiVertebralBody,
    VisceralMetastases,
)

META = Meta(
    name="tokuhashi_revised",
    title="Revised Tokuhashi score (2005)",
    version="tokuhashi_revised-1.0.0",
    citation=(
        "Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. A revised scoring system for "
        "preoperative evaluation of metastatic spine tumor prognosis. Spine (Phila Pa 1976). "
        "2005;30(19):2186-2191. doi:10.1097/01.brs.0000180401.06919.a5"
    ),
)

GENERAL_CONDITION_POINTS = {
    TokuhashiGeneralCondition.POOR: 0,
    TokuhashiGeneralCondition.MODERATE: 1,
    TokuhashiGeneralCondition.GOOD: 2,
}
EXTRASPINAL_POINTS = {
    TokuhashiExtraspinalBone.GE_3: 0,
    TokuhashiExtraspinalBone.ONE_TO_TWO: 1,
    TokuhashiExtraspinalBone.NONE: 2,
}
VERTEBRAL_POINTS = {
    TokuhashiVertebralBody.GE_3: 0,
    TokuhashiVertebralBody.TWO: 1,
    TokuhashiVertebralBody.ONE: 2,
}
MAJOR_ORGAN_POINTS = {
    VisceralMetastases.UNREMOVABLE: 0,
    VisceralMetastases.REMOVABLE: 1,
    VisceralMetastases.NONE: 2,
}
PALSY_POINTS = {
    TokuhashiPalsy.COMPLETE: 0,
    TokuhashiPalsy.INCOMPLETE: 1,
    TokuhashiPalsy.NONE: 2,
}

#: §2.2: the rows of the 2005 table. A site absent from this mapping uses the ``other`` row.
PRIMARY_SITE_ROWS: dict[PrimaryTumor, int] = {
    PrimaryTumor.LUNG: 0,
    PrimaryTumor.OSTEOSARCOMA: 0,
    PrimaryTumor.STOMACH: 0,
    PrimaryTumor.BLADDER: 0,
    PrimaryTumor.ESOPHAGUS: 0,
    PrimaryTumor.PANCREAS: 0,
    PrimaryTumor.LIVER: 1,
    PrimaryTumor.GALLBLADDER: 1,
    PrimaryTumor.UNIDENTIFIED: 1,
    PrimaryTumor.OTHER: 2,
    PrimaryTumor.KIDNEY: 3,
    PrimaryTumor.UTERUS: 3,
    PrimaryTumor.RECTUM: 4,
    PrimaryTumor.THYROID: 5,
    PrimaryTumor.BREAST: 5,
    PrimaryTumor.PROSTATE: 5,
    PrimaryTumor.CARCINOID: 5,
}
#: §12: vocabulary keys that are a sub-type of a listed row.
PRIMARY_SITE_ALIASES: dict[PrimaryTumor, PrimaryTumor] = {
    PrimaryTumor.LUNG_SMALL_CELL: PrimaryTumor.LUNG,
}


def primary_site_row(site: PrimaryTumor) -> PrimaryTumor:
    """The row of the 2005 table used for ``site`` (``other`` when not listed)."""
    site = PRIMARY_SITE_ALIASES.get(site, site)
    return site if site in PRIMARY_SITE_ROWS else PrimaryTumor.OTHER


def kps_condition(kps: int) -> TokuhashiGeneralCondition:
    if kps <= 40:
        return TokuhashiGeneralCondition.POOR
    if kps <= 70:
        return TokuhashiGeneralCondition.MODERATE
    return TokuhashiGeneralCondition.GOOD


def extraspinal_from_count(count: int) -> TokuhashiExtraspinalBone:
    if count == 0:
        return TokuhashiExtraspinalBone.NONE
    if count <= 2:
        return TokuhashiExtraspinalBone.ONE_TO_TWO
    return TokuhashiExtraspinalBone.GE_3


def vertebral_from_count(count: int) -> TokuhashiVertebralBody:
    if count == 1:
        return TokuhashiVertebralBody.ONE
    if count == 2:
        return TokuhashiVertebralBody.TWO
    return TokuhashiVertebralBody.GE_3


def palsy_from_frankel(grade: FrankelGrade) -> TokuhashiPalsy:
    if grade in (FrankelGrade.A, FrankelGrade.B):
        return TokuhashiPalsy.COMPLETE
    if grade in (FrankelGrade.C, FrankelGrade.D):
        return TokuhashiPalsy.INCOMPLETE
    return TokuhashiPalsy.NONE


KPS_ALLOWED = "10, 20, 30, 40, 50, 60, 70, 80, 90, 100 (KPS 0 = dead is rejected)"

BANDS = (
    Band(
        0,
        8,
        "lt_6_months",
        "Predicted prognosis < 6 months",
        "Predicted prognosis < 6 months. Treatment recommended in the original: conservative "
        "treatment or palliative surgery.",
    ),
    Band(
        9,
        11,
        "ge_6_months",
        "Predicted prognosis >= 6 months",
        "Predicted prognosis >= 6 months. Treatment recommended in the original: palliative "
        "surgery (excisional surgery in the case of a single lesion without metastases to the "
        "major internal organs).",
    ),
    Band(
        12,
        15,
        "ge_12_months",
        "Predicted prognosis >= 1 year",
        "Predicted prognosis >= 1 year. Treatment recommended in the original: excisional surgery.",
    ),
)


@dataclass(frozen=True)
class TokuhashiInput:
    general_condition: TokuhashiGeneralCondition | None = None
    kps: int | None = None
    kps_derived_from_ecog: bool | None = None
    extraspinal_bone_metastases: TokuhashiExtraspinalBone | None = None
    extraspinal_bone_metastases_count: int | None = None
    vertebral_body_metastases: TokuhashiVertebralBody | None = None
    vertebral_body_metastases_count: int | None = None
    major_organ_metastases: VisceralMetastases | None = None
    primary_site: PrimaryTumor | None = None
    palsy: TokuhashiPalsy | None = None
    frankel_grade: FrankelGrade | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "general_condition", self.general_condition, TokuhashiGeneralCondition)
        check_int(errors, "kps", self.kps, lambda v: 10 <= v <= 100 and v % 10 == 0, KPS_ALLOWED)
        check_bool(errors, "kps_derived_from_ecog", self.kps_derived_from_ecog)
        check_enum(
            errors,
            "extraspinal_bone_metastases",
            self.extraspinal_bone_metastases,
            TokuhashiExtraspinalBone,
        )
        check_int(
            errors,
            "extraspinal_bone_metastases_count",
            self.extraspinal_bone_metastases_count,
            lambda v: v >= 0,
            "an integer >= 0",
        )
        check_enum(
            errors,
            "vertebral_body_metastases",
            self.vertebral_body_metastases,
            TokuhashiVertebralBody,
        )
        check_int(
            errors,
            "vertebral_body_metastases_count",
            self.vertebral_body_metastases_count,
            lambda v: v >= 1,
            "an integer >= 1 (0 is invalid for a spinal-metastasis score)",
        )
        check_enum(
            errors, "major_organ_metastases", self.major_organ_metastases, VisceralMetastases
        )
        check_enum(errors, "primary_site", self.primary_site, PrimaryTumor)
        check_enum(errors, "palsy", self.palsy, TokuhashiPalsy)
        check_enum(errors, "frankel_grade", self.frankel_grade, FrankelGrade)
        errors.raise_if_any()
        if self.kps_derived_from_ecog is not None and self.kps is None:
            errors.add("kps_derived_from_ecog", "kps_derived_from_ecog needs kps")
        options: tuple[LabelledEnum | None, ...] = (
            self.general_condition,
            self.extraspinal_bone_metastases,
            self.vertebral_body_metastases,
            self.palsy,
        )
        raws: tuple[object, ...] = (
            self.kps,
            self.extraspinal_bone_metastases_count,
            self.vertebral_body_metastases_count,
            self.frankel_grade,
        )
        for (raw_key, option_key), raw, option, mapped in zip(
            RAW_KEYS, raws, options, self.mapped_raw(), strict=True
        ):
            if mapped is not None and option is not None and mapped != option:
                errors.add(
                    raw_key,
                    f"{raw_key}={raw} maps to {mapped.value!r} but {option_key} is "
                    f"{option.value!r}; give one of them, or make them agree",
                )
        errors.raise_if_any()

    def mapped_raw(
        self,
    ) -> tuple[
        TokuhashiGeneralCondition | None,
        TokuhashiExtraspinalBone | None,
        TokuhashiVertebralBody | None,
        TokuhashiPalsy | None,
    ]:
        """The options implied by the raw values (None where no raw value was given)."""
        kps, extra, vert = (
            self.kps,
            self.extraspinal_bone_metastases_count,
            self.vertebral_body_metastases_count,
        )
        return (
            None if kps is None else kps_condition(kps),
            None if extra is None else extraspinal_from_count(extra),
            None if vert is None else vertebral_from_count(vert),
            None if self.frankel_grade is None else palsy_from_frankel(self.frankel_grade),
        )


RAW_KEYS = (
    ("kps", "general_condition"),
    ("extraspinal_bone_metastases_count", "extraspinal_bone_metastases"),
    ("vertebral_body_metastases_count", "vertebral_body_metastases"),
    ("frankel_grade", "palsy"),
)


def _pick(
    option: E | None, mapped: E | None, raw_key: str, raw: object
) -> tuple[E | None, str | None]:
    if mapped is not None:
        return mapped, f"{raw_key}={raw}"
    return option, None


def score_tokuhashi_revised(inp: TokuhashiInput) -> ScoreResult:
    components: list[ComponentResult] = []
    missing: list[str] = []
    notes: list[str] = []
    details: dict[str, object] = {}
    gc_m, extra_m, vert_m, palsy_m = inp.mapped_raw()

    gc, derived = _pick(inp.general_condition, gc_m, "kps", inp.kps)
    if inp.kps_derived_from_ecog:
        derived = f"{derived} (derived from ECOG by the board)"
        notes.append(
            "[convention] KPS derived from ECOG (section 8.4) and chosen by the board: general "
            "condition is derived."
        )
    add_option(components, missing, "general_condition", gc, GENERAL_CONDITION_POINTS, derived)
    extra, derived = _pick(
        inp.extraspinal_bone_metastases,
        extra_m,
        "extraspinal_bone_metastases_count",
        inp.extraspinal_bone_metastases_count,
    )
    add_option(
        components, missing, "extraspinal_bone_metastases", extra, EXTRASPINAL_POINTS, derived
    )
    vert, derived = _pick(
        inp.vertebral_body_metastases,
        vert_m,
        "vertebral_body_metastases_count",
        inp.vertebral_body_metastases_count,
    )
    add_option(components, missing, "vertebral_body_metastases", vert, VERTEBRAL_POINTS, derived)
    add_option(
        components,
        missing,
        "major_organ_metastases",
        inp.major_organ_metastases,
        MAJOR_ORGAN_POINTS,
    )
    if inp.primary_site is None:
        missing.append("primary_site")
    else:
        row = primary_site_row(inp.primary_site)
        points = PRIMARY_SITE_ROWS[row]
        details["primary_site_row"] = row.value
        label = inp.primary_site.label
        if row != inp.primary_site:
            label = f"{label} (scored as '{row.value}')"
            notes.append(
                f"Primary site {inp.primary_site.value!r} is not listed in the revised Tokuhashi "
                f"table: scored with the {row.value!r} row ({points} points)."
            )
        components.append(ComponentResult("primary_site", inp.primary_site.value, points, label))
    palsy, derived = _pick(inp.palsy, palsy_m, "frankel_grade", inp.frankel_grade)
    add_option(components, missing, "palsy", palsy, PALSY_POINTS, derived)

    if missing:
        return incomplete(META, missing, components, notes, details)
    notes.append("[secondary] Major internal organs = lungs, liver, kidneys, brain.")
    return banded_result(META, BANDS, components, notes=notes, details=details)


# --- JSON -----------------------------------------------------------------------------------

FIELDS: tuple[FieldSpec, ...] = (
    option_field(
        "general_condition",
        "General condition (Karnofsky performance status)",
        TokuhashiGeneralCondition,
        help="Or give kps. If only ECOG is known the item is incomplete [convention].",
    ),
    FieldSpec(
        "kps",
        "Karnofsky performance status",
        "integer",
        tuple((str(v), f"KPS {v}") for v in range(10, 101, 10)),
        False,
        "Multiple of 10 in 10-100 (0 = dead is rejected).",
        alternative_to="general_condition",
    ),
    FieldSpec(
        "kps_derived_from_ecog",
        "KPS was derived from ECOG by the board",
        "boolean",
        (),
        False,
        "Optional, with kps: marks general condition as derived (section 8.4).",
    ),
    option_field(
        "extraspinal_bone_metastases",
        "Number of extraspinal bone metastasis foci",
        TokuhashiExtraspinalBone,
    ),
    FieldSpec(
        "extraspinal_bone_metastases_count",
        "Number of extraspinal bone metastasis foci (count)",
        "integer",
        (),
        False,
        "Integer >= 0.",
        alternative_to="extraspinal_bone_metastases",
    ),
    option_field(
        "vertebral_body_metastases",
        "Number of metastases in the vertebral body",
        TokuhashiVertebralBody,
    ),
    FieldSpec(
        "vertebral_body_metastases_count",
        "Number of metastases in the vertebral body (count)",
        "integer",
        (),
        False,
        "Integer >= 1.",
        alternative_to="vertebral_body_metastases",
    ),
    option_field(
        "major_organ_metastases",
        "Metastases to the major internal organs (lungs, liver, kidneys, brain)",
        VisceralMetastases,
    ),
    option_field(
        "primary_site",
        "Primary site of the cancer",
        PrimaryTumor,
        help="Any product primary tumor key; a site not in the 2005 table uses the 'other' row.",
    ),
    option_field("palsy", "Palsy", TokuhashiPalsy, help="Or give frankel_grade."),
    option_field(
        "frankel_grade",
        "Frankel grade",
        FrankelGrade,
        required=False,
        alternative_to="palsy",
    ),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: TokuhashiInput(
            general_condition=r.option("general_condition", TokuhashiGeneralCondition),
            kps=r.integer("kps", KPS_ALLOWED),
            kps_derived_from_ecog=r.boolean("kps_derived_from_ecog"),
            extraspinal_bone_metastases=r.option(
                "extraspinal_bone_metastases", TokuhashiExtraspinalBone
            ),
            extraspinal_bone_metastases_count=r.integer(
                "extraspinal_bone_metastases_count", "an integer >= 0"
            ),
            vertebral_body_metastases=r.option("vertebral_body_metastases", TokuhashiVertebralBody),
            vertebral_body_metastases_count=r.integer(
                "vertebral_body_metastases_count", "an integer >= 1"
            ),
            major_organ_metastases=r.option("major_organ_metastases", VisceralMetastases),
            primary_site=r.option("primary_site", PrimaryTumor),
            palsy=r.option("palsy", TokuhashiPalsy),
            frankel_grade=r.option("frankel_grade", FrankelGrade),
        ),
    )
    return score_tokuhashi_revised(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
