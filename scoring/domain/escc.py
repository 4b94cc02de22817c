"""ESCC: epidural spinal cord compression scale, Bilsky (scoring-spec.md §6). Per lesion.

Input: ``escc_grade``, or the descriptor booleans. The descriptors form a chain, each implying
the previous one: ``epidural_extension`` <- ``thecal_sac_deformed`` <- ``cord_abutment`` (the
cord is touched, whether or not compressed) <- ``cord_compressed``; ``csf_visible_around_cord``
separates grade 2 from 3 and is used only when the cord is compressed. A ``true`` further down
the chain implies the ones above it; an explicit ``false`` above a ``true`` is inconsistent and
rejected. When both the grade and descriptors are given they must agree.
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
    check_bool,
    check_enum,
    incomplete,
    make_result,
    option_field,
)
from .vocabulary import EsccGrade

META = Meta(
    name="escc",
    title="ESCC - Epidural Spinal Cord Compression scale (Bilsky)",
    version="escc-1.0.0",
    citation=(
        "Bilsky MH, Laufer I, Fourney DR, Groff M, Schmidt MH, Varga PP, et al. Reliability "
        "analysis of the epidural spinal cord compression scale. J Neurosurg Spine. "
        "2010;13(3):324-328. doi:10.3171/2010.3.SPINE09459"
    ),
)

CHAIN = ("epidural_extension", "thecal_sac_deformed", "cord_abutment", "cord_compressed")
CSF = "csf_visible_around_cord"
DESCRIPTOR_KEYS = (*CHAIN, CSF)

#: Grade reached when the chain stops at a ``false`` at this position.
_STOP_GRADE = (EsccGrade.G0, EsccGrade.G1A, EsccGrade.G1B, EsccGrade.G1C)

LOW_GRADE_TEXT = (
    "Low-grade ESCC. In the absence of mechanical instability, grades 0, 1a and 1b are "
    "considered for radiation as initial treatment."
)
INTERPRETATIONS = {
    EsccGrade.G0: LOW_GRADE_TEXT,
    EsccGrade.G1A: LOW_GRADE_TEXT,
    EsccGrade.G1B: LOW_GRADE_TEXT,
    EsccGrade.G1C: (
        "Grade 1c: not high-grade by definition (high grade = 2-3); the role of surgery versus "
        "radiosurgery in 1c is controversial (Bilsky 2010)."
    ),
    EsccGrade.G2: "High-grade ESCC (grades 2-3): spinal cord compression.",
    EsccGrade.G3: "High-grade ESCC (grades 2-3): spinal cord compression.",
}


@dataclass(frozen=True)
class EsccInput:
    escc_grade: EsccGrade | None = None
    epidural_extension: bool | None = None
    thecal_sac_deformed: bool | None = None
    cord_abutment: bool | None = None
    cord_compressed: bool | None = None
    csf_visible_around_cord: bool | None = None

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        check_enum(errors, "escc_grade", self.escc_grade, EsccGrade)
        for key in DESCRIPTOR_KEYS:
            check_bool(errors, key, getattr(self, key))
        errors.raise_if_any()
        chain = self.chain()
        for position in range(1, len(CHAIN)):
            if chain[position] is True:
                for above in range(position):
                    if chain[above] is False:
                        errors.add(
                            CHAIN[position],
                            f"{CHAIN[position]}=true is inconsistent with {CHAIN[above]}=false",
                        )
        errors.raise_if_any()
        grade, _ = self.descriptor_grade()
        if self.escc_grade is not None and grade is not None and grade != self.escc_grade:
            errors.add(
                "escc_grade",
                f"escc_grade {self.escc_grade.value!r} disagrees with the descriptors "
                f"(grade {grade.value!r}); give one of them, or make them agree",
            )
        errors.raise_if_any()

    def chain(self) -> tuple[bool | None, ...]:
        return tuple(getattr(self, key) for key in CHAIN)

    def has_descriptors(self) -> bool:
        return any(getattr(self, key) is not None for key in DESCRIPTOR_KEYS)

    def descriptor_grade(self) -> tuple[EsccGrade | None, str | None]:
        """Grade from the descriptors, or (None, the next descriptor needed)."""
        given = self.chain()
        for position, key in enumerate(CHAIN):
            value = given[position]
            if value is None and any(v is True for v in given[position + 1 :]):
                value = True  # a true further down the chain implies this one
            if value is None:
                return None, key
            if value is False:
                return _STOP_GRADE[position], None
        if self.csf_visible_around_cord is None:
            return None, CSF
        return (EsccGrade.G2 if self.csf_visible_around_cord else EsccGrade.G3), None


def score_escc(inp: EsccInput) -> ScoreResult:
    notes: list[str] = []
    derived_from = None
    grade = inp.escc_grade
    if inp.has_descriptors():
        descriptor_grade, needed = inp.descriptor_grade()
        if grade is None:
            if descriptor_grade is None:
                return incomplete(META, [needed or "escc_grade"])
            grade = descriptor_grade
            derived_from = ", ".join(
                f"{key}={str(getattr(inp, key)).lower()}"
                for key in DESCRIPTOR_KEYS
                if getattr(inp, key) is not None
            )
        if inp.csf_visible_around_cord is not None and grade not in (EsccGrade.G2, EsccGrade.G3):
            notes.append(
                "csf_visible_around_cord is used only when the cord is compressed (grades 2-3)."
            )
    if grade is None:
        return incomplete(META, ["escc_grade"])
    if grade is EsccGrade.G1C:
        notes.append("ESCC 1c: management controversial (Bilsky 2010); NOMS asks the board.")
    high = grade.is_high_grade
    return make_result(
        META,
        status=COMPLETE,
        category="high_grade" if high else "low_grade",
        category_label="High-grade ESCC" if high else "Low-grade ESCC",
        components=[ComponentResult("escc_grade", grade.value, None, grade.label, derived_from)],
        interpretation=INTERPRETATIONS[grade],
        notes=notes,
        details={"grade": grade.value, "high_grade": high},
    )


# --- JSON -----------------------------------------------------------------------------------

_DESCRIPTOR_HELP = {
    "epidural_extension": "Epidural tumor extension (impingement) present.",
    "thecal_sac_deformed": "Thecal sac deformed (implies epidural extension).",
    "cord_abutment": (
        "Tumor / thecal sac touches the cord, compressed or not (implies deformation)."
    ),
    "cord_compressed": "Spinal cord compressed (implies abutment).",
    CSF: "CSF visible around the compressed cord (grade 2) or not (grade 3).",
}

FIELDS: tuple[FieldSpec, ...] = (
    option_field("escc_grade", "ESCC grade", EsccGrade, help="Or give the descriptors."),
    *(
        FieldSpec(
            key,
            key.replace("_", " ").capitalize(),
            "boolean",
            (),
            False,
            help,
            alternative_to="escc_grade",
        )
        for key, help in _DESCRIPTOR_HELP.items()
    ),
)


def evaluate(data: object) -> ScoreResult:
    r = Reader(data, FIELDS)
    inp = build(
        r,
        lambda: EsccInput(
            escc_grade=r.option("escc_grade", EsccGrade),
            epidural_extension=r.boolean("epidural_extension"),
            thecal_sac_deformed=r.boolean("thecal_sac_deformed"),
            cord_abutment=r.boolean("cord_abutment"),
            cord_compressed=r.boolean("cord_compressed"),
            csf_visible_around_cord=r.boolean(CSF),
        ),
    )
    return score_escc(inp)


CALCULATOR = Calculator(META.name, META.title, META.citation, META.version, FIELDS, evaluate)
