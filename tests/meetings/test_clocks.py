"""The fast-track clocks (``meetings.clocks``), table-tested: no database, no Django."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from meetings import clocks
from meetings.clocks import Clock, ClockState

T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(weeks=1)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


NS, RUN, MET, BR = "not_started", "running", "met", "breached"
HOUR = 3600

# id, neurological signs, MRI done, MRI reported, treatment started (hours after the
# suspicion, None: not yet), now (hours) -> MRI state and seconds left, treatment's.
TABLE = [
    # With neurological signs: 24 h each.
    ("just-suspected", True, None, None, None, 0, RUN, 24 * HOUR, NS, None),
    ("30-min-left", True, None, None, None, 23.5, RUN, 1800, NS, None),
    ("due-now-still-running", True, None, None, None, 24, RUN, 0, NS, None),
    ("mri-overdue", True, None, None, None, 26, BR, -2 * HOUR, NS, None),
    ("mri-in-time-report-awaited", True, 20, None, None, 30, MET, 4 * HOUR, NS, None),
    ("mri-done-exactly-at-due", True, 24, None, None, 30, MET, 0, NS, None),
    ("mri-done-late", True, 25, None, None, 30, BR, -HOUR, NS, None),
    ("treatment-clock-from-report", True, 10, 12, None, 13, MET, 14 * HOUR, RUN, 23 * HOUR),
    ("treatment-overdue", True, 10, 12, None, 40, MET, 14 * HOUR, BR, -4 * HOUR),
    ("both-met", True, 10, 12, 30, 99, MET, 14 * HOUR, MET, 6 * HOUR),
    ("treatment-late", True, 10, 12, 37, 99, MET, 14 * HOUR, BR, -HOUR),
    # Pain alone: a week each.
    ("pain-day-2", False, None, None, None, 26, RUN, (168 - 26) * HOUR, NS, None),
    ("pain-mri-overdue", False, None, None, None, 169, BR, -HOUR, NS, None),
    ("pain-treatment-running", False, 48, 50, None, 60, MET, 120 * HOUR, RUN, 158 * HOUR),
]


def _at(hours: float | None) -> dt.datetime | None:
    return None if hours is None else at(hours)


CASES = [
    pytest.param(neuro, _at(d), _at(r), _at(t), at(now), *expected, id=name)
    for name, neuro, d, r, t, now, *expected in TABLE
]


@pytest.mark.parametrize(
    ("neuro", "done", "reported", "treated", "now", "mri", "mri_left", "treat", "treat_left"),
    CASES,
)
def test_clocks(
    neuro: bool,
    done: dt.datetime | None,
    reported: dt.datetime | None,
    treated: dt.datetime | None,
    now: dt.datetime,
    mri: str,
    mri_left: int | None,
    treat: str,
    treat_left: int | None,
) -> None:
    mri_clock, treatment = clocks.fast_track_clocks(
        neurological_signs=neuro,
        suspected_at=T0,
        mri_done_at=done,
        mri_reported_at=reported,
        treatment_started_at=treated,
        now=now,
    )
    window = DAY if neuro else WEEK
    assert (mri_clock.name, mri_clock.state, mri_clock.seconds_left) == ("mri", mri, mri_left)
    assert (mri_clock.started_at, mri_clock.due_at, mri_clock.done_at) == (T0, T0 + window, done)
    assert (treatment.name, treatment.state, treatment.seconds_left) == (
        "treatment",
        treat,
        treat_left,
    )
    if reported is None:
        assert treatment.due_at is None
    else:
        assert (treatment.started_at, treatment.due_at) == (reported, reported + window)
    assert treatment.done_at == treated


def test_windows_follow_nice() -> None:
    assert clocks.window(True) == dt.timedelta(hours=24)
    assert clocks.window(False) == dt.timedelta(days=7)


def _clock(state: ClockState, left: int | None, done: dt.datetime | None = None) -> Clock:
    return Clock("x", T0, T0, done, state, left)


@pytest.mark.parametrize(
    ("clock_list", "expected"),
    [
        ([], None),
        ([_clock(ClockState.NOT_STARTED, None)], None),
        ([_clock(ClockState.MET, 100, done=T0)], None),
        # Done late: breached, but no longer ticking.
        ([_clock(ClockState.BREACHED, -5, done=T0)], None),
        ([_clock(ClockState.RUNNING, 100), _clock(ClockState.RUNNING, 50)], 50),
        ([_clock(ClockState.RUNNING, 100), _clock(ClockState.BREACHED, -7)], -7),
    ],
)
def test_most_urgent(clock_list: list[Clock], expected: int | None) -> None:
    found = clocks.most_urgent(clock_list)
    assert (None if found is None else found.seconds_left) == expected


def test_queue_key_orders_breached_then_least_left_then_idle() -> None:
    def key(neuro: bool, done: dt.datetime | None, reported: dt.datetime | None, pk: int) -> tuple:
        now = at(30)
        track = clocks.fast_track_clocks(
            neurological_signs=neuro,
            suspected_at=T0,
            mri_done_at=done,
            mri_reported_at=reported,
            treatment_started_at=None,
            now=now,
        )
        return clocks.queue_key(track, (T0, pk))

    tracks = {
        "pain, 6 days left": key(False, None, None, 1),
        "idle: MRI done, report awaited": key(True, at(5), None, 2),
        "MRI breached by 6 h": key(True, None, None, 3),
        "treatment, 20 h left": key(True, at(5), at(26), 4),
        "treatment breached by 2 h": key(True, at(2), at(4), 5),
    }
    assert sorted(tracks, key=tracks.__getitem__) == [
        "MRI breached by 6 h",
        "treatment breached by 2 h",
        "treatment, 20 h left",
        "pain, 6 days left",
        "idle: MRI done, report awaited",
    ]


def test_clocks_module_imports_no_framework() -> None:
    """Pure Python: the standard library only (no Django, nothing of the project)."""
    tree = ast.parse(Path(clocks.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0] if node.level == 0 else ".")
    assert imported <= {"__future__", "datetime", "collections", "dataclasses", "enum"}, imported
