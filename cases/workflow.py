"""The case and assessment state machines: named transitions, nothing implicit.

A status changes only through ``cases.services.case_transition`` (a user's request, checked
against the transition's own permission) or ``cases.services.case_move`` (another service's
move, e.g. a signed decision), which look the transition up here; any other move is rejected
with the allowed ones named.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import AssessmentStatus, CaseStatus
from .permissions import Perm


@dataclass(frozen=True)
class Transition:
    """A named move of a case's status.

    ``permission`` is what a user needs on the case's board to ask for it; ``None`` means no
    user may ask for it directly: only another service makes it (``system_note`` says which).
    ``opens_presentation`` starts a new presentation to the board.
    """

    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: Perm | None
    reason_required: bool = False
    opens_presentation: bool = False
    system_note: str = ""


S = CaseStatus
_MANAGE = Perm.MANAGE_CASES
CASE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept",
            "Accept for the board",
            frozenset({S.REFERRED}),
            S.IN_WORKUP,
            _MANAGE,
            opens_presentation=True,
        ),
        Transition(
            "decline",
            "Decline the referral",
            frozenset({S.REFERRED}),
            S.DECLINED,
            _MANAGE,
            reason_required=True,
        ),
        Transition(
            "mark_ready", "Mark ready for the board", frozenset({S.IN_WORKUP}), S.READY, _MANAGE
        ),
        Transition(
            "return_to_workup",
            "Return to work-up",
            frozenset({S.READY}),
            S.IN_WORKUP,
            _MANAGE,
            reason_required=True,
        ),
        # A system move: signing the board's decision (meetings.services.decision_sign) marks
        # the case discussed, from work-up too (a fast-track decision, or a case discussed
        # before it was marked ready). No user asks for it.
        Transition(
            "record_discussion",
            "Record as discussed",
            frozenset({S.IN_WORKUP, S.READY}),
            S.DISCUSSED,
            None,
            system_note="signing the board's decision marks the case discussed.",
        ),
        Transition(
            "re_present",
            "Re-present to the board",
            frozenset({S.DISCUSSED, S.CLOSED}),
            S.IN_WORKUP,
            _MANAGE,
            reason_required=True,
            opens_presentation=True,
        ),
        Transition("close", "Close the case", frozenset({S.DISCUSSED}), S.CLOSED, _MANAGE),
        Transition(
            "withdraw",
            "Withdraw the referral",
            frozenset({S.REFERRED, S.IN_WORKUP, S.READY}),
            S.WITHDRAWN,
            _MANAGE,
            reason_required=True,
        ),
    )
}

# Statuses in which specialists may write assessments of the current round.
ASSESSABLE_STATUSES = frozenset({S.IN_WORKUP, S.READY})
# Statuses in which the referral itself may no longer be edited.
FINAL_STATUSES = frozenset({S.CLOSED, S.DECLINED, S.WITHDRAWN})


def transitions_from(status: str) -> list[Transition]:
    return [t for t in CASE_TRANSITIONS.values() if status in t.sources]


def case_transition_named(name: str) -> Transition:
    """The transition ``name``, or a ValidationError naming the known ones."""
    transition = CASE_TRANSITIONS.get(name)
    if transition is None:
        allowed = ", ".join(CASE_TRANSITIONS)
        raise ValidationError({"transition": f"Unknown transition '{name}'; one of: {allowed}."})
    return transition


def case_transition_for(status: str, name: str, reason: str) -> Transition:
    """The transition ``name`` from ``status``, or a ValidationError naming what is allowed."""
    transition = case_transition_named(name)
    if status not in transition.sources:
        possible = ", ".join(t.name for t in transitions_from(status)) or "none"
        raise ValidationError(
            {
                "transition": f"Cannot '{name}' a case that is '{status}'. "
                f"Allowed from '{status}': {possible}."
            }
        )
    if transition.reason_required and not reason.strip():
        raise ValidationError({"reason": f"A reason is required to '{name}'."})
    return transition


ASSESSMENT_TRANSITIONS: dict[str, tuple[str, str]] = {
    "submit": (AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
    "reopen": (AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT),
}


def assessment_transition_for(status: str, name: str) -> str:
    source, target = ASSESSMENT_TRANSITIONS[name]
    if status != source:
        raise ValidationError(
            {"status": f"Cannot '{name}' an assessment that is '{status}' (only from '{source}')."}
        )
    return target
