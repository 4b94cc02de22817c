"""Tomita (scoring-spec.md §3): options, every band boundary, the growth suggestion helper."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError, suggest_tomita_growth
from scoring.domain.vocabulary import PrimaryTumor, TomitaGrowth

evaluate = CALCULATORS["tomita"].evaluate

LOWEST = {
    "primary_tumor_growth": "slow",
    "visceral_metastases": "none",
    "bone_metastases": "solitary_or_isolated",
}  # total 2

OPTION_POINTS = [
    ("primary_tumor_growth", "slow", 1),
    ("primary_tumor_growth", "moderate", 2),
    ("primary_tumor_growth", "rapid", 4),
    ("visceral_metastases", "none", 0),
    ("visceral_metastases", "treatable", 2),
    ("visceral_metastases", "untreatable", 4),
    ("bone_metastases", "solitary_or_isolated", 1),
    ("bone_metastases", "multiple", 2),
]
BASE = {"primary_tumor_growth": 1, "visceral_metastases": 0, "bone_metastases": 1}


@pytest.mark.parametrize(("key", "option", "points"), OPTION_POINTS)
def test_option_points(key, option, points):
    result = evaluate({**LOWEST, key: option})
    assert result.total == sum(BASE.values()) - BASE[key] + points
    component = next(c for c in result.components if c.key == key)
    assert (component.option, component.points) == (option, points)


@pytest.mark.parametrize(
    ("growth", "visceral", "bone", "total", "category"),
    [
        ("slow", "none", "solitary_or_isolated", 2, "wide_or_marginal_excision"),
        ("slow", "none", "multiple", 3, "wide_or_marginal_excision"),
        ("moderate", "none", "multiple", 4, "marginal_or_intralesional_excision"),
        ("slow", "treatable", "multiple", 5, "marginal_or_intralesional_excision"),
        ("rapid", "none", "multiple", 6, "palliative_surgery"),
        ("rapid", "treatable", "solitary_or_isolated", 7, "palliative_surgery"),
        ("rapid", "treatable", "multiple", 8, "supportive_care"),
        ("rapid", "untreatable", "multiple", 10, "supportive_care"),
    ],
)
def test_boundaries(growth, visceral, bone, total, category):
    result = evaluate(
        {"primary_tumor_growth": growth, "visceral_metastases": visceral, "bone_metastases": bone}
    )
    assert (result.total, result.category) == (total, category)
    assert any("[secondary]" in n for n in result.notes)


def test_missing_and_invalid():
    assert evaluate({"visceral_metastases": "none"}).missing == (
        "primary_tumor_growth",
        "bone_metastases",
    )
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"primary_tumor_growth": "fast", "bone_metastases": "few"})
    assert "allowed: slow, moderate, rapid" in exc.value.errors["primary_tumor_growth"][0]
    assert "allowed: solitary_or_isolated, multiple" in exc.value.errors["bone_metastases"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"visceral_metastases": False})
    assert "allowed: none, treatable, untreatable" in exc.value.errors["visceral_metastases"][0]


SUGGESTIONS = {
    "thyroid": "slow",
    "breast": "slow",
    "prostate": "slow",
    "kidney": "moderate",
    "uterus": "moderate",
    "lung": "rapid",
    "lung_small_cell": "rapid",
    "stomach": "rapid",
    "esophagus": "rapid",
    "pancreas": "rapid",
    "liver": "rapid",
    "unidentified": "rapid",
    "colon": "rapid",
}


@pytest.mark.parametrize("site", PrimaryTumor.keys())
def test_suggestion_helper(site):
    expected = SUGGESTIONS.get(site)
    suggestion = suggest_tomita_growth(PrimaryTumor(site))
    assert suggestion == (TomitaGrowth(expected) if expected else None)


def test_calculator_never_uses_histology():
    with pytest.raises(ScoringInputError):
        evaluate({**LOWEST, "primary_site": "breast"})
