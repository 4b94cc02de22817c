"""The pure rules of decisions (``meetings.rules``): quorum, what signing needs, working days
and when a decision's letter is due. No database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from meetings import rules

SURG, RADONC, MEDONC, RADIOL = (
    "spine_surgery",
    "radiation_oncology",
    "medical_oncology",
    "radiology",
)
BOARD = (SURG, RADONC, MEDONC, RADIOL)


@pytest.mark.parametrize(
    ("required", "present", "quorate", "missing"),
    [
        (BOARD, [SURG, RADONC, MEDONC, RADIOL], True, ()),
        (BOARD, [SURG, RADONC, MEDONC, RADIOL, None, SURG], True, ()),  # extras do not matter
        (BOARD, [SURG, RADONC, MEDONC], False, (RADIOL,)),
        (BOARD, [None, None], False, BOARD),  # coordinators and attendings cover nothing
        (BOARD, [], False, BOARD),
        ((RADIOL, SURG), [SURG], False, (RADIOL,)),  # the board's order is kept
        ((SURG, SURG), [], False, (SURG,)),  # each missing specialty once
        ((), [], True, ()),  # a board requiring nobody
        ((), [SURG], True, ()),
    ],
)
def test_quorum_needs_every_required_specialty_present(
    required: tuple[str, ...], present: list[str | None], quorate: bool, missing: tuple[str, ...]
) -> None:
    assert rules.quorum(required=required, present=present) == rules.Quorum(quorate, missing)


def facts(**overrides: object) -> rules.DecisionFacts:
    values: dict[str, object] = {
        "intent": "palliative",
        "no_treatment_reason": "",
        "rationale": "SBRT to T4.",
        "follows_noms": True,
        "noms_deviation_reason": "",
    }
    values.update(overrides)
    return rules.DecisionFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({}, set()),
        ({"intent": ""}, {"intent"}),
        ({"rationale": "  "}, {"rationale"}),
        ({"follows_noms": None}, {"follows_noms"}),
        ({"follows_noms": False}, {"noms_deviation_reason"}),
        ({"follows_noms": False, "noms_deviation_reason": "Patient prefers SBRT."}, set()),
        ({"intent": "no_treatment"}, {"no_treatment_reason"}),
        ({"intent": "no_treatment", "no_treatment_reason": "patient_choice"}, set()),
        ({"no_treatment_reason": "patient_choice"}, {"no_treatment_reason"}),
        (
            {"intent": "", "rationale": "", "follows_noms": None},
            {"intent", "rationale", "follows_noms"},
        ),
    ],
)
def test_what_signing_needs(overrides: dict[str, object], missing: set[str]) -> None:
    assert set(rules.missing_for_signing(facts(**overrides))) == missing


def test_a_draft_may_be_incomplete_but_not_contradictory() -> None:
    assert rules.inconsistencies(facts(intent="", rationale="", follows_noms=None)) == {}
    assert set(rules.inconsistencies(facts(intent="no_treatment"))) == {"no_treatment_reason"}


MON, TUE, FRI, SAT, SUN = (dt.date(2027, 3, d) for d in (1, 2, 5, 6, 7))


@pytest.mark.parametrize(
    ("day", "working", "following"),
    [
        (MON, True, TUE),
        (FRI, True, dt.date(2027, 3, 8)),
        (SAT, False, dt.date(2027, 3, 8)),
        (SUN, False, dt.date(2027, 3, 8)),
    ],
)
def test_working_days(day: dt.date, working: bool, following: dt.date) -> None:
    assert rules.is_working_day(day) is working
    assert rules.next_working_day(day) == following


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.mark.parametrize(
    ("moment", "days", "expected"),
    [
        (local(MON, 10), 1, local(TUE, 10)),
        (local(FRI, 10), 1, local(dt.date(2027, 3, 8), 10)),  # Friday -> Monday
        (local(FRI, 23, 59), 1, local(dt.date(2027, 3, 8), 23, 59)),
        (local(SAT, 10), 1, local(dt.date(2027, 3, 9), 0)),  # all of Monday is given
        (local(SUN, 23), 1, local(dt.date(2027, 3, 9), 0)),
        (local(dt.date(2027, 3, 4), 9), 2, local(dt.date(2027, 3, 8), 9)),
        (local(MON, 10), 0, local(MON, 10)),
        (local(SAT, 10), 0, local(dt.date(2027, 3, 8), 0)),
    ],
)
def test_add_working_days(moment: dt.datetime, days: int, expected: dt.datetime) -> None:
    assert rules.add_working_days(moment, days) == expected


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rules.add_working_days(local(MON, 10), -1)


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("signed_at", "due"),
    [
        # Friday 10:00 in Berlin (09:00 UTC) -> Monday 10:00 Berlin.
        (dt.datetime(2027, 3, 5, 9, tzinfo=dt.UTC), dt.datetime(2027, 3, 8, 10, tzinfo=BERLIN)),
        # Friday 23:30 UTC is already Saturday in Berlin: due at the end of Monday, Berlin.
        (
            dt.datetime(2027, 3, 5, 23, 30, tzinfo=dt.UTC),
            dt.datetime(2027, 3, 9, 0, tzinfo=BERLIN),
        ),
        # Across the spring daylight-saving change (28 March 2027): wall-clock time is kept.
        (
            dt.datetime(2027, 3, 26, 9, tzinfo=dt.UTC),
            dt.datetime(2027, 3, 29, 10, tzinfo=BERLIN),
        ),
    ],
)
def test_communication_is_due_one_working_day_later_on_the_boards_calendar(
    signed_at: dt.datetime, due: dt.datetime
) -> None:
    assert rules.communication_due(signed_at, BERLIN) == due


def test_communication_overdue() -> None:
    signed = dt.datetime(2027, 3, 5, 9, tzinfo=dt.UTC)  # Friday 10:00 Berlin
    monday_morning = dt.datetime(2027, 3, 8, 8, tzinfo=dt.UTC)  # 09:00 Berlin
    monday_noon = dt.datetime(2027, 3, 8, 11, tzinfo=dt.UTC)
    kwargs = {"signed_at": signed, "zone": BERLIN}
    assert not rules.communication_overdue(now=monday_morning, sent_at=None, **kwargs)
    assert rules.communication_overdue(now=monday_noon, sent_at=None, **kwargs)
    # Sent in time: never overdue afterwards; sent late: overdue for good.
    assert not rules.communication_overdue(now=monday_noon, sent_at=monday_morning, **kwargs)
    assert rules.communication_overdue(now=monday_noon, sent_at=monday_noon, **kwargs)
