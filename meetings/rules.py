"""Pure rules of the board's decisions: quorum, what a decision needs before it is signed, and
when its letter is due. Plain Python (no Django, nothing else of the project), table-tested in
``tests/meetings/test_rules.py``; the services feed them what they read from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# --- Quorum -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """Whether a meeting is quorate, and the required specialties nobody present covers (in
    the order the board lists them)."""

    quorate: bool
    missing_specialties: tuple[str, ...]


def quorum(*, required: Iterable[str], present: Iterable[str | None]) -> Quorum:
    """The default rule: every specialty the board requires for a quorum has at least one
    attendee present (members and guests alike; an attendee counts for the one specialty they
    attend as). ``present`` are the specialty codes of the attendees present (None: an attendee
    without a specialty, e.g. a coordinator). A board that requires no specialty is quorate."""
    here = {code for code in present if code}
    missing = tuple(dict.fromkeys(code for code in required if code not in here))
    return Quorum(quorate=not missing, missing_specialties=missing)


# --- Completeness of a decision ---------------------------------------------------------------

NO_TREATMENT = "no_treatment"


@dataclass(frozen=True)
class DecisionFacts:
    """What the signing rule looks at (the values of a draft)."""

    intent: str
    no_treatment_reason: str
    rationale: str
    follows_noms: bool | None
    noms_deviation_reason: str


def inconsistencies(facts: DecisionFacts) -> dict[str, str]:
    """Contradictions refused in any draft, signed or not: field -> message."""
    errors: dict[str, str] = {}
    if facts.intent == NO_TREATMENT and not facts.no_treatment_reason:
        errors["no_treatment_reason"] = "Say why no anti-cancer treatment is recommended."
    if facts.no_treatment_reason and facts.intent != NO_TREATMENT:
        errors["no_treatment_reason"] = "Only a decision of no anti-cancer treatment has one."
    if facts.follows_noms is False and not facts.noms_deviation_reason.strip():
        errors["noms_deviation_reason"] = "Say why the decision departs from the NOMS suggestion."
    return errors


def missing_for_signing(facts: DecisionFacts) -> dict[str, str]:
    """What a draft still lacks to be signed (on top of ``inconsistencies``): field -> message."""
    errors = inconsistencies(facts)
    if not facts.intent:
        errors["intent"] = "Choose the intent of the recommendation."
    if not facts.rationale.strip():
        errors["rationale"] = "Give the rationale of the recommendation."
    if facts.follows_noms is None:
        errors["follows_noms"] = "Say whether the decision follows the NOMS suggestion."
    return errors


# --- Working days -----------------------------------------------------------------------------

#: Monday to Friday (``date.weekday()`` 0..4). Public holidays are not known to the product.
WORKING_WEEKDAYS = frozenset(range(5))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() in WORKING_WEEKDAYS


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """``moment`` plus ``days`` working days, in the moment's own (local, wall-clock) time.

    A moment on a working day moves to the same time ``days`` working days later (Friday 10:00
    plus one is Monday 10:00). A moment on a weekend starts counting at the beginning of the
    next working day (Saturday 10:00 plus one is Tuesday 00:00: all of Monday is given).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if not is_working_day(moment.date()):
        start = next_working_day(moment.date())
        moment = dt.datetime.combine(start, dt.time(0), tzinfo=moment.tzinfo)
    day = moment.date()
    for _ in range(days):
        day = next_working_day(day)
    return dt.datetime.combine(day, moment.timetz())


#: A signed decision is communicated to the referring physician within this many working days.
COMMUNICATION_WORKING_DAYS = 1


def communication_due(signed_at: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """When the letter of a decision signed at ``signed_at`` (aware) is due: one working day
    later, counted on the board's calendar (``zone``). Answered aware, in ``zone``."""
    local = signed_at.astimezone(zone).replace(tzinfo=None)
    due = add_working_days(local, COMMUNICATION_WORKING_DAYS)
    return due.replace(tzinfo=zone)


def communication_overdue(
    *, signed_at: dt.datetime, now: dt.datetime, zone: dt.tzinfo, sent_at: dt.datetime | None
) -> bool:
    """Whether the decision was (or is) not communicated within its working day."""
    due = communication_due(signed_at, zone)
    return (sent_at if sent_at is not None else now) > due
