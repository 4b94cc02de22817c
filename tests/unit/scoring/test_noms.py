"""NOMS (scoring-spec.md §7): every rule R1-R8, the mechanical refinement, §7.3 SINS use,
every unresolved path, and the missing-input rules."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError, suggest_radiosensitivity
from scoring.domain.vocabulary import PrimaryTumor, Radiosensitivity

evaluate = CALCULATORS["noms"].evaluate

S, R = "radiosensitive", "radioresistant"
ST, MP, UN = "stable", "mechanical_pain_no_gross_instability", "unstable"


def noms(grade, o, m, myelopathy=None, **extra):
    data = {"escc_grade": grade, "radiosensitivity": o, "mechanical_status": m, **extra}
    if myelopathy is not None:
        data["myelopathy"] = myelopathy
    return evaluate(data)


# (grade, myelopathy, O, M, extra S inputs) -> (rule, recommendation), from the §7.4 table.
RULES = [
    ("0", False, S, ST, {}, "R1", "cebrt"),
    ("1a", False, S, ST, {}, "R1", "cebrt"),
    ("1b", False, S, ST, {}, "R1", "cebrt"),
    ("0", False, R, ST, {}, "R2", "srs"),
    ("1a", False, R, ST, {}, "R2", "srs"),
    ("1b", False, R, ST, {}, "R2", "srs"),
    ("1b", False, S, UN, {"able_to_tolerate_surgery": True}, "R3", "stabilization_then_cebrt"),
    ("0", False, R, UN, {"able_to_tolerate_surgery": True}, "R4", "stabilization_then_srs"),
    ("2", None, S, ST, {}, "R5", "cebrt"),
    ("3", True, S, ST, {}, "R5", "cebrt"),
    ("2", False, S, ST, {}, "R5", "cebrt"),
    ("3", None, S, UN, {"able_to_tolerate_surgery": True}, "R6", "stabilization_then_cebrt"),
    ("2", None, R, ST, {"able_to_tolerate_surgery": True}, "R7", "separation_surgery_then_srs"),
    ("3", True, R, UN, {"able_to_tolerate_surgery": True}, "R7", "separation_surgery_then_srs"),
    ("2", None, R, ST, {"able_to_tolerate_surgery": False}, "R8", "cebrt"),
    ("3", None, R, UN, {"able_to_tolerate_surgery": False}, "R8", "cebrt"),
    # mechanical refinement: mechanical pain without gross instability follows the unstable rows
    (
        "1a",
        False,
        S,
        MP,
        {"able_to_tolerate_percutaneous": True},
        "R3",
        "cement_augmentation_then_cebrt",
    ),
    (
        "0",
        False,
        R,
        MP,
        {"able_to_tolerate_percutaneous": True},
        "R4",
        "cement_augmentation_then_srs",
    ),
    (
        "2",
        None,
        S,
        MP,
        {"able_to_tolerate_percutaneous": True},
        "R6",
        "cement_augmentation_then_cebrt",
    ),
    (
        "1a",
        False,
        S,
        MP,
        {"able_to_tolerate_percutaneous": False, "able_to_tolerate_surgery": True},
        "R3",
        "stabilization_then_cebrt",
    ),
    (
        "1b",
        False,
        R,
        MP,
        {"able_to_tolerate_percutaneous": False, "able_to_tolerate_surgery": True},
        "R4",
        "stabilization_then_srs",
    ),
    (
        "3",
        None,
        S,
        MP,
        {"able_to_tolerate_percutaneous": False, "able_to_tolerate_surgery": True},
        "R6",
        "stabilization_then_cebrt",
    ),
    # R7 and R8 unchanged by the refinement (no percutaneous question)
    ("2", None, R, MP, {"able_to_tolerate_surgery": True}, "R7", "separation_surgery_then_srs"),
    ("3", None, R, MP, {"able_to_tolerate_surgery": False}, "R8", "cebrt"),
]


@pytest.mark.parametrize(("grade", "myelopathy", "o", "m", "extra", "rule", "key"), RULES)
def test_rules(grade, myelopathy, o, m, extra, rule, key):
    result = noms(grade, o, m, myelopathy, **extra)
    assert result.status == "complete", result.interpretation
    assert (result.details["rule"], result.category) == (rule, key)
    assert result.interpretation.startswith(f"{rule}: ")
    assert result.total is None
    for assessment in ("N", "O", "M", "S"):
        assert assessment in result.details
    assert result.details["N"]["escc_grade"] == grade
    assert result.details["O"]["radiosensitivity"] == o
    assert result.details["M"]["used"] == m


def test_r8_unstable_notes_instability():
    assert any("instability" in n for n in noms("3", R, UN, able_to_tolerate_surgery=False).notes)
    assert not any(
        "instability" in n for n in noms("3", R, ST, able_to_tolerate_surgery=False).notes
    )


def test_cement_note():
    result = noms("1a", S, MP, False, able_to_tolerate_percutaneous=True)
    assert any("mechanical refinement" in n for n in result.notes)


# Unresolved cases -> board_decision_required with the reason and candidate paths.
UNRESOLVED = [
    ("1a", True, S, ST, {}, "low_grade_with_myelopathy", ["cebrt"]),
    (
        "0",
        True,
        R,
        ST,
        {"able_to_tolerate_surgery": True},
        "low_grade_with_myelopathy",
        ["srs", "separation_surgery_then_srs"],
    ),
    (
        "1b",
        True,
        R,
        ST,
        {"able_to_tolerate_surgery": False},
        "low_grade_with_myelopathy",
        ["srs", "cebrt"],
    ),
    (
        "1c",
        False,
        R,
        ST,
        {"able_to_tolerate_surgery": True},
        "escc_1c",
        ["srs", "separation_surgery_then_srs"],
    ),
    ("1c", False, S, ST, {}, "escc_1c", ["cebrt"]),
    (
        "1c",
        False,
        S,
        UN,
        {"able_to_tolerate_surgery": True},
        "escc_1c",
        ["stabilization_then_cebrt"],
    ),
    (
        "1c",
        True,
        R,
        ST,
        {"able_to_tolerate_surgery": True},
        "escc_1c",
        ["srs", "separation_surgery_then_srs"],
    ),
    (
        "0",
        False,
        R,
        UN,
        {"able_to_tolerate_surgery": False},
        "unstable_unable_to_tolerate_surgery",
        ["srs"],
    ),
    (
        "1b",
        False,
        S,
        UN,
        {"able_to_tolerate_surgery": False},
        "unstable_unable_to_tolerate_surgery",
        ["cebrt"],
    ),
    (
        "2",
        None,
        S,
        UN,
        {"able_to_tolerate_surgery": False},
        "unstable_unable_to_tolerate_surgery",
        ["cebrt"],
    ),
    (
        "3",
        None,
        S,
        MP,
        {"able_to_tolerate_percutaneous": False, "able_to_tolerate_surgery": False},
        "unstable_unable_to_tolerate_surgery",
        ["cebrt"],
    ),
]


@pytest.mark.parametrize(("grade", "myelopathy", "o", "m", "extra", "reason", "paths"), UNRESOLVED)
def test_unresolved(grade, myelopathy, o, m, extra, reason, paths):
    result = noms(grade, o, m, myelopathy, **extra)
    assert result.status == "board_decision_required"
    assert result.category is None and result.total is None
    assert result.details["rule"] is None
    assert result.details["unresolved_reason"] == reason
    assert result.details["candidate_paths"] == paths
    assert result.interpretation.startswith("Board decision required.")


def test_1c_shows_both_paths_side_by_side():
    result = noms("1c", R, ST, False, able_to_tolerate_surgery=True)
    paths = result.details["paths"]
    assert paths["low_grade"]["rule"] == "R2"
    assert paths["high_grade"]["rule"] == "R7"


def test_unstable_unable_flags_instability():
    result = noms("0", R, UN, False, able_to_tolerate_surgery=False)
    assert any("consider percutaneous options or bracing" in n for n in result.notes)


def test_unable_to_tolerate_local_treatment():
    result = evaluate({"able_to_tolerate_local_treatment": False})
    assert result.status == "board_decision_required"
    assert result.details["candidate_paths"] == ["systemic_therapy_and_supportive_care"]
    assert result.details["unresolved_reason"] == "unable_to_tolerate_local_treatment"
    full = noms("2", R, UN, able_to_tolerate_local_treatment=False)
    assert full.details["candidate_paths"] == ["systemic_therapy_and_supportive_care"]


def test_local_treatment_not_entered_is_noted():
    assert any("not entered" in n for n in noms("0", S, ST, False).notes)
    assert not any(
        "not entered" in n
        for n in noms("0", S, ST, False, able_to_tolerate_local_treatment=True).notes
    )


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({}, ("escc_grade", "radiosensitivity", "mechanical_status")),
        ({"escc_grade": "1b"}, ("myelopathy", "radiosensitivity", "mechanical_status")),
        ({"escc_grade": "1c"}, ("myelopathy", "radiosensitivity", "mechanical_status")),
        ({"escc_grade": "2"}, ("radiosensitivity", "mechanical_status")),
        ({"escc_grade": "2", "radiosensitivity": S}, ("mechanical_status",)),
        # surgical path reached without S
        (
            {"escc_grade": "2", "radiosensitivity": R, "mechanical_status": ST},
            ("able_to_tolerate_surgery",),
        ),
        (
            {
                "escc_grade": "0",
                "myelopathy": False,
                "radiosensitivity": S,
                "mechanical_status": UN,
            },
            ("able_to_tolerate_surgery",),
        ),
        (
            {
                "escc_grade": "0",
                "myelopathy": False,
                "radiosensitivity": S,
                "mechanical_status": MP,
            },
            ("able_to_tolerate_percutaneous",),
        ),
        (
            {
                "escc_grade": "0",
                "myelopathy": False,
                "radiosensitivity": S,
                "mechanical_status": MP,
                "able_to_tolerate_percutaneous": False,
            },
            ("able_to_tolerate_surgery",),
        ),
        # 1c: the high-grade path needs S
        (
            {
                "escc_grade": "1c",
                "myelopathy": False,
                "radiosensitivity": R,
                "mechanical_status": ST,
            },
            ("able_to_tolerate_surgery",),
        ),
        (
            {
                "escc_grade": "1a",
                "myelopathy": True,
                "radiosensitivity": R,
                "mechanical_status": MP,
            },
            ("able_to_tolerate_percutaneous", "able_to_tolerate_surgery"),
        ),
    ],
)
def test_incomplete(data, missing):
    result = evaluate(data)
    assert result.status == "incomplete"
    assert result.missing == missing
    assert result.category is None
    assert set(result.details) >= {"N", "O", "M", "S"}


def test_stable_low_grade_does_not_need_surgery_input():
    assert noms("0", R, ST, False).status == "complete"


# §7.3 SINS-derived mechanical status.
@pytest.mark.parametrize(
    ("sins", "derived"),
    [(0, "stable"), (6, "stable"), (13, "unstable"), (18, "unstable")],
)
def test_sins_derived_mechanical_status(sins, derived):
    result = evaluate(
        {
            "escc_grade": "0",
            "myelopathy": False,
            "radiosensitivity": S,
            "sins_total": sins,
            "able_to_tolerate_surgery": True,
        }
    )
    assert result.details["M"]["used"] == derived
    assert result.details["M"]["source"] == f"sins_total={sins}"
    component = next(c for c in result.components if c.key == "mechanical_status")
    assert component.derived_from == f"sins_total={sins}"
    assert result.category == ("cebrt" if derived == "stable" else "stabilization_then_cebrt")


@pytest.mark.parametrize("sins", [7, 9, 12])
def test_sins_indeterminate_is_incomplete(sins):
    result = evaluate(
        {"escc_grade": "0", "myelopathy": False, "radiosensitivity": S, "sins_total": sins}
    )
    assert result.status == "incomplete"
    assert result.missing == ("mechanical_status",)
    assert any("surgical consultation required" in n for n in result.notes)
    assert result.details["M"]["sins_derived"] == "indeterminate"


@pytest.mark.parametrize(
    ("entered", "sins", "differs"),
    [(ST, 14, True), (UN, 3, True), (MP, 3, True), (ST, 9, True), (ST, 3, False), (UN, 15, False)],
)
def test_entered_mechanical_status_wins(entered, sins, differs):
    result = noms(
        "2",
        S,
        entered,
        sins_total=sins,
        able_to_tolerate_surgery=True,
        able_to_tolerate_percutaneous=True,
    )
    assert result.details["M"]["used"] == entered
    assert result.details["M"]["mechanical_status"] == entered
    assert result.details["M"]["sins_total"] == sins
    assert any("takes precedence" in n for n in result.notes) is differs


# §7.2 / §12 suggestion helper (suggestion only).
SUGGESTED = {
    "lung": R,
    "lung_small_cell": S,
    "osteosarcoma": R,
    "stomach": R,
    "liver": R,
    "kidney": R,
    "rectum": R,
    "thyroid": R,
    "breast": S,
    "prostate": S,
    "colon": R,
    "melanoma": R,
    "sarcoma": R,
    "lymphoma": S,
    "multiple_myeloma": S,
    "germ_cell": S,
}


@pytest.mark.parametrize("site", PrimaryTumor.keys())
def test_suggest_radiosensitivity(site):
    expected = SUGGESTED.get(site)
    assert suggest_radiosensitivity(PrimaryTumor(site)) == (
        Radiosensitivity(expected) if expected else None
    )


def test_histology_is_never_applied():
    result = noms("0", S, ST, False, histology="kidney")
    assert result.category == "cebrt"  # entered radiosensitive wins over the suggestion
    assert result.details["O"]["suggested_radiosensitivity"] == R
    assert any("suggestion only" in n for n in result.notes)
    breast = noms("0", R, ST, False, histology="breast")
    assert any("moderately; confirm" in n for n in breast.notes)
    agree = noms("0", R, ST, False, histology="kidney")
    assert not any("suggestion only" in n for n in agree.notes)
    none = noms("0", R, ST, False, histology="bladder")
    assert none.details["O"]["suggested_radiosensitivity"] is None
    assert not any("suggestion only" in n for n in none.notes)


@pytest.mark.parametrize(
    ("key", "bad", "allowed"),
    [
        ("escc_grade", "4", "0, 1a, 1b, 1c, 2, 3"),
        ("radiosensitivity", "sensitive", "radiosensitive, radioresistant"),
        ("mechanical_status", "wobbly", "stable, mechanical_pain_no_gross_instability, unstable"),
        ("sins_total", 19, "0-18"),
        ("sins_total", -1, "0-18"),
        ("sins_total", "9", "0-18"),
        ("myelopathy", "no", "true, false"),
        ("able_to_tolerate_surgery", 1, "true, false"),
        ("able_to_tolerate_percutaneous", "true", "true, false"),
        ("able_to_tolerate_local_treatment", 0, "true, false"),
        ("histology", "spleen", "lung, lung_small_cell"),
    ],
)
def test_invalid(key, bad, allowed):
    with pytest.raises(ScoringInputError) as exc:
        evaluate({key: bad})
    assert f"allowed: {allowed}" in exc.value.errors[key][0]
