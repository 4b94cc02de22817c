"""The pure rules of standard-pathway criteria (``meetings.criteria``): validation naming the
place of each problem, evaluation by clinical order with reasons in words, and the facts
derived from a case's records. Table-tested, no database (except the vocabulary check)."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import ExpectedSurvival, Urgency
from cases.models.records import NeurologicalDeficit, SystemicDiseaseStatus
from meetings import criteria as c
from meetings.criteria import CaseData, LesionData, derive_facts, evaluate, validate

# --- Validation -------------------------------------------------------------------------------


def test_a_valid_list_has_no_problems() -> None:
    assert (
        validate(
            [
                {"fact": "sins_max", "op": "lt", "value": 7},
                {"fact": "escc_max", "op": "le", "value": "1b"},
                {"fact": "radiosensitivity", "op": "eq", "value": "radiosensitive"},
                {"fact": "cord_compression", "op": "eq", "value": False},
                {"fact": "primary_tumor", "op": "in", "value": ["breast", "prostate"]},
                {"fact": "karnofsky", "op": "ge", "value": 70},
                {"fact": "urgency", "op": "not_in", "value": ["emergency"]},
            ]
        )
        == {}
    )


@pytest.mark.parametrize(
    ("criteria", "where"),
    [
        (None, "criteria"),
        ([], "criteria"),
        ({"fact": "sins_max"}, "criteria"),
        (["sins_max < 7"], "criteria[0]"),
        ([{"fact": "sins_max", "op": "lt", "value": 7, "extra": 1}], "criteria[0]"),
        ([{"fact": "sins", "op": "lt", "value": 7}], "criteria[0].fact"),
        ([{"fact": "sins_max", "op": "<", "value": 7}], "criteria[0].op"),
        ([{"fact": "sins_max", "op": "lt"}], "criteria[0].value"),
        ([{"fact": "sins_max", "op": "lt", "value": "7"}], "criteria[0].value"),
        ([{"fact": "sins_max", "op": "lt", "value": True}], "criteria[0].value"),
        ([{"fact": "escc_max", "op": "lt", "value": "2a"}], "criteria[0].value"),
        ([{"fact": "escc_max", "op": "lt", "value": 2}], "criteria[0].value"),
        ([{"fact": "cord_compression", "op": "eq", "value": "yes"}], "criteria[0].value"),
        ([{"fact": "cord_compression", "op": "lt", "value": True}], "criteria[0].op"),
        ([{"fact": "primary_tumor", "op": "gt", "value": "breast"}], "criteria[0].op"),
        ([{"fact": "primary_tumor", "op": "eq", "value": "brest"}], "criteria[0].value"),
        ([{"fact": "primary_tumor", "op": "in", "value": "breast"}], "criteria[0].value"),
        ([{"fact": "primary_tumor", "op": "in", "value": []}], "criteria[0].value"),
        ([{"fact": "primary_tumor", "op": "in", "value": ["breast", "x"]}], "criteria[0].value"),
    ],
)
def test_each_problem_is_named_where_it_is(criteria: Any, where: str) -> None:
    errors = validate(criteria)
    assert where in errors, errors
    assert all(errors[where])


def test_the_third_condition_is_named_with_its_index() -> None:
    errors = validate(
        [
            {"fact": "sins_max", "op": "lt", "value": 7},
            {"fact": "karnofsky", "op": "ge", "value": 70},
            {"fact": "tumour", "op": "eq", "value": "breast"},
        ]
    )
    assert list(errors) == ["criteria[2].fact"]
    assert "tumour" in errors["criteria[2].fact"][0]


# --- Evaluation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "op", "value", "actual", "expected"),
    [
        ("sins_max", "lt", 7, 6, True),
        ("sins_max", "lt", 7, 7, False),
        ("sins_max", "le", 7, 7, True),
        ("sins_max", "gt", 12, 13, True),
        ("sins_max", "ge", 13, 12, False),
        ("sins_max", "eq", 6, 6, True),
        ("sins_max", "ne", 6, 6, False),
        ("sins_max", "in", [5, 6], 6, True),
        ("sins_max", "not_in", [5, 6], 6, False),
        # ESCC by clinical order, not alphabetically ("1c" < "2" < "3"; "1a" < "1b").
        ("escc_max", "lt", "2", "1c", True),
        ("escc_max", "lt", "2", "2", False),
        ("escc_max", "le", "1b", "1c", False),
        ("escc_max", "ge", "1a", "0", False),
        ("escc_max", "gt", "1c", "3", True),
        ("sins_category_max", "lt", "unstable", "potentially_unstable", True),
        ("frankel_grade", "ge", "D", "C", False),
        ("frankel_grade", "ge", "D", "E", True),
        ("urgency", "lt", "emergency", "urgent", True),
        ("expected_survival", "ge", "3_to_6_months", "lt_3_months", False),
        ("expected_survival", "ge", "3_to_6_months", "gt_12_months", True),
        ("cord_compression", "eq", False, False, True),
        ("cord_compression", "ne", True, True, False),
        ("primary_tumor", "in", ["breast", "prostate"], "prostate", True),
        ("primary_tumor", "not_in", ["breast", "prostate"], "lung", True),
        ("primary_tumor", "eq", "breast", "lung", False),
    ],
)
def test_conditions_compare_by_clinical_order(
    fact: str, op: str, value: Any, actual: Any, expected: bool
) -> None:
    assert validate([{"fact": fact, "op": op, "value": value}]) == {}
    matches, reasons = evaluate([{"fact": fact, "op": op, "value": value}], {fact: actual})
    assert matches is expected
    assert bool(reasons) is not expected


def test_every_failed_criterion_is_said_in_words() -> None:
    matches, reasons = evaluate(
        [
            {"fact": "sins_max", "op": "lt", "value": 7},
            {"fact": "escc_max", "op": "le", "value": "1b"},
            {"fact": "radiosensitivity", "op": "eq", "value": "radiosensitive"},
            {"fact": "primary_tumor", "op": "in", "value": ["breast", "prostate"]},
        ],
        {"sins_max": 9, "escc_max": "1b", "radiosensitivity": None, "primary_tumor": "lung"},
    )
    assert matches is False
    assert reasons == [
        "highest SINS is 9, needs below 7",
        "radiosensitivity not judged",
        "primary tumor is lung, needs one of breast, prostate",
    ]


def test_a_missing_fact_is_not_matched_and_says_what_to_enter() -> None:
    matches, reasons = evaluate([{"fact": "sins_max", "op": "lt", "value": 7}], {})
    assert (matches, reasons) == (False, [c.FACTS["sins_max"].missing])
    assert reasons[0].startswith("SINS not scored")


def test_a_criterion_no_longer_valid_never_matches() -> None:
    matches, reasons = evaluate([{"fact": "retired_fact", "op": "eq", "value": 1}], {})
    assert matches is False
    assert "not valid" in reasons[0]


# --- Facts ------------------------------------------------------------------------------------


def lesion(**extra: Any) -> LesionData:
    fields: dict[str, Any] = {"level_from": "T8", "level_to": "T8", **extra}
    return LesionData(**fields)


def data(**extra: Any) -> CaseData:
    fields: dict[str, Any] = {"urgency": "routine", "primary_tumor": "breast", **extra}
    return CaseData(**fields)


def test_sins_and_escc_maxima_need_every_lesion() -> None:
    both = (
        lesion(sins_total=5, sins_category="stable", escc_grade="1c"),
        lesion(
            level_from="L1",
            level_to="L2",
            sins_total=9,
            sins_category="potentially_unstable",
            escc_grade="1a",
        ),
    )
    facts = derive_facts(data(lesions=both))
    assert facts["sins_max"] == 9
    assert facts["sins_category_max"] == "potentially_unstable"
    assert facts["escc_max"] == "1c"
    assert facts["cord_compression"] is False
    assert facts["lesion_count"] == 2
    # One lesion unscored and ungraded: the maxima are unknown (it might be the worst).
    partial = derive_facts(data(lesions=(*both, lesion(level_from="C5", level_to="C5"))))
    assert partial["sins_max"] is None
    assert partial["sins_category_max"] is None
    assert partial["escc_max"] is None
    assert partial["cord_compression"] is None
    # ... but a grade of 2 anywhere is a cord compression, whatever the others.
    compressed = derive_facts(data(lesions=(lesion(escc_grade="2"), lesion(level_from="C5"))))
    assert compressed["cord_compression"] is True
    nothing = derive_facts(data())
    assert (nothing["sins_max"], nothing["escc_max"], nothing["lesion_count"]) == (None, None, 0)
    assert nothing["prior_radiotherapy_at_level"] is None


@pytest.mark.parametrize(
    ("lesion_span", "courses", "expected"),
    [
        (("T8", "T9"), (), False),
        (("T8", "T9"), (("T9", "T10"),), True),
        (("T8", "T9"), (("T10", "T12"),), False),
        (("T8", ""), (("T6", "T8"),), True),
        (("L1", "L1"), (("T12", "L2"),), True),
    ],
)
def test_prior_radiotherapy_at_a_lesions_level(
    lesion_span: tuple[str, str], courses: tuple[tuple[str, str], ...], expected: bool
) -> None:
    top, bottom = lesion_span
    facts = derive_facts(
        data(lesions=(lesion(level_from=top, level_to=bottom),), prior_radiotherapy=courses)
    )
    assert facts["prior_radiotherapy_at_level"] is expected


def test_status_and_case_facts() -> None:
    facts = derive_facts(
        data(
            radiosensitivity="radiosensitive",
            expected_survival="unknown",
            able_to_tolerate_surgery=False,
            status={
                "neurological_deficit": "none",
                "ambulatory_status": "",
                "frankel_grade": "E",
                "karnofsky": 80,
                "ecog": "1",
                "systemic_disease_status": "unknown",
            },
            tokuhashi_total=11.0,
            lesions=(lesion(pathologic_fracture=False, mechanical_status="stable"),),
        )
    )
    assert facts["radiosensitivity"] == "radiosensitive"
    assert facts["expected_survival"] is None  # "unknown" is not a value to compare
    assert facts["able_to_tolerate_surgery"] is False
    assert facts["neurological_deficit"] == "none"
    assert facts["ambulatory_status"] is None
    assert (facts["frankel_grade"], facts["karnofsky"], facts["ecog"]) == ("E", 80, 1)
    assert facts["systemic_disease_status"] is None
    assert facts["tokuhashi_total"] == 11
    assert facts["pathologic_fracture"] is False
    assert facts["mechanically_unstable"] is False
    assert set(facts) == set(c.FACTS)


def test_the_vocabularies_repeated_here_are_the_models() -> None:
    assert tuple(Urgency.values) == c.URGENCIES
    assert set(c.EXPECTED_SURVIVAL) == set(ExpectedSurvival.values) - {"unknown"}
    assert tuple(NeurologicalDeficit.values) == c.NEUROLOGICAL_DEFICITS
    assert set(c.SYSTEMIC_DISEASE) == set(SystemicDiseaseStatus.values) - {"unknown"}
