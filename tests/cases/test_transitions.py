"""Rights per transition: each transition names the permission it needs; system moves are made
only by other services (``case_move``), never on a user's request."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import CaseStatus, Presentation
from cases.permissions import Perm
from cases.workflow import CASE_TRANSITIONS
from tests.conftest import World, client_for, make_case

# transition -> (status the case must be in, reason)
SETUP = {
    "accept": ("referred", ""),
    "decline": ("referred", "Not a spinal metastasis"),
    "mark_ready": ("in_workup", ""),
    "return_to_workup": ("ready", "MRI missing"),
    "record_discussion": ("ready", ""),
    "re_present": ("discussed", "New deficit"),
    "close": ("discussed", ""),
    "withdraw": ("in_workup", "Patient declined"),
}
# Who may ask for each transition, by persona.
ALLOWED = {
    "accept": {"coordinator"},
    "decline": {"coordinator"},
    "mark_ready": {"coordinator"},
    "return_to_workup": {"coordinator"},
    "record_discussion": set(),  # a system move: signing the decision makes it
    "re_present": {"coordinator"},
    "close": {"coordinator"},
    "withdraw": {"coordinator"},
}
PERSONAS = ["coordinator", "attending", "surgeon", "radiologist", "other_coordinator"]


def test_every_transition_is_in_the_table() -> None:
    assert set(SETUP) == set(CASE_TRANSITIONS) == set(ALLOWED)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", sorted(SETUP))
def test_rights_per_transition(world: World, transition: str, persona: str) -> None:
    status, reason = SETUP[transition]
    case = make_case(world, status=status)
    response = client_for(world.users[persona]).post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"transition": transition, "reason": reason},
        format="json",
    )
    case.refresh_from_db()
    if persona in ALLOWED[transition]:
        assert response.status_code == 200, response.content
        assert case.status == CASE_TRANSITIONS[transition].target
    elif CASE_TRANSITIONS[transition].permission is None and not persona.startswith("other_"):
        # A system move: no member may ask for it (400 naming the transition).
        assert response.status_code == 400, response.content
        assert "transition" in response.json()["errors"]
        assert case.status == status
    else:
        # Another board's member cannot see the case at all; a member lacking the right: 403.
        assert response.status_code == (404 if persona.startswith("other_") else 403)
        assert case.status == status


def test_allowed_transitions_lists_only_what_the_user_may_ask(world: World) -> None:
    case = make_case(world, status="ready")

    def names(persona: str) -> list[str]:
        body = client_for(world.users[persona]).get(f"/api/v1/cases/{case.pk}/").json()
        return [t["name"] for t in body["allowed_transitions"]]

    assert names("coordinator") == ["return_to_workup", "withdraw"]
    assert names("attending") == []  # record_discussion is made by signing the decision
    assert names("surgeon") == []


@pytest.fixture
def system_only(monkeypatch: Any) -> str:
    """Make 'close' a system move (permission None), as 'discussed' becomes with decisions."""
    step = dataclasses.replace(
        CASE_TRANSITIONS["close"], permission=None, system_note="the follow-up job closes it."
    )
    monkeypatch.setitem(CASE_TRANSITIONS, "close", step)
    return "close"


def test_nobody_asks_for_a_system_transition(world: World, system_only: str) -> None:
    case = make_case(world, status="discussed")
    for user in (world.coordinator, world.admin):
        with pytest.raises(ValidationError) as excinfo:
            services.case_transition(by=user, case=case, transition=system_only)
        assert excinfo.value.message_dict == {
            "transition": ["'close' is not made by hand: the follow-up job closes it."]
        }
    response = client_for(world.coordinator).post(
        f"/api/v1/cases/{case.pk}/transition/", {"transition": system_only}, format="json"
    )
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == CaseStatus.DISCUSSED


def test_another_service_makes_a_system_move(world: World, system_only: str) -> None:
    case = make_case(world, status="discussed")
    services.case_move(by=None, case=case, transition=system_only)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    change = case.status_changes.last()
    assert (change.transition, change.changed_by) == ("close", None)


def test_a_system_move_still_follows_the_workflow(world: World) -> None:
    case = make_case(world, status="referred")
    with pytest.raises(ValidationError):
        services.case_move(by=None, case=case, transition="close")


def test_a_member_without_the_right_changes_nothing_in_the_service(world: World) -> None:
    case = make_case(world, status="ready")
    with pytest.raises(PermissionDenied):
        services.case_transition(
            by=world.attending, case=case, transition="return_to_workup", reason="MRI missing"
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.READY
    assert CASE_TRANSITIONS["return_to_workup"].permission is Perm.MANAGE_CASES
    assert CASE_TRANSITIONS["record_discussion"].permission is None


def test_accept_and_re_present_open_presentations(world: World) -> None:
    case = make_case(world, status="referred")
    assert not Presentation.objects.filter(case=case).exists()
    services.case_transition(by=world.coordinator, case=case, transition="accept")
    case.refresh_from_db()
    first = case.current_presentation
    assert (first.number, first.kind, first.opened_by) == (1, "first", world.coordinator)
    services.case_transition(by=world.coordinator, case=case, transition="mark_ready")
    services.case_move(by=world.attending, case=case, transition="record_discussion")
    services.case_transition(
        by=world.coordinator, case=case, transition="re_present", reason="New T9 lesion"
    )
    case.refresh_from_db()
    second = case.current_presentation
    assert (second.number, second.kind, second.reason) == (2, "re_presentation", "New T9 lesion")
    assert list(case.presentations.values_list("number", flat=True)) == [1, 2]
