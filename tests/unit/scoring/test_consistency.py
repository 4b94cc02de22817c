"""Data-entry rules (scoring/domain/consistency.py): every KPS x ECOG pair, every Frankel grade x
ambulatory status, and the albumin unit hints, written out from scoring-spec.md §8.1, §8.4, §5.1.
"""

from decimal import Decimal

import pytest

from scoring.domain.consistency import (
    StatusFacts,
    albumin_g_dl_problem,
    contradictions,
)
from scoring.domain.vocabulary import AmbulatoryStatus, EcogGrade, FrankelGrade

# §8.4 written out: the ECOG grades each KPS maps to under convention A or B. Any other grade
# with that KPS is a contradiction; where A and B disagree, either grade is accepted.
ACCEPTED_ECOG = {
    100: {"0"},
    90: {"1", "0"},
    80: {"1"},
    70: {"2", "1"},
    60: {"2"},
    50: {"3", "2"},
    40: {"3"},
    30: {"4", "3"},
    20: {"4"},
    10: {"4"},
    0: {"5"},
}


@pytest.mark.parametrize("kps", list(ACCEPTED_ECOG))
@pytest.mark.parametrize("ecog", [g.value for g in EcogGrade])
def test_every_kps_against_every_ecog(kps: int, ecog: str) -> None:
    found = contradictions(StatusFacts(karnofsky=kps, ecog=EcogGrade(ecog)))
    if ecog in ACCEPTED_ECOG[kps]:
        assert found == ()
        return
    [contradiction] = found
    assert contradiction.fields == ("karnofsky", "ecog")
    assert contradiction.rule == "§8.4"
    assert f"KPS {kps} is " in contradiction.message
    assert f"not ECOG {ecog}" in contradiction.message
    assert "§8.4" in contradiction.message


def test_kps_90_with_ecog_4_names_both_conventions() -> None:
    [found] = contradictions(StatusFacts(karnofsky=90, ecog=EcogGrade.E4))
    assert found.message == (
        "KPS 90 is ECOG 1 (convention A) or ECOG 0 (convention B) (scoring-spec §8.4), "
        "not ECOG 4: check the Karnofsky score or the ECOG grade."
    )


def test_where_the_conventions_agree_the_message_says_so() -> None:
    [found] = contradictions(StatusFacts(karnofsky=80, ecog=EcogGrade.E3))
    assert "KPS 80 is ECOG 1 in both conventions" in found.message


@pytest.mark.parametrize(
    "facts",
    [
        StatusFacts(),
        StatusFacts(karnofsky=90),
        StatusFacts(ecog=EcogGrade.E4),
        # Not a KPS value: the field's own validation refuses it, not this rule.
        StatusFacts(karnofsky=55, ecog=EcogGrade.E4),
        StatusFacts(karnofsky=110, ecog=EcogGrade.E0),
    ],
)
def test_missing_or_invalid_values_are_no_contradiction(facts: StatusFacts) -> None:
    assert contradictions(facts) == ()


# §8.1 against the ambulatory status (§5.1): True where the pair is impossible.
A, B, C, D, E = (FrankelGrade(g) for g in "ABCDE")
INDEPENDENT = AmbulatoryStatus.INDEPENDENT
WITH_AID = AmbulatoryStatus.WITH_AID
NON_AMBULATORY = AmbulatoryStatus.NON_AMBULATORY
WALKING_TABLE = {
    (A, INDEPENDENT): True,
    (A, WITH_AID): True,
    (A, NON_AMBULATORY): False,
    (B, INDEPENDENT): True,
    (B, WITH_AID): True,
    (B, NON_AMBULATORY): False,
    (C, INDEPENDENT): True,
    (C, WITH_AID): False,  # assisted steps: a judgement call, accepted
    (C, NON_AMBULATORY): False,
    (D, INDEPENDENT): False,
    (D, WITH_AID): False,
    (D, NON_AMBULATORY): False,
    (E, INDEPENDENT): False,
    (E, WITH_AID): False,
    (E, NON_AMBULATORY): False,  # pain, instability, frailty
}


def test_the_walking_table_covers_every_pair() -> None:
    assert set(WALKING_TABLE) == {(g, s) for g in FrankelGrade for s in AmbulatoryStatus}


