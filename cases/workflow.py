"""The case and assessment state machines: named transitions, nothing implicit.

A status changes only through ``cases.services.case_transition`` / ``assessment_*``, which look
the transition up here; any other move is rejected with the allowed ones named.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import AssessmentStatus, CaseStatus


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    reason_required: bool = False


def _t(name: str, label: str, sources: set[str], target: str, reason: bool = False) -> Transition:
    return Transition(name, label, frozenset(sources), target, reason)


S = CaseStatus
CASE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("accept", "Accept for the board", {S.REFERRED}, S.IN_WORKUP),
        _t("decline", "Decline the referral", {S.REFERRED}, S.DECLINED, reason=True),
        _t("mark_ready", "Mark ready for the board", {S.IN_WORKUP}, S.READY),
        _t("return_to_workup", "Return to work-up", {S.READY}, S.IN_WORKUP, reason=True),
        _t("record_discussion", "Record as discussed", {S.READY}, S.DISCUSSED),
        _t("re_present", "Re-present to the board", {S.DISCUSSED, S.CLOSED}, S.IN_WORKUP, True),
        _t("close", "Close the case", {S.DISCUSSED}, S.CLOSED),
        _t(
            "withdraw",
            "Withdraw the referral",
            {S.REFERRED, S.IN_WORKUP, S.READY},
            S.WITHDRAWN,
            reason=True,
        ),
    )
}

# Statuses in which specialists may write assessments of the current round.
ASSESSABLE_STATUSES = frozenset({S.IN_WORKUP, S.READY})
# Statuses in which the referral itself may no longer be edited.
FINAL_STATUSES = frozenset({S.CLOSED, S.DECLINED, S.WITHDRAWN})


def transitions_from(status: str) -> list[Transition]:
    return [t for t in CASE_TRANSITIONS.values() if status in t.sources]


def case_transition_for(status: str, name: str, reason: str) -> Transition:
    """The transition ``name`` from ``status``, or a ValidationError naming what is allowed."""
    transition = CASE_TRANSITIONS.get(name)
    if transition is None:
        allowed = ", ".join(CASE_TRANSITIONS)
        raise ValidationError({"transition": f"Unknown transition '{name}'; one of: {allowed}."})
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
