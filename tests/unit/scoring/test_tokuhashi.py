"""Revised Tokuhashi (scoring-spec.md §2): options, raw values, primary sites, boundaries."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError, TokuhashiInput
from scoring.domain.vocabulary import PrimaryTumor

evaluate = CALCULATORS["tokuhashi_revised"].evaluate

# Total 0: poor, >= 3 foci, >= 3 vertebral, unremovable, lung, complete palsy.
ZERO = {
    "general_condition": "poor",
    "extraspinal_bone_metastases": "ge_3",
    "vertebral_body_metastases": "ge_3",
    "major_organ_metastases": "unremovable",
    "primary_site": "lung",
    "palsy": "complete",
}

OPTION_POINTS = [
    ("general_condition", "poor", 0),
    ("general_condition", "moderate", 1),
    ("general_condition", "good", 2),
    ("extraspinal_bone_metastases", "ge_3", 0),
    ("extraspinal_bone_metastases", "one_to_two", 1),
    ("extraspinal_bone_metastases", "none", 2),
    ("vertebral_body_metastases", "ge_3", 0),
    ("vertebral_body_metastases", "two", 1),
    ("vertebral_body_metastases", "one", 2),
    ("major_organ_metastases", "unremovable", 0),
    ("major_organ_metastases", "removable", 1),
    ("major_organ_metastases", "none", 2),
    ("palsy", "complete", 0),
    ("palsy", "incomplete", 1),
    ("palsy", "none", 2),
]


@pytest.mark.parametrize(("key", "option", "points"), OPTION_POINTS)
def test_option_points(key, option, points):
    result = evaluate({**ZERO, key: option})
    assert result.total == points
    component = next(c for c in result.components if c.key == key)
    assert (component.option, component.points, component.derived_from) == (option, points, None)


# §2.2 and §12, written out: every vocabulary key, its points and the row used.
PRIMARY = [
    ("lung", 0, "lung"),
    ("lung_small_cell", 0, "lung"),
    ("osteosarcoma", 0, "osteosarcoma"),
    ("stomach", 0, "stomach"),
    ("bladder", 0, "bladder"),
    ("esophagus", 0, "esophagus"),
    ("pancreas", 0, "pancreas"),
    ("liver", 1, "liver"),
    ("gallbladder", 1, "gallbladder"),
    ("unidentified", 1, "unidentified"),
    ("kidney", 3, "kidney"),
    ("uterus", 3, "uterus"),
    ("rectum", 4, "rectum"),
    ("thyroid", 5, "thyroid"),
    ("breast", 5, "breast"),
    ("prostate", 5, "prostate"),
    ("carcinoid", 5, "carcinoid"),
    ("colon", 2, "other"),
    ("head_and_neck", 2, "other"),
    ("melanoma", 2, "other"),
    ("sarcoma", 2, "other"),
    ("lymphoma", 2, "other"),
    ("multiple_myeloma", 2, "other"),
    ("germ_cell", 2, "other"),
    ("other", 2, "other"),
]


def test_primary_table_covers_vocabulary():
    assert sorted(k for k, _, _ in PRIMARY) == sorted(PrimaryTumor.keys())


@pytest.mark.parametrize(("site", "points", "row"), PRIMARY)
def test_primary_site(site, points, row):
    result = evaluate({**ZERO, "primary_site": site})
    assert result.total == points
    assert result.details["primary_site_row"] == row
    component = next(c for c in result.components if c.key == "primary_site")
    assert (component.option, component.points) == (site, points)
    row_notes = [n for n in result.notes if "not listed" in n]
    assert bool(row_notes) is (row != site)
    if row != site:
        assert f"{row!r} row" in row_notes[0]


@pytest.mark.parametrize(
    ("kps", "option", "points"),
    [
        (10, "poor", 0),
        (20, "poor", 0),
        (30, "poor", 0),
        (40, "poor", 0),
        (50, "moderate", 1),
        (60, "moderate", 1),
        (70, "moderate", 1),
        (80, "good", 2),
        (90, "good", 2),
        (100, "good", 2),
    ],
)
def test_kps(kps, option, points):
    data = {k: v for k, v in ZERO.items() if k != "general_condition"}
    result = evaluate({**data, "kps": kps})
    component = result.components[0]
    assert (component.option, component.points) == (option, points)
    assert component.derived_from == f"kps={kps}"
    assert evaluate({**ZERO, "general_condition": option, "kps": kps}).total == points


@pytest.mark.parametrize("kps", [0, 5, 45, 110, -10, 1000])
def test_invalid_kps(kps):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, "kps": kps})
    assert "allowed: 10, 20" in exc.value.errors["kps"][0]


@pytest.mark.parametrize("bad", [60.0, "60", True, None.__class__.__name__])
def test_kps_wrong_type(bad):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"kps": bad})
    assert "kps" in exc.value.errors["kps"][0]


@pytest.mark.parametrize(
    ("count", "option", "points"),
    [(0, "none", 2), (1, "one_to_two", 1), (2, "one_to_two", 1), (3, "ge_3", 0), (40, "ge_3", 0)],
)
def test_extraspinal_count(count, option, points):
    data = {k: v for k, v in ZERO.items() if k != "extraspinal_bone_metastases"}
    result = evaluate({**data, "extraspinal_bone_metastases_count": count})
    c = result.components[1]
    assert (c.key, c.option, c.points) == ("extraspinal_bone_metastases", option, points)


@pytest.mark.parametrize(
    ("count", "option", "points"), [(1, "one", 2), (2, "two", 1), (3, "ge_3", 0), (9, "ge_3", 0)]
)
def test_vertebral_count(count, option, points):
    data = {k: v for k, v in ZERO.items() if k != "vertebral_body_metastases"}
    result = evaluate({**data, "vertebral_body_metastases_count": count})
    c = result.components[2]
    assert (c.key, c.option, c.points) == ("vertebral_body_metastases", option, points)


def test_invalid_counts():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"vertebral_body_metastases_count": 0, "extraspinal_bone_metastases_count": -1})
    assert "0 is invalid" in exc.value.errors["vertebral_body_metastases_count"][0]
    assert ">= 0" in exc.value.errors["extraspinal_bone_metastases_count"][0]


@pytest.mark.parametrize(
    ("grade", "option", "points"),
    [
        ("A", "complete", 0),
        ("B", "complete", 0),
        ("C", "incomplete", 1),
        ("D", "incomplete", 1),
        ("E", "none", 2),
    ],
)
def test_frankel(grade, option, points):
    data = {k: v for k, v in ZERO.items() if k != "palsy"}
    result = evaluate({**data, "frankel_grade": grade})
    c = result.components[-1]
    assert (c.key, c.option, c.points, c.derived_from) == (
        "palsy",
        option,
        points,
        f"frankel_grade={grade}",
    )


@pytest.mark.parametrize(
    ("raw_key", "raw", "option_key", "option"),
    [
        ("kps", 60, "general_condition", "good"),
        ("extraspinal_bone_metastases_count", 0, "extraspinal_bone_metastases", "ge_3"),
        ("vertebral_body_metastases_count", 2, "vertebral_body_metastases", "one"),
        ("frankel_grade", "E", "palsy", "complete"),
    ],
)
def test_raw_and_option_disagree(raw_key, raw, option_key, option):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, option_key: option, raw_key: raw})
    assert option_key in exc.value.errors[raw_key][0]


def test_kps_derived_from_ecog():
    data = {k: v for k, v in ZERO.items() if k != "general_condition"}
    result = evaluate({**data, "kps": 60, "kps_derived_from_ecog": True})
    assert "derived from ECOG" in result.components[0].derived_from
    assert any("[convention] KPS derived from ECOG" in n for n in result.notes)
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**ZERO, "kps_derived_from_ecog": True})
    assert "needs kps" in exc.value.errors["kps_derived_from_ecog"][0]


# Boundaries 8/9 and 11/12 on both sides, plus the range ends.
def _with_total(total):
    data = dict(ZERO)
    remaining = total
    for key, options in [
        ("primary_site", [(5, "breast"), (4, "rectum"), (3, "kidney"), (2, "other"), (1, "liver")]),
        ("general_condition", [(2, "good"), (1, "moderate")]),
        ("extraspinal_bone_metastases", [(2, "none"), (1, "one_to_two")]),
        ("vertebral_body_metastases", [(2, "one"), (1, "two")]),
        ("major_organ_metastases", [(2, "none"), (1, "removable")]),
        ("palsy", [(2, "none"), (1, "incomplete")]),
    ]:
        for points, option in options:
            if points <= remaining:
                data[key] = option
                remaining -= points
                break
    assert remaining == 0
    return data


@pytest.mark.parametrize(
    ("total", "category"),
    [
        (0, "lt_6_months"),
        (8, "lt_6_months"),
        (9, "ge_6_months"),
        (11, "ge_6_months"),
        (12, "ge_12_months"),
        (15, "ge_12_months"),
    ],
)
def test_boundaries(total, category):
    result = evaluate(_with_total(total))
    assert (result.total, result.category) == (total, category)


def test_band_texts():
    assert evaluate(_with_total(8)).category_label == "Predicted prognosis < 6 months"
    assert evaluate(_with_total(9)).category_label == "Predicted prognosis >= 6 months"
    assert "Excisional surgery".lower() in evaluate(_with_total(12)).interpretation.lower()


def test_missing():
    result = evaluate({"kps": 80, "primary_site": "breast"})
    assert result.status == "incomplete"
    assert result.total is None
    assert result.missing == (
        "extraspinal_bone_metastases",
        "vertebral_body_metastases",
        "major_organ_metastases",
        "palsy",
    )


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("general_condition", "poor, moderate, good"),
        ("extraspinal_bone_metastases", "ge_3, one_to_two, none"),
        ("vertebral_body_metastases", "ge_3, two, one"),
        ("major_organ_metastases", "none, removable, unremovable"),
        ("primary_site", "lung, lung_small_cell, osteosarcoma"),
        ("palsy", "complete, incomplete, none"),
        ("frankel_grade", "A, B, C, D, E"),
    ],
)
def test_invalid_options(key, allowed):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({key: "nope"})
    assert f"'nope' is not a valid option for {key}; allowed: {allowed}" in exc.value.errors[key][0]


def test_typed_input_validation():
    with pytest.raises(ScoringInputError) as exc:
        TokuhashiInput(kps=True, kps_derived_from_ecog="yes")  # type: ignore[arg-type]
    assert set(exc.value.errors) == {"kps", "kps_derived_from_ecog"}
