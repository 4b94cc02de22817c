"""Pure rules of the agenda (plain Python, no Django): where a new item goes, and whether an
ordering sent by a client is a full ordering of the agenda. Table-tested in
``tests/meetings/test_agenda_domain.py``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

#: Clinical order of urgency, higher = more urgent (the values of ``cases.Urgency``).
URGENCY_RANK = {"routine": 0, "urgent": 1, "emergency": 2}
#: Urgencies that may join an agenda after the submission cut-off without a reason.
PRESSING = frozenset({"urgent", "emergency"})


def rank(urgency: str) -> int:
    return URGENCY_RANK.get(urgency, 0)


def insertion_index(agenda: Sequence[str], urgency: str) -> int:
    """Where (0-based) a new item of ``urgency`` goes on an agenda whose items have the
    urgencies ``agenda``, in their order: before the first item less urgent than it, so
    emergencies come first, then urgent cases, then routine ones, each group in the order it
    already has (a coordinator's reordering is kept, never undone by an addition)."""
    new = rank(urgency)
    for index, existing in enumerate(agenda):
        if rank(existing) < new:
            return index
    return len(agenda)


def is_full_ordering(current: Sequence[Hashable], proposed: Sequence[Hashable]) -> bool:
    """Whether ``proposed`` names every item of ``current`` exactly once, and nothing else."""
    return len(proposed) == len(set(proposed)) and set(proposed) == set(current)


def needs_late_reason(*, after_cutoff: bool, urgency: str) -> bool:
    """After the cut-off, only urgent and emergency cases join an agenda without a reason."""
    return after_cutoff and urgency not in PRESSING
