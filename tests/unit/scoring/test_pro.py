"""EQ-5D-5L, Barthel, BPI-SF, Vitality Index (scoring-spec.md §10)."""

import pytest

from scoring.domain import CALCULATORS, Eq5dInput, ScoringInputError, eq5d_index
from scoring.domain.vocabulary import Eq5dValueSet

eq5d = CALCULATORS["eq5d_5l"].evaluate
barthel = CALCULATORS["barthel"].evaluate
bpi = CALCULATORS["bpi_sf"].evaluate
vitality = CALCULATORS["vitality_index"].evaluate

# §10.1 worked values table.
WORKED = [
    ("11111", "japan_ctto", 1.0000),
    ("21111", "japan_ctto", 0.8752),
    ("22222", "japan_ctto", 0.6649),
    ("12345", "japan_ctto", 0.4770),
    ("55555", "japan_ctto", -0.0255),
    ("11111", "usa", 1.000),
    ("21111", "usa", 0.904),
    ("22222", "usa", 0.630),
    ("12345", "usa", 0.171),
    ("55555", "usa", -0.573),
    ("11111", "england", 1.000),
    ("21111", "england", 0.942),
    ("22222", "england", 0.701),
    ("12345", "england", 0.322),
    ("55555", "england", -0.285),
]


@pytest.mark.parametrize(("state", "value_set", "index"), WORKED)
def test_eq5d_worked_values(state, value_set, index):
    result = eq5d({"health_state": state, "value_set": value_set})
    assert result.status == "complete"
    assert result.total == pytest.approx(index, abs=1e-12)
    assert result.details["value_set"] == value_set
    assert result.details["health_state"] == state
    dims = dict(
        zip(
            ["mobility", "self_care", "usual_activities", "pain_discomfort", "anxiety_depression"],
            (int(d) for d in state),
            strict=True,
        )
    )
    assert eq5d({**dims, "value_set": value_set}).total == result.total


# Every coefficient, one dimension at a time (levels 2-5), per value set, from the spec tables.
COEFFICIENTS = {
    "japan_ctto": [
        (-0.0639, -0.0436, -0.0504, -0.0445, -0.0718),
        (-0.1126, -0.0767, -0.0911, -0.0682, -0.1105),
        (-0.1790, -0.1243, -0.1479, -0.1314, -0.1682),
        (-0.2429, -0.1597, -0.1748, -0.1912, -0.1960),
    ],
    "usa": [
        (-0.096, -0.089, -0.068, -0.060, -0.057),
        (-0.122, -0.107, -0.101, -0.098, -0.123),
        (-0.237, -0.220, -0.255, -0.318, -0.299),
        (-0.322, -0.261, -0.255, -0.414, -0.321),
    ],
    "england": [
        (-0.058, -0.050, -0.050, -0.063, -0.078),
        (-0.076, -0.080, -0.063, -0.084, -0.104),
        (-0.207, -0.164, -0.162, -0.276, -0.285),
        (-0.274, -0.203, -0.184, -0.335, -0.289),
    ],
}
CONSTANT = {"japan_ctto": -0.0609, "usa": 0.0, "england": 0.0}


@pytest.mark.parametrize("value_set", list(COEFFICIENTS))
@pytest.mark.parametrize("dimension", range(5))
@pytest.mark.parametrize("level", [2, 3, 4, 5])
def test_eq5d_each_coefficient(value_set, dimension, level):
    state = "".join(str(level) if d == dimension else "1" for d in range(5))
    result = eq5d({"health_state": state, "value_set": value_set})
    expected = 1 + CONSTANT[value_set] + COEFFICIENTS[value_set][level - 2][dimension]
    assert result.total == pytest.approx(expected, abs=1e-12)
    assert result.components[dimension].points == COEFFICIENTS[value_set][level - 2][dimension]
    assert result.details["constant_applied"] == CONSTANT[value_set]


def test_eq5d_unrounded_and_exact():
    result = eq5d({"health_state": "21111", "value_set": "japan_ctto"})
    assert result.total == 0.8752
    assert result.details["index_exact"] == "0.8752"
    assert result.details["constant_applied"] == -0.0609
    assert (
        eq5d({"health_state": "11111", "value_set": "japan_ctto"}).details["constant_applied"]
        == 0.0
    )
    assert eq5d_index((1, 1, 1, 1, 1), Eq5dValueSet.USA) == 1


def test_eq5d_notes_and_vas():
    england = eq5d({"health_state": "12345", "value_set": "england", "vas": 70})
    assert any("NICE" in n for n in england.notes)
    assert england.details["vas"] == 70


def test_eq5d_missing():
    result = eq5d({"mobility": 2, "pain_discomfort": 3})
    assert result.status == "incomplete"
    assert result.missing == ("self_care", "usual_activities", "anxiety_depression", "value_set")
    assert result.components[0].points is None
    assert eq5d({"health_state": "11111"}).missing == ("value_set",)
    partial = eq5d({"mobility": 2, "value_set": "usa"})
    assert partial.components[0].points == -0.096


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"mobility": 0}, "mobility", "allowed: 1, 2, 3, 4, 5"),
        ({"anxiety_depression": 6}, "anxiety_depression", "allowed: 1, 2, 3, 4, 5"),
        ({"self_care": "2"}, "self_care", "allowed: 1, 2, 3, 4, 5"),
        ({"health_state": "1111"}, "health_state", "five digits"),
        ({"health_state": "61111"}, "health_state", "five digits"),
        ({"health_state": 11111}, "health_state", "expected a string"),
        ({"value_set": "france"}, "value_set", "allowed: japan_ctto, usa, england"),
        ({"vas": 101}, "vas", "0-100"),
        ({"health_state": "21111", "mobility": 1}, "health_state", "make them agree"),
    ],
)
def test_eq5d_invalid(data, field, text):
    with pytest.raises(ScoringInputError) as exc:
        eq5d(data)
    assert text in exc.value.errors[field][0]


