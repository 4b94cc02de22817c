"""The clocks of the cord-compression fast track, as pure Python (no Django): what is due by
when, and how much time is left. Table-tested in ``tests/meetings/test_clocks.py``.

Source: NICE guideline NG234, *Spinal metastases and metastatic spinal cord compression*
(2023, replacing CG75), and its quality standard QS56, *Metastatic spinal cord compression in
adults*:

* **Suspected metastatic spinal cord compression** (pain suggestive of spinal metastases *with*
  neurological symptoms or signs): whole-spine MRI as soon as possible, **within 24 hours**;
  definitive treatment started **within 24 hours of the confirmed diagnosis** (the MRI report).
* **Suspected spinal metastases without neurology** (pain alone): MRI **within 1 week**. NICE
  sets no separate treatment target for pain alone; the product applies the same week to the
  treatment clock, so the case is never left without a due date (a board convention,
  documented here and in the README).

Two clocks per fast track:

``mri``        starts at the suspicion (``suspected_at``), stops when the MRI is done.
``treatment``  starts at the diagnosis (``mri_reported_at``), stops when definitive treatment
               starts; ``not_started`` until the MRI is reported.

A clock is ``met`` when it stopped on or before its due time, ``breached`` when it stopped late
or is still running past it, ``running`` otherwise. ``seconds_left`` is the time from the stop
(or from now, while running) to the due time: negative when breached; None when not started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

#: With neurological signs: MRI within 24 h of the suspicion, treatment within 24 h of the
#: diagnosis (NICE NG234; QS56).
NEURO_WINDOW = dt.timedelta(hours=24)
#: Pain alone: MRI within 1 week (NICE NG234; QS56); the treatment clock uses the same week.
PAIN_WINDOW = dt.timedelta(weeks=1)

MRI = "mri"
TREATMENT = "treatment"


class ClockState(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True)
class Clock:
    name: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    state: ClockState
    seconds_left: int | None

    @property
    def pressing(self) -> bool:
        """Still ticking: running, or breached and not yet done (what the queue sorts by)."""
        return self.done_at is None and self.state in (ClockState.RUNNING, ClockState.BREACHED)


def window(neurological_signs: bool) -> dt.timedelta:
    """How long each clock of a fast track runs."""
    return NEURO_WINDOW if neurological_signs else PAIN_WINDOW


def clock(
    name: str,
    *,
    started_at: dt.datetime | None,
    done_at: dt.datetime | None,
    length: dt.timedelta,
    now: dt.datetime,
) -> Clock:
    """One clock, started at ``started_at`` (None: not started), due ``length`` later."""
    if started_at is None:
        return Clock(name, None, None, done_at, ClockState.NOT_STARTED, None)
    due_at = started_at + length
    until = done_at if done_at is not None else now
    seconds_left = int((due_at - until).total_seconds())
    if seconds_left < 0:
        state = ClockState.BREACHED
    elif done_at is not None:
        state = ClockState.MET
    else:
        state = ClockState.RUNNING
    return Clock(name, started_at, due_at, done_at, state, seconds_left)


def fast_track_clocks(
    *,
    neurological_signs: bool,
    suspected_at: dt.datetime,
    mri_done_at: dt.datetime | None,
    mri_reported_at: dt.datetime | None,
    treatment_started_at: dt.datetime | None,
    now: dt.datetime,
) -> tuple[Clock, Clock]:
    """The MRI clock and the treatment clock of a fast track, at ``now``."""
    length = window(neurological_signs)
    return (
        clock(MRI, started_at=suspected_at, done_at=mri_done_at, length=length, now=now),
        clock(
            TREATMENT,
            started_at=mri_reported_at,
            done_at=treatment_started_at,
            length=length,
            now=now,
        ),
    )


def most_urgent(clocks: Iterable[Clock]) -> Clock | None:
    """The ticking clock with the least time left (breached ones first, the most overdue
    first); None when no clock is ticking."""
    pressing = [c for c in clocks if c.pressing and c.seconds_left is not None]
    return min(pressing, key=lambda c: c.seconds_left or 0, default=None)


def queue_key(
    clocks: Iterable[Clock], tie: tuple[dt.datetime, int]
) -> tuple[int, float, dt.datetime, int]:
    """Sort key of the fast-track queue: fast tracks with a ticking clock first, by the time
    left on their most urgent one (negative, i.e. breached, first); then those waiting with no
    clock ticking (e.g. MRI done, report awaited); ties by ``tie`` (suspected at, id)."""
    urgent = most_urgent(clocks)
    if urgent is None or urgent.seconds_left is None:
        return (1, 0.0, *tie)
    return (0, float(urgent.seconds_left), *tie)
