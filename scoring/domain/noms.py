"""NOMS decision framework (scoring-spec.md §7). Evaluated per treatment target (lesion).

Inputs: N ``escc_grade`` + ``myelopathy``; O ``radiosensitivity``; M ``mechanical_status``
and/or ``sins_total`` (§7.3); S ``able_to_tolerate_surgery``. Added optional inputs:

* ``able_to_tolerate_percutaneous``: asked only when M is
  ``mechanical_pain_no_gross_instability`` on rows R3, R4, R6. ``true`` gives the cement
  augmentation keys; ``false`` follows the unstable rows (stabilization, which then needs
  ``able_to_tolerate_surgery``); missing gives ``incomplete`` listing it (never guessed).
* ``able_to_tolerate_local_treatment``: ``false`` returns ``board_decision_required`` with the
  single candidate ``systemic_therapy_and_supportive_care`` (product extension). When it is not
  entered the rules apply as published and the result notes the assumption.
* ``histology``: informational; the §7.2 / §12 suggestion is shown, never used.

``myelopathy`` is required for grades 0-1c only (the high-grade rows are "± myelopathy");
``mechanical_status`` is always required (§7.3), except when no local treatment is tolerated.
Unresolved cases return ``board_decision_required`` with ``details["candidate_paths"]`` and
``details["unresolved_reason"]``: low-grade ESCC with myelopathy (the low-grade and high-grade
paths are offered), ESCC 1c (low-grade and high-grade paths side by side), unstable spine in a
patient unable to tolerate surgery (low-grade, or radiosensitive high-grade: radiation per O),
and no local treatment tolerated. If a path needs an input that is missing, the result is
``incomplete`` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import (
    BOARD_DECISION_REQUIRED,
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
    incomplete,
    make_result,
    option_field,
)
from .vocabulary import EsccGrade, MechanicalStatus, PrimaryTumor, Radiosensitivity

META = Meta(
    name="noms",
    title="NOMS decision framework (MSKCC)",
    version="noms-1.0.0",
    citation=(
        "Laufer I, Rubin DG, Lis E, Cox BW, Stubblefield MD, Yamada Y, Bilsky MH. The NOMS "
        "framework: approach to the treatment of spinal metastatic tumors. Oncologist. "
        "2013;18(6):744-751. doi:10.1634/theoncologist.2012-0293"
    ),
)

SENSITIVE = Radiosensitivity.RADIOSENSITIVE
RESISTANT = Radiosensitivity.RADIORESISTANT
STABLE = MechanicalStatus.STABLE
MECH_PAIN = MechanicalStatus.MECHANICAL_PAIN_NO_GROSS_INSTABILITY
UNSTABLE = MechanicalStatus.UNSTABLE
SYSTEMIC = "systemic_therapy_and_supportive_care"

RECOMMENDATIONS: dict[str, str] = {
    "cebrt": "Conventional external beam radiotherapy (cEBRT)",
    "srs": "Stereotactic radiosurgery / SBRT",
    "stabilization_then_cebrt": "Stabilization followed by cEBRT",
    "stabilization_then_srs": "Stabilization followed by SRS",
    "separation_surgery_then_srs": (
        "Separation surgery (decompression +/- stabilization) followed by SRS (hybrid therapy)"
    ),
    "cement_augmentation_then_cebrt": (
        "Percutaneous cement augmentation (vertebroplasty / kyphoplasty) followed by cEBRT"
    ),
    "cement_augmentation_then_srs": (
        "Percutaneous cement augmentation (vertebroplasty / kyphoplasty) followed by SRS"
    ),
    SYSTEMIC: (
        "Systemic therapy and supportive care (systemic therapy, analgesia, palliative care / "
        "hospice referral) [product extension]"
    ),
}

REASONS: dict[str, str] = {
    "unable_to_tolerate_local_treatment": (
        "Patient unable to tolerate any local treatment: systemic therapy and supportive care "
        "[convention]."
    ),
    "low_grade_with_myelopathy": (
        "Low-grade ESCC with myelopathy is not covered by the NOMS table: the low-grade and "
        "high-grade paths are listed for the board [convention]."
    ),
    "escc_1c": (
        "ESCC 1c: management controversial (Bilsky 2010); the low-grade and high-grade paths "
        "are shown side by side [convention]."
    ),
    "unstable_unable_to_tolerate_surgery": (
        "Unstable spine in a patient unable to tolerate surgery: radiation per O; instability "
        "not addressed - consider percutaneous options or bracing [convention]."
    ),
}

_SUGGESTED_RADIOSENSITIVITY: dict[PrimaryTumor, Radiosensitivity] = {
    PrimaryTumor.LUNG: RESISTANT,
    PrimaryTumor.LUNG_SMALL_CELL: SENSITIVE,
    PrimaryTumor.OSTEOSARCOMA: RESISTANT,
    PrimaryTumor.STOMACH: RESISTANT,
    PrimaryTumor.LIVER: RESISTANT,
    PrimaryTumor.KIDNEY: RESISTANT,
    PrimaryTumor.RECTUM: RESISTANT,
    PrimaryTumor.THYROID: RESISTANT,
    PrimaryTumor.BREAST: SENSITIVE,
    PrimaryTumor.PROSTATE: SENSITIVE,
    PrimaryTumor.COLON: RESISTANT,
    PrimaryTumor.MELANOMA: RESISTANT,
    PrimaryTumor.SARCOMA: RESISTANT,
    PrimaryTumor.LYMPHOMA: SENSITIVE,
    PrimaryTumor.MULTIPLE_MYELOMA: SENSITIVE,
    PrimaryTumor.GERM_CELL: SENSITIVE,
}
#: Treated as radiosensitive in most frameworks, moderately; the board confirms (§7.2).
MODERATELY_SENSITIVE = frozenset({PrimaryTumor.BREAST, PrimaryTumor.PROSTATE})


def suggest_radiosensitivity(primary: PrimaryTumor) -> Radiosensitivity | None:
    """A *suggested* radiosensitivity (§7.2, §12); None = no suggestion. Never applied silently."""
    return _SUGGESTED_RADIOSENSITIVITY.get(primary)


def sins_mechanical_status(sins_total: int) -> MechanicalStatus | None:
    """§7.3: 0-6 stable, 13-18 unstable, 7-12 None (surgical consultation must classify)."""
    if sins_total <= 6:
        return STABLE
    if sins_total >= 13:
        return UNSTABLE
    return None


@dataclass(frozen=True)
class NomsInput:
    escc_grade: EsccGrade | None = None
    myelopathy: bool | None = None
    radiosensitivity: Radiosensitivity | None = None
    mechanical_status: MechanicalStatus | None = None
    sins_total: int | None = None
    able_to_tolerate_surgery: bool | None = None
    able_to_tolerate_percutaneous: bool | None = None
    able_to_tolerate_local_treatment: bool | None = None
    histology: PrimaryTumor | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "escc_grade", self.escc_grade, EsccGrade)
        check_bool(errors, "myelopathy", self.myelopathy)
        check_enum(errors, "radiosensitivity", self.radiosensitivity, Radiosensitivity)
        check_enum(errors, "mechanical_status", self.mechanical_status, MechanicalStatus)
        check_int(errors, "sins_total", self.sins_total, lambda v: 0 <= v <= 18, "0-18")
        check_bool(errors, "able_to_tolerate_surgery", self.able_to_tolerate_surgery)
        check_bool(errors, "able_to_tolerate_percutaneous", self.able_to_tolerate_percutaneous)
        check_bool(
            errors, "able_to_tolerate_local_treatment", self.able_to_tolerate_local_treatment
        )
        check_enum(errors, "histology", self.histology, PrimaryTumor)
        errors.raise_if_any()


@dataclass(frozen=True)
class Path:
    """The outcome of one N path: a rule, an unresolved reason, or missing inputs."""

    rule: str | None = None
    recommendation: str | None = None
    reason: str | None = None
    candidates: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def candidate_keys(self) -> tuple[str, ...]:
        return (self.recommendation,) if self.recommendation is not None else self.candidates

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "recommendation": self.recommendation,
            "unresolved_reason": self.reason,
            "candidate_paths": list(self.candidate_keys()),
            "missing": list(self.missing),
        }


def _radiation(o: Radiosensitivity) -> str:
    return "cebrt" if o is SENSITIVE else "srs"


def _unstable_rows(inp: NomsInput, *, high: bool, o: Radiosensitivity, m: MechanicalStatus) -> Path:
    """R3, R4, R6 (with the cement refinement), R7 and R8."""
    surgery = inp.able_to_tolerate_surgery
    if high and o is RESISTANT:
        if surgery is None:
            return Path(missing=("able_to_tolerate_surgery",))
        if surgery:
            return Path("R7", "separation_surgery_then_srs")
        notes = () if m is STABLE else ("R8: instability is not addressed by cEBRT alone.",)
        return Path("R8", "cebrt", notes=notes)
    rule = "R6" if high else ("R3" if o is SENSITIVE else "R4")
    suffix = "cebrt" if o is SENSITIVE else "srs"
    if m is MECH_PAIN:
        percutaneous = inp.able_to_tolerate_percutaneous
        if percutaneous is None:
            return Path(missing=("able_to_tolerate_percutaneous",))
        if percutaneous:
            return Path(
                rule,
                f"cement_augmentation_then_{suffix}",
                notes=(
                    f"{rule} with the mechanical refinement (MSKCC): mechanical pain without "
                    "gross instability, percutaneous cement augmentation.",
                ),
            )
    if surgery is None:
        return Path(missing=("able_to_tolerate_surgery",))
    if surgery:
        return Path(rule, f"stabilization_then_{suffix}")
    return Path(
        reason="unstable_unable_to_tolerate_surgery",
        candidates=(_radiation(o),),
        notes=("Instability not addressed - consider percutaneous options or bracing.",),
    )


def _grade_path(inp: NomsInput, *, high: bool, o: Radiosensitivity, m: MechanicalStatus) -> Path:
    """The rows for a low-grade ESCC without myelopathy (high=False) or a high-grade ESCC."""
    if m is STABLE and not (high and o is RESISTANT):
        if high:
            return Path("R5", "cebrt")
        return Path("R1", "cebrt") if o is SENSITIVE else Path("R2", "srs")
    return _unstable_rows(inp, high=high, o=o, m=m)


def _combine(reason: str, paths: dict[str, Path]) -> Path:
    """An unresolved case offering several paths (incomplete if any path lacks an input)."""
    missing: list[str] = []
    candidates: list[str] = []
    notes: list[str] = []
    for path in paths.values():
        missing += [key for key in path.missing if key not in missing]
        candidates += [key for key in path.candidate_keys() if key not in candidates]
        notes += [note for note in path.notes if note not in notes]
    return Path(
        reason=reason, candidates=tuple(candidates), missing=tuple(missing), notes=tuple(notes)
    )


def _low_grade(
    inp: NomsInput, o: Radiosensitivity, m: MechanicalStatus
) -> tuple[Path, dict[str, Path]]:
    if inp.myelopathy:
        paths = {
            "low_grade": _grade_path(inp, high=False, o=o, m=m),
            "high_grade": _grade_path(inp, high=True, o=o, m=m),
        }
        return _combine("low_grade_with_myelopathy", paths), paths
    return _grade_path(inp, high=False, o=o, m=m), {}


def _mechanical(
    inp: NomsInput,
) -> tuple[MechanicalStatus | None, dict[str, object], list[str], str | None]:
    """M used, its details, notes, and where it came from (§7.3)."""
    entered, sins = inp.mechanical_status, inp.sins_total
    derived = None if sins is None else sins_mechanical_status(sins)
    notes: list[str] = []
    used = entered if entered is not None else derived
    source = "mechanical_status" if entered is not None else None
    if sins is not None:
        derived_text = derived.value if derived is not None else "indeterminate (SINS 7-12)"
        if entered is None:
            if derived is None:
                notes.append(
                    f"sins_total={sins}: potentially unstable - surgical consultation required "
                    "to classify mechanical status."
                )
            else:
                source = f"sins_total={sins}"
                notes.append(
                    f"[convention] mechanical_status {derived.value!r} derived from "
                    f"sins_total={sins} (section 7.3)."
                )
        elif derived != entered:
            notes.append(
                f"Entered mechanical_status {entered.value!r} takes precedence over the "
                f"SINS-derived value {derived_text} (sins_total={sins})."
            )
    details: dict[str, object] = {
        "mechanical_status": entered.value if entered is not None else None,
        "sins_total": sins,
        "sins_derived": None
        if sins is None
        else (derived.value if derived is not None else "indeterminate"),
        "used": used.value if used is not None else None,
        "source": source,
    }
    return used, details, notes, source


def _value(value: object) -> object:
    return getattr(value, "value", value)


def evaluate_noms(inp: NomsInput) -> ScoreResult:
    notes: list[str] = []
    grade, o = inp.escc_grade, inp.radiosensitivity
    m, m_details, m_notes, m_source = _mechanical(inp)
    notes += m_notes

    escc_class = None
    if grade is not None:
        escc_class = "1c" if grade is EsccGrade.G1C else ("high" if grade.is_high_grade else "low")
    o_details: dict[str, object] = {
        "radiosensitivity": _value(o),
        "histology": _value(inp.histology),
    }
    if inp.histology is not None:
        suggestion = suggest_radiosensitivity(inp.histology)
        o_details["suggested_radiosensitivity"] = _value(suggestion)
        if suggestion is not None and suggestion is not o:
            moderately = " (moderately; confirm)" if inp.histology in MODERATELY_SENSITIVE else ""
            notes.append(
                f"Histology {inp.histology.value!r} suggests {suggestion.value}{moderately}: "
                "a suggestion only, the entered radiosensitivity is used."
            )
    details: dict[str, object] = {
        "N": {"escc_grade": _value(grade), "escc_class": escc_class, "myelopathy": inp.myelopathy},
        "O": o_details,
        "M": m_details,
        "S": {
            "able_to_tolerate_surgery": inp.able_to_tolerate_surgery,
            "able_to_tolerate_percutaneous": inp.able_to_tolerate_percutaneous,
            "able_to_tolerate_local_treatment": inp.able_to_tolerate_local_treatment,
        },
        "rule": None,
        "unresolved_reason": None,
        "candidate_paths": [],
    }
    components = _components(inp, m, m_source)

    if inp.able_to_tolerate_local_treatment is False:
        return _result(
            Path(reason="unable_to_tolerate_local_treatment", candidates=(SYSTEMIC,)),
            {},
            components,
            notes,
            details,
        )

    missing: list[str] = []
    if grade is None:
        missing.append("escc_grade")
    elif escc_class != "high" and inp.myelopathy is None:
        missing.append("myelopathy")
    if o is None:
        missing.append("radiosensitivity")
    if m is None:
        missing.append("mechanical_status")
    if grade is None or o is None or m is None or missing:
        return incomplete(META, missing, components, notes, details)

    paths: dict[str, Path] = {}
    if escc_class == "1c":
        low, low_paths = _low_grade(inp, o, m)
        paths = {"low_grade": low, "high_grade": _grade_path(inp, high=True, o=o, m=m)}
        path = _combine("escc_1c", paths)
        paths.update({f"low_grade.{k}": v for k, v in low_paths.items()})
    elif escc_class == "low":
        path, paths = _low_grade(inp, o, m)
    else:
        path = _grade_path(inp, high=True, o=o, m=m)
    if inp.able_to_tolerate_local_treatment is None:
        notes.append(
            "able_to_tolerate_local_treatment not entered: the rules apply as published; if the "
            "patient cannot tolerate local treatment, systemic therapy and supportive care."
        )
    return _result(path, paths, components, notes, details)


def _components(
    inp: NomsInput, m: MechanicalStatus | None, m_source: str | None
) -> list[ComponentResult]:
    components: list[ComponentResult] = []
    if inp.escc_grade is not None:
        components.append(
            ComponentResult("escc_grade", inp.escc_grade.value, None, inp.escc_grade.label)
        )
    for key in (
        "myelopathy",
        "able_to_tolerate_surgery",
        "able_to_tolerate_percutaneous",
        "able_to_tolerate_local_treatment",
    ):
        value = getattr(inp, key)
        if value is not None:
            components.append(ComponentResult(key, str(value).lower(), None, key.replace("_", " ")))
    if inp.radiosensitivity is not None:
        r = inp.radiosensitivity
        components.append(ComponentResult("radiosensitivity", r.value, None, r.label))
    if m is not None:
        derived = m_source if m_source != "mechanical_status" else None
        components.append(ComponentResult("mechanical_status", m.value, None, m.label, derived))
    return components


def _result(
    path: Path,
    paths: dict[str, Path],
    components: list[ComponentResult],
    notes: list[str],
    details: dict[str, object],
) -> ScoreResult:
    notes = notes + [n for n in path.notes if n not in notes]
    if path.missing:
        return incomplete(META, path.missing, components, notes, details)
    if paths:
        details["paths"] = {name: p.as_dict() for name, p in paths.items()}
    if path.rule is not None and path.recommendation is not None:
        details["rule"] = path.rule
        details["recommendation"] = path.recommendation
        label = RECOMMENDATIONS[path.recommendation]
        return make_result(
            META,
            status=COMPLETE,
            category=path.recommendation,
            category_label=label,
            components=components,
            interpretation=f"{path.rule}: {label}.",
            notes=notes,
            details=details,
        )
    reason = path.reason or ""
    details["unresolved_reason"] = reason
    details["candidate_paths"] = list(path.candidates)
    candidates = "; ".join(RECOMMENDATIONS[c] for c in path.candidates)
    return make_result(
        META,
        status=BOARD_DECISION_REQUIRED,
        components=components,
        interpretation=f"Board decision required. {REASONS[reason]} Candidate paths: {candidates}.",
        notes=notes,
        details=details,
    )


# --- JSON -----------------------------------------------------------------------------------

FIELDS: tuple[FieldSpec, ...] = (
    option_field("escc_grade", "N: ESCC grade", EsccGrade),
    FieldSpec(
        "myelopathy",
        "N: clinical myelopathy from cord compression",
        "boolean",
        (),
        True,
        "Required for grades 0-1c; the high-grade rows apply with or without myelopathy.",
    ),
    option_field(
        "radiosensitivity",
        "O: radiosensitivity to cEBRT",
        Radiosensitivity,
        help="Entered by the clinician; the histology suggestion is never applied.",
    ),
    option_field(
        "mechanical_status",
        "M: mechanical status",
        MechanicalStatus,
        help="Or derived from sins_total (0-6 stable, 13-18 unstable; 7-12 must be entered).",
    ),
    FieldSpec(
        "sins_total",
        "M: SINS total",
        "integer",
        (),
        False,
        "0-18. An entered mechanical_status takes precedence.",
        alternative_to="mechanical_status",
    ),
    FieldSpec(
        "able_to_tolerate_surgery",
        "S: able to tolerate surgery",
        "boolean",
        (),
        False,
        "Required only when a surgical path is reached.",
    ),
    FieldSpec(
        "able_to_tolerate_percutaneous",
        "S: able to tolerate a percutaneous procedure (cement augmentation)",
        "boolean",
        (),
        False,
        "Required only for mechanical pain without gross instability on rows R3, R4, R6.",
    ),
    FieldSpec(
        "able_to_tolerate_local_treatment",
        "S: able to tolerate any local treatment",
        "boolean",
        (),
        False,
        "false: systemic therapy and supportive care (board decision).",
    ),
    option_field(
        "histology",
        "Histology (informational)",
        PrimaryTumor,
        required=False,
        help="Recorded; the radiosensitivity suggestion is shown, never applied.",
    ),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: NomsInput(
            escc_grade=r.option("escc_grade", EsccGrade),
            myelopathy=r.boolean("myelopathy"),
            radiosensitivity=r.option("radiosensitivity", Radiosensitivity),
            mechanical_status=r.option("mechanical_status", MechanicalStatus),
            sins_total=r.integer("sins_total", "0-18"),
            able_to_tolerate_surgery=r.boolean("able_to_tolerate_surgery"),
            able_to_tolerate_percutaneous=r.boolean("able_to_tolerate_percutaneous"),
            able_to_tolerate_local_treatment=r.boolean("able_to_tolerate_local_treatment"),
            histology=r.option("histology", PrimaryTumor),
        ),
    )
    return evaluate_noms(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