def test_eq5d_typed_health_state_must_be_str():
    with pytest.raises(ScoringInputError):
        Eq5dInput(health_state=12345)  # type: ignore[arg-type]
    assert Eq5dInput(health_state="21111", mobility=2).levels() == (2, 1, 1, 1, 1)


# Barthel: every listed value of every item.
BARTHEL = {
    "feeding": (0, 5, 10),
    "bathing": (0, 5),
    "grooming": (0, 5),
    "dressing": (0, 5, 10),
    "bowels": (0, 5, 10),
    "bladder": (0, 5, 10),
    "toilet_use": (0, 5, 10),
    "transfers": (0, 5, 10, 15),
    "mobility": (0, 5, 10, 15),
    "stairs": (0, 5, 10),
}
BARTHEL_ZERO = dict.fromkeys(BARTHEL, 0)
BARTHEL_MAX = {k: v[-1] for k, v in BARTHEL.items()}


@pytest.mark.parametrize(("item", "value"), [(k, v) for k, vs in BARTHEL.items() for v in vs])
def test_barthel_values(item, value):
    result = barthel({**BARTHEL_ZERO, item: value})
    assert result.total == value
    assert next(c for c in result.components if c.key == item).points == value


@pytest.mark.parametrize(
    ("item", "bad"),
    [
        ("bathing", 10),
        ("feeding", 15),
        ("transfers", 20),
        ("stairs", 3),
        ("mobility", -5),
        ("grooming", "5"),
    ],
)
def test_barthel_invalid(item, bad):
    with pytest.raises(ScoringInputError) as exc:
        barthel({item: bad})
    assert ", ".join(str(v) for v in BARTHEL[item]) in exc.value.errors[item][0]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "total_dependency"),
        (20, "total_dependency"),
        (25, "severe_dependency"),
        (60, "severe_dependency"),
        (65, "moderate_dependency"),
        (90, "moderate_dependency"),
        (95, "slight_dependency"),
        (100, "independent"),
    ],
)
def test_barthel_bands(total, band):
    data = dict(BARTHEL_ZERO)
    remaining = total
    for item, values in BARTHEL.items():
        take = max(v for v in values if v <= remaining)
        data[item] = take
        remaining -= take
    assert remaining == 0
    result = barthel(data)
    assert (result.total, result.category) == (total, band)
    assert "[secondary]" in result.category_label


def test_barthel_max_and_missing():
    assert barthel(BARTHEL_MAX).total == 100
    assert barthel({"feeding": 10}).missing == tuple(k for k in BARTHEL if k != "feeding")


SEVERITY = {"worst_pain": 8, "least_pain": 2, "average_pain": 5, "pain_now": 4}
INTERFERENCE = [
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations_with_other_people",
    "sleep",
    "enjoyment_of_life",
]


def test_bpi_complete():
    data = {**SEVERITY, **dict.fromkeys(INTERFERENCE, 3), "sleep": 10}
    result = bpi(data)
    assert result.status == "complete"
    assert result.details["pain_severity"] == 4.75
    assert result.details["pain_interference"] == pytest.approx(28 / 7)
    assert result.total is None


@pytest.mark.parametrize(("answered", "complete"), [(7, True), (4, True), (3, False), (0, False)])
def test_bpi_interference_needs_four(answered, complete):
    data = {**SEVERITY, **dict.fromkeys(INTERFERENCE[:answered], 6)}
    result = bpi(data)
    assert (result.status == "complete") is complete
    if complete:
        assert result.details["pain_interference"] == 6
        assert result.missing == ()
    else:
        assert result.details["pain_interference"] is None
        assert result.missing == tuple(INTERFERENCE[answered:])
        assert result.details["pain_severity"] == 4.75


def test_bpi_severity_needs_all_four():
    data = {**dict.fromkeys(INTERFERENCE, 1), "worst_pain": 5}
    result = bpi(data)
    assert result.missing == ("least_pain", "average_pain", "pain_now")
    assert result.details["pain_severity"] is None


@pytest.mark.parametrize(
    ("field", "bad", "text"),
    [
        ("worst_pain", 11, "0-10"),
        ("mood", -1, "0-10"),
        ("relief_percent", 15, "0, 10, 20"),
        ("relief_percent", 110, "0, 10, 20"),
        ("pain_now", 2.5, "0-10"),
    ],
)
def test_bpi_invalid(field, bad, text):
    with pytest.raises(ScoringInputError) as exc:
        bpi({field: bad})
    assert text in exc.value.errors[field][0]


VITALITY = ["waking", "communication", "feeding", "toileting", "rehabilitation_activity"]


@pytest.mark.parametrize("item", VITALITY)
@pytest.mark.parametrize("value", [0, 1, 2])
def test_vitality(item, value):
    result = vitality({**dict.fromkeys(VITALITY, 0), item: value})
    assert result.total == value
    assert result.details["evidence"] == "unverified"
    assert any(n.startswith("[unverified]") for n in result.notes)
    assert "[unverified]" in result.interpretation


def test_vitality_range_missing_invalid():
    assert vitality(dict.fromkeys(VITALITY, 2)).total == 10
    result = vitality({"waking": 2})
    assert result.missing == tuple(VITALITY[1:])
    assert any(n.startswith("[unverified]") for n in result.notes)
    with pytest.raises(ScoringInputError) as exc:
        vitality({"waking": 3})
    assert "allowed: 2, 1, 0" in exc.value.errors["waking"][0]
