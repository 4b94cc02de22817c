"""NESMS (scoring-spec.md §5): components, computed modified Bauer, albumin units, ceiling."""

import math

import pytest

from scoring.domain import CALCULATORS, NesmsInput, ScoringInputError, score_nesms
from scoring.domain.vocabulary import AmbulatoryStatus

evaluate = CALCULATORS["nesms"].evaluate

LOW = {"modified_bauer": 0, "ambulatory_status": "dependent", "serum_albumin_g_dl": 3.0}


@pytest.mark.parametrize(("mb", "points"), [(0, 0), (1, 0), (2, 0), (3, 2), (4, 2)])
def test_modified_bauer_points(mb, points):
    result = evaluate({**LOW, "modified_bauer": mb})
    assert result.total == points
    assert result.components[0].option == str(mb)


@pytest.mark.parametrize(
    ("status", "points", "counted_as"),
    [
        ("independent", 1, "independent"),
        ("dependent", 0, "dependent"),
        ("with_aid", 0, "dependent"),
        ("non_ambulatory", 0, "dependent"),
    ],
)
def test_ambulatory(status, points, counted_as):
    result = evaluate({**LOW, "ambulatory_status": status})
    c = result.components[1]
    assert (c.option, c.points) == (counted_as, points)
    assert result.total == points
    assert any(n.startswith("[unverified]") for n in result.notes)
    assert any("[convention]" in n for n in result.notes) is (status != counted_as)


def test_typed_ambulatory_status_independent_alias():
    result = score_nesms(
        NesmsInput(
            modified_bauer=0,
            ambulatory_status=AmbulatoryStatus.INDEPENDENT,
            serum_albumin_g_dl=3.0,
        )
    )
    assert result.total == 1
    assert result.components[1].derived_from is None


@pytest.mark.parametrize(
    ("data", "points", "shown"),
    [
        ({"serum_albumin_g_dl": 3.5}, 1, "3.5"),
        ({"serum_albumin_g_dl": 3.49}, 0, "3.49"),
        ({"serum_albumin_g_dl": 4}, 1, "4"),
        ({"serum_albumin_g_l": 35}, 1, "3.5"),
        ({"serum_albumin_g_l": 34}, 0, "3.4"),
        ({"serum_albumin_g_l": 34.9}, 0, "3.49"),
        ({"serum_albumin_g_dl": 3.5, "serum_albumin_g_l": 35}, 1, "3.5"),
    ],
)
def test_albumin(data, points, shown):
    base = {k: v for k, v in LOW.items() if k != "serum_albumin_g_dl"}
    result = evaluate({**base, **data})
    c = result.components[2]
    assert c.points == points
    assert c.option == shown
    assert (c.derived_from is not None) is ("serum_albumin_g_dl" not in data)


@pytest.mark.parametrize(("g_dl", "g_l"), [(3.5, 34.9), (3.0, 40), (3.2, 33)])
def test_albumin_units_disagree(g_dl, g_l):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**LOW, "serum_albumin_g_dl": g_dl, "serum_albumin_g_l": g_l})
    assert "disagrees" in exc.value.errors["serum_albumin_g_l"][0]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("serum_albumin_g_dl", 0),
        ("serum_albumin_g_dl", -1),
        ("serum_albumin_g_dl", 11),
        ("serum_albumin_g_l", 101),
        ("serum_albumin_g_dl", "3.5"),
        ("serum_albumin_g_dl", True),
        ("serum_albumin_g_dl", 10**400),
    ],
)
def test_albumin_invalid(key, value):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({key: value})
    assert "allowed: > 0 to" in exc.value.errors[key][0]


def test_albumin_typed_nan_rejected():
    with pytest.raises(ScoringInputError) as exc:
        NesmsInput(serum_albumin_g_dl=math.nan)
    assert "serum_albumin_g_dl" in exc.value.errors
    with pytest.raises(ScoringInputError):
        evaluate({"serum_albumin_g_dl": math.inf})


@pytest.mark.parametrize(
    ("mb", "ambulatory", "albumin", "total", "ceiling"),
    [
        (4, "independent", 4.0, 3, True),  # 2 + 1 + 1 = 4 -> 3
        (3, "independent", 4.0, 3, True),
        (3, "independent", 3.0, 3, False),
        (3, "dependent", 4.0, 3, False),
        (2, "independent", 4.0, 2, False),
        (3, "dependent", 3.0, 2, False),
        (2, "independent", 3.0, 1, False),
        (0, "dependent", 3.0, 0, False),
    ],
)
def test_totals_and_ceiling(mb, ambulatory, albumin, total, ceiling):
    result = evaluate(
        {"modified_bauer": mb, "ambulatory_status": ambulatory, "serum_albumin_g_dl": albumin}
    )
    assert result.total == total
    assert result.details["ceiling_applied"] is ceiling
    assert any("Ceiling applied" in n for n in result.notes) is ceiling
    assert result.category is None
    assert "OR 7.04" in result.interpretation
    assert "%" not in result.interpretation.replace("95% CI", "")


@pytest.mark.parametrize(
    ("visceral", "solitary", "site", "mb"),
    [
        (True, False, "lung", 0),
        (False, True, "breast", 4),
        (False, False, "colon", 2),
        (False, True, "colon", 3),
        (True, True, "kidney", 3),
    ],
)
def test_modified_bauer_computed(visceral, solitary, site, mb):
    result = evaluate(
        {
            "visceral_metastases": visceral,
            "solitary_skeletal_metastasis": solitary,
            "primary_site": site,
            "ambulatory_status": "dependent",
            "serum_albumin_g_dl": 3.0,
        }
    )
    c = result.components[0]
    assert c.option == str(mb)
    assert c.points == (2 if mb >= 3 else 0)
    assert f"primary_site={site}" in c.derived_from
    # entering the same value is accepted, a different one rejected
    data = {
        "visceral_metastases": visceral,
        "solitary_skeletal_metastasis": solitary,
        "primary_site": site,
    }
    assert evaluate({**data, "modified_bauer": mb}).components[0].option == str(mb)
    with pytest.raises(ScoringInputError) as exc:
        evaluate({**data, "modified_bauer": (mb + 1) % 5})
    assert "Bauer inputs give" in exc.value.errors["modified_bauer"][0]


def test_missing():
    assert evaluate({}).missing == ("modified_bauer", "ambulatory_status", "serum_albumin_g_dl")
    partial = evaluate({"visceral_metastases": False, "ambulatory_status": "independent"})
    assert partial.missing == ("modified_bauer", "serum_albumin_g_dl")
    assert partial.total is None


@pytest.mark.parametrize("bad", [5, -1, 2.0, True, "3"])
def test_invalid_modified_bauer(bad):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"modified_bauer": bad})
    assert "0-4" in exc.value.errors["modified_bauer"][0]


def test_invalid_ambulatory():
    with pytest.raises(ScoringInputError) as exc:
        evaluate({"ambulatory_status": "walks"})
    assert (
        "allowed: independent, dependent, with_aid, non_ambulatory"
        in exc.value.errors["ambulatory_status"][0]
    )
