"""Bauer and modified Bauer (scoring-spec.md §4): items, groups, §4.3 disagreement."""

import itertools

import pytest

from scoring.domain import CALCULATORS, ScoringInputError
from scoring.domain.vocabulary import PrimaryTumor

bauer = CALCULATORS["bauer"].evaluate
modified = CALCULATORS["modified_bauer"].evaluate

FAVOURABLE = {"breast", "kidney", "lymphoma", "multiple_myeloma"}
LUNG = {"lung", "lung_small_cell"}


def case(visceral=True, fracture=True, solitary=False, site="lung"):
    return {
        "visceral_metastases": visceral,
        "pathologic_fracture": fracture,
        "solitary_skeletal_metastasis": solitary,
        "primary_site": site,
    }


@pytest.mark.parametrize("site", PrimaryTumor.keys())
def test_histology_items(site):
    not_lung = int(site not in LUNG)
    favourable = int(site in FAVOURABLE)
    result = bauer(case(site=site))
    items = {c.key: c.points for c in result.components}
    assert items["primary_not_lung"] == not_lung
    assert items["primary_favourable"] == favourable
    assert result.total == not_lung + favourable
    assert modified(case(site=site)).total == not_lung + favourable


@pytest.mark.parametrize(
    ("key", "value", "item", "points"),
    [
        ("visceral_metastases", False, "no_visceral_metastases", 1),
        ("visceral_metastases", True, "no_visceral_metastases", 0),
        ("pathologic_fracture", False, "no_pathologic_fracture", 1),
        ("pathologic_fracture", True, "no_pathologic_fracture", 0),
        ("solitary_skeletal_metastasis", True, "solitary_skeletal_metastasis", 1),
        ("solitary_skeletal_metastasis", False, "solitary_skeletal_metastasis", 0),
    ],
)
def test_boolean_items(key, value, item, points):
    result = bauer({**case(), key: value})
    component = next(c for c in result.components if c.key == item)
    assert component.points == points
    assert component.derived_from == f"{key}={str(value).lower()}"
    assert result.total == points


def test_breast_scores_both_colon_only_not_lung():
    assert bauer(case(site="breast")).total == 2
    assert bauer(case(site="colon")).total == 1
    assert bauer(case(site="lung")).total == 0


@pytest.mark.parametrize(
    ("data", "total", "group"),
    [
        (case(), 0, "0_1"),
        (case(site="colon"), 1, "0_1"),
        (case(site="breast"), 2, "2_3"),
        (case(site="breast", solitary=True), 3, "2_3"),
        (case(site="breast", solitary=True, fracture=False), 4, "4_5"),
        (case(site="breast", solitary=True, fracture=False, visceral=False), 5, "4_5"),
    ],
)
def test_bauer_groups(data, total, group):
    result = bauer(data)
    assert (result.total, result.category) == (total, group)
    assert "[secondary]" in result.category_label


@pytest.mark.parametrize(
    ("data", "total", "group"),
    [
        (case(), 0, "poor"),
        (case(site="colon"), 1, "poor"),
        (case(site="breast"), 2, "moderate"),
        (case(site="breast", solitary=True), 3, "good"),
        (case(site="breast", solitary=True, visceral=False), 4, "good"),
    ],
)
def test_modified_groups(data, total, group):
    result = modified(data)
    assert (result.total, result.category) == (total, group)
    # the fracture item is not scored
    assert "no_pathologic_fracture" not in {c.key for c in result.components}


def test_modified_fracture_optional():
    data = case(site="breast")
    del data["pathologic_fracture"]
    result = modified(data)
    assert result.status == "complete"
    assert result.details["bauer_total"] is None
    assert not any("not scored" in n for n in result.notes)
    assert any("not scored" in n for n in modified(case(site="breast")).notes)


def _disagree(data):
    return [n for n in bauer(data).notes if "disagree" in n]


def test_disagreement_pattern_a():
    # no fracture plus one other favourable factor: Bauer 2 (2_3), modified 1 (poor)
    data = case(fracture=False, site="colon")
    assert (bauer(data).total, bauer(data).category) == (2, "2_3")
    assert (modified(data).total, modified(data).category) == (1, "poor")
    assert _disagree(data)
    assert any("disagree" in n for n in modified(data).notes)


def test_disagreement_pattern_b():
    # fracture plus three favourable factors: Bauer 3 (2_3), modified 3 (good)
    data = case(fracture=True, visceral=False, solitary=True, site="colon")
    assert (bauer(data).total, bauer(data).category) == (3, "2_3")
    assert (modified(data).total, modified(data).category) == (3, "good")
    assert _disagree(data)


def test_exactly_two_patterns_disagree():
    disagreeing = []
    for visceral, fracture, solitary, site in itertools.product(
        (True, False), (True, False), (True, False), ("lung", "colon", "breast")
    ):
        data = case(visceral, fracture, solitary, site)
        b, m = bauer(data), modified(data)
        assert b.details == {"bauer_total": b.total, "modified_bauer_total": m.total}
        if _disagree(data):
            disagreeing.append((b.total, m.total, fracture))
    assert set(disagreeing) == {(2, 1, False), (3, 3, True)}


def test_missing():
    assert bauer({}).missing == (
        "visceral_metastases",
        "pathologic_fracture",
        "solitary_skeletal_metastasis",
        "primary_site",
    )
    assert modified({"pathologic_fracture": True}).missing == (
        "visceral_metastases",
        "solitary_skeletal_metastasis",
        "primary_site",
    )


@pytest.mark.parametrize(
    "key", ["visceral_metastases", "pathologic_fracture", "solitary_skeletal_metastasis"]
)
@pytest.mark.parametrize("bad", ["true", 1, 0, "yes"])
def test_boolean_type_errors(key, bad):
    with pytest.raises(ScoringInputError) as exc:
        bauer({key: bad})
    assert exc.value.errors[key] == [f"expected true or false for {key}; allowed: true, false"]


def test_invalid_site():
    with pytest.raises(ScoringInputError) as exc:
        modified({"primary_site": "spleen"})
    assert "allowed: lung, lung_small_cell" in exc.value.errors["primary_site"][0]
