"""ESCC (scoring-spec.md §6): grades, high/low class, descriptor mapping and inconsistencies."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError

evaluate = CALCULATORS["escc"].evaluate

GRADES = [
    ("0", "low_grade"),
    ("1a", "low_grade"),
    ("1b", "low_grade"),
    ("1c", "low_grade"),
    ("2", "high_grade"),
    ("3", "high_grade"),
]


@pytest.mark.parametrize(("grade", "category"), GRADES)
def test_grades(grade, category):
    result = evaluate({"escc_grade": grade})
    assert result.status == "complete"
    assert result.total is None
    assert result.category == category
    assert result.components[0].option == grade
    assert result.details["high_grade"] is (category == "high_grade")
    assert any("controversial" in n for n in result.notes) is (grade == "1c")


# Descriptor combinations -> grade, exactly per the §6 table.
DESCRIPTORS = [
    ({"epidural_extension": False}, "0"),
    ({"epidural_extension": True, "thecal_sac_deformed": False}, "1a"),
    ({"epidural_extension": True, "thecal_sac_deformed": True, "cord_abutment": False}, "1b"),
    (
        {
            "epidural_extension": True,
            "thecal_sac_deformed": True,
            "cord_abutment": True,
            "cord_compressed": False,
        },
        "1c",
    ),
    (
        {
            "epidural_extension": True,
            "thecal_sac_deformed": True,
            "cord_abutment": True,
            "cord_compressed": True,
            "csf_visible_around_cord": True,
        },
        "2",
    ),
    (
        {
            "epidural_extension": True,
            "thecal_sac_deformed": True,
            "cord_abutment": True,
            "cord_compressed": True,
            "csf_visible_around_cord": False,
        },
        "3",
    ),
    # a true further down the chain implies the ones above
    ({"cord_compressed": True, "csf_visible_around_cord": False}, "3"),
    ({"cord_abutment": True, "cord_compressed": False}, "1c"),
]


@pytest.mark.parametrize(("descriptors", "grade"), DESCRIPTORS)
def test_descriptors(descriptors, grade):
    result = evaluate(descriptors)
    assert result.components[0].option == grade
    assert result.components[0].derived_from
    assert evaluate({**descriptors, "escc_grade": grade}).components[0].option == grade


@pytest.mark.parametrize(
    ("descriptors", "field"),
    [
        ({"epidural_extension": False, "cord_compressed": True}, "cord_compressed"),
        ({"epidural_extension": False, "thecal_sac_deformed": True}, "thecal_sac_deformed"),
        ({"thecal_sac_deformed": False, "cord_abutment": True}, "cord_abutment"),
        ({"cord_abutment": False, "cord_compressed": True}, "cord_compressed"),
    ],
)
def test_inconsistent_descriptors_rejected(descriptors, field):
    with pytest.raises(ScoringInputError) as exc:
        evaluate(descriptors)
    assert "inconsistent" in exc.value.errors[field][0]


def test_grade_descriptor_disagreement():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"escc_grade": "2", "epidural_extension": False})
    assert "disagrees" in exc.value.errors["escc_grade"][0]


@pytest.mark.parametrize(
    ("descriptors", "missing"),
    [
        ({}, ("escc_grade",)),
        ({"thecal_sac_deformed": False}, ("epidural_extension",)),
        ({"epidural_extension": True}, ("thecal_sac_deformed",)),
        ({"epidural_extension": True, "thecal_sac_deformed": True}, ("cord_abutment",)),
        ({"cord_abutment": True}, ("cord_compressed",)),
        ({"cord_compressed": True}, ("csf_visible_around_cord",)),
        ({"csf_visible_around_cord": True}, ("epidural_extension",)),
    ],
)
def test_incomplete_descriptors(descriptors, missing):
    result = evaluate(descriptors)
    assert result.status == "incomplete"
    assert result.missing == missing
    assert result.category is None


def test_grade_with_partial_descriptors_uses_grade():
    result = evaluate({"escc_grade": "2", "epidural_extension": True})
    assert result.components[0].option == "2"
    assert result.components[0].derived_from is None


def test_csf_ignored_when_not_compressed_is_noted():
    result = evaluate({"epidural_extension": False, "csf_visible_around_cord": False})
    assert result.components[0].option == "0"
    assert any("used only when the cord is compressed" in n for n in result.notes)


def test_invalid():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"escc_grade": "4", "cord_compressed": "yes"})
    assert "allowed: 0, 1a, 1b, 1c, 2, 3" in exc.value.errors["escc_grade"][0]
    assert "allowed: true, false" in exc.value.errors["cord_compressed"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"escc_grade": 2})
    assert "allowed: 0, 1a" in exc.value.errors["escc_grade"][0]