@pytest.mark.parametrize(("pair", "impossible"), list(WALKING_TABLE.items()))
def test_every_frankel_grade_against_every_ambulatory_status(
    pair: tuple[FrankelGrade, AmbulatoryStatus], impossible: bool
) -> None:
    grade, walking = pair
    found = contradictions(StatusFacts(frankel_grade=grade, ambulatory_status=walking))
    if not impossible:
        assert found == ()
        return
    [contradiction] = found
    assert contradiction.fields == ("frankel_grade", "ambulatory_status")
    assert contradiction.rule == "§8.1"
    assert f"Frankel {grade.value} means" in contradiction.message
    assert "§8.1" in contradiction.message


def test_frankel_a_walking_independently_says_why() -> None:
    [found] = contradictions(StatusFacts(frankel_grade=A, ambulatory_status=INDEPENDENT))
    assert found.message == (
        "Frankel A means no motor or sensory function below the lesion (scoring-spec §8.1), "
        "yet the patient walks independently: check the Frankel grade or the ambulatory status."
    )


def test_frankel_c_walking_independently_points_at_frankel_d() -> None:
    [found] = contradictions(StatusFacts(frankel_grade=C, ambulatory_status=INDEPENDENT))
    assert "useful motor function (Frankel D)" in found.message


@pytest.mark.parametrize(
    "facts", [StatusFacts(frankel_grade=A), StatusFacts(ambulatory_status=INDEPENDENT)]
)
def test_walking_needs_both_values(facts: StatusFacts) -> None:
    assert contradictions(facts) == ()


def test_both_rules_report_together() -> None:
    found = contradictions(
        StatusFacts(karnofsky=90, ecog=EcogGrade.E4, frankel_grade=B, ambulatory_status=WITH_AID)
    )
    assert [c.fields for c in found] == [
        ("karnofsky", "ecog"),
        ("frankel_grade", "ambulatory_status"),
    ]
    assert "walks with assistance" in found[1].message


# --- Serum albumin (g/dL, 0.5–7.0) ----------------------------------------------------------

UNIT = "Serum albumin is entered in g/dL, from 0.5 to 7.0"


@pytest.mark.parametrize("value", ["0.5", "1", "3.5", "4.2", "7", "7.0"])
def test_albumin_in_g_dl_is_accepted(value: str) -> None:
    assert albumin_g_dl_problem(Decimal(value)) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # Plainly g/L (10–70): the exact g/dL value, never rounded across a threshold.
        ("42", f"42 looks like g/L; in g/dL that is 4.2. {UNIT}."),
        ("35", f"35 looks like g/L; in g/dL that is 3.5. {UNIT}."),
        ("34.5", f"34.5 looks like g/L; in g/dL that is 3.45. {UNIT}."),
        ("42.0", f"42 looks like g/L; in g/dL that is 4.2. {UNIT}."),
        ("10", f"10 looks like g/L; in g/dL that is 1. {UNIT}."),
        ("70", f"70 looks like g/L; in g/dL that is 7. {UNIT}."),
        # Plainly µmol/L (150–1050, 66.5 kDa): approximate, said so.
        ("600", f"600 looks like µmol/L; in g/dL that is about 4.0. {UNIT}."),
        ("150", f"150 looks like µmol/L; in g/dL that is about 1.0. {UNIT}."),
        ("1050", f"1050 looks like µmol/L; in g/dL that is about 7.0. {UNIT}."),
        # Neither: a generic message naming the unit.
        ("0.4", f"{UNIT}; 0.4 is outside that range."),
        ("-1", f"{UNIT}; -1 is outside that range."),
        ("7.1", f"{UNIT}; 7.1 is outside that range."),
        ("9.9", f"{UNIT}; 9.9 is outside that range."),
        ("70.5", f"{UNIT}; 70.5 is outside that range."),
        ("149", f"{UNIT}; 149 is outside that range."),
        ("1051", f"{UNIT}; 1051 is outside that range."),
        ("NaN", f"{UNIT}."),
        ("Infinity", f"{UNIT}."),
    ],
)
def test_albumin_outside_the_range_says_which_unit(value: str, message: str) -> None:
    assert albumin_g_dl_problem(Decimal(value)) == message
