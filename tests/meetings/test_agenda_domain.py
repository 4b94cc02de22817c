"""The agenda's pure rules (meetings.domain), one small case per row."""

from __future__ import annotations

import pytest

from meetings import domain


@pytest.mark.parametrize(
    ("agenda", "urgency", "index"),
    [
        ([], "routine", 0),
        ([], "emergency", 0),
        (["routine", "routine"], "routine", 2),
        (["routine", "routine"], "urgent", 0),
        (["emergency", "routine"], "urgent", 1),
        (["emergency", "urgent", "routine"], "urgent", 2),
        (["emergency", "urgent", "routine"], "emergency", 1),
        (["urgent", "emergency"], "urgent", 2),  # a coordinator's order is kept
        (["routine", "urgent"], "urgent", 0),  # before the first less urgent item
        (["urgent", "urgent"], "routine", 2),
        (["unknown"], "urgent", 0),  # an unknown urgency ranks as routine
    ],
)
def test_insertion_index(agenda: list[str], urgency: str, index: int) -> None:
    assert domain.insertion_index(agenda, urgency) == index


@pytest.mark.parametrize(
    ("current", "proposed", "ok"),
    [
        ([], [], True),
        ([1, 2, 3], [3, 1, 2], True),
        ([1, 2, 3], [1, 2], False),  # one missing
        ([1, 2], [1, 2, 9], False),  # one not of this meeting
        ([1, 2], [1, 1, 2], False),  # one twice
        ([1, 2], [1, 1], False),
    ],
)
def test_is_full_ordering(current: list[int], proposed: list[int], ok: bool) -> None:
    assert domain.is_full_ordering(current, proposed) is ok


@pytest.mark.parametrize(
    ("after_cutoff", "urgency", "needed"),
    [
        (False, "routine", False),
        (False, "emergency", False),
        (True, "routine", True),
        (True, "urgent", False),
        (True, "emergency", False),
    ],
)
def test_needs_late_reason(after_cutoff: bool, urgency: str, needed: bool) -> None:
    assert domain.needs_late_reason(after_cutoff=after_cutoff, urgency=urgency) is needed
