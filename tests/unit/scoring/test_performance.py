"""Karnofsky <-> ECOG (scoring-spec.md §8.4): both conventions, ranges, labelling."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError

evaluate = CALCULATORS["karnofsky_ecog"].evaluate

# §8.4 table written out: KPS -> (convention A, convention B).
TABLE = {
    100: ("0", "0"),
    90: ("1", "0"),
    80: ("1", "1"),
    70: ("2", "1"),
    60: ("2", "2"),
    50: ("3", "2"),
    40: ("3", "3"),
    30: ("4", "3"),
    20: ("4", "4"),
    10: ("4", "4"),
    0: ("5", "5"),
}


@pytest.mark.parametrize("kps", list(TABLE))
@pytest.mark.parametrize("convention", [None, "A", "B"])
def test_kps_to_ecog(kps, convention):
    data = {"kps": kps} if convention is None else {"kps": kps, "convention": convention}
    result = evaluate(data)
    expected = TABLE[kps][1 if convention == "B" else 0]
    assert result.status == "complete"
    assert (result.total, result.category) == (int(expected), None)
    assert result.details["ecog"] == expected
    assert result.details["derived"] is True
    assert result.details["convention"] == (convention or "A")
    assert "(derived, convention" in result.interpretation
    assert result.components[0].derived_from == f"kps={kps}"
    assert any(f"convention {convention or 'A'}" in n for n in result.notes)
    assert any("(default)" in n for n in result.notes) is (convention is None)
    disagree = TABLE[kps][0] != TABLE[kps][1]
    assert (len(result.notes) == 2) is disagree  # the other convention is shown when it differs


# ECOG -> KPS ranges, written out per convention.
RANGES_A = {
    "0": (100, 100),
    "1": (80, 90),
    "2": (60, 70),
    "3": (40, 50),
    "4": (10, 30),
    "5": (0, 0),
}
RANGES_B = {"0": (90, 100), "1": (70, 80), "2": (50, 60), "3": (30, 40), "4": (10, 20), "5": (0, 0)}


@pytest.mark.parametrize("ecog", list(RANGES_A))
@pytest.mark.parametrize(("convention", "ranges"), [("A", RANGES_A), ("B", RANGES_B)])
def test_ecog_to_kps_range(ecog, convention, ranges):
    result = evaluate({"ecog": ecog, "convention": convention})
    assert result.total is None  # never a midpoint
    assert result.details["kps_range"] == list(ranges[ecog])
    assert result.details["direction"] == "ecog_to_kps"
    assert f"(derived, convention {convention})" in result.interpretation


def test_ecog_4_convention_a_values():
    result = evaluate({"ecog": "4"})
    assert result.details["kps_values"] == [10, 20, 30]
    assert result.components[0].option == "10-30"
    assert evaluate({"ecog": "0"}).components[0].option == "100"


def test_missing_and_invalid():
    result = evaluate({})
    assert result.status == "incomplete"
    assert result.missing == ("kps",)
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"kps": 55, "ecog": "6", "convention": "C"})
    assert "allowed: 0, 10, 20" in exc.value.errors["kps"][0]
    assert "allowed: 0, 1, 2, 3, 4, 5" in exc.value.errors["ecog"][0]
    assert "allowed: A, B" in exc.value.errors["convention"][0]
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"kps": 50, "ecog": "2"})
    assert "not both" in exc.value.errors["ecog"][0]
