"""A patient registered at the institution can be referred to another of its boards.

Registering a known MRN at another board links the existing patient when the date of birth and
family name match (200, audited ``link``); otherwise it is a 409 that reveals nothing of the
other record (audited ``conflict``). Every MRN look-up is audited, one that finds nothing too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cases import permissions, services
from cases.exceptions import Conflict
from cases.models import (
    AuditEvent,
    Board,
    Institution,
    Patient,
    PatientBoardLink,
    Role,
)
from cases.permissions import Perm
from cases.services.patients import IDENTITY_CONFLICT
from tests.conftest import World, client_for, make_case, make_patient, make_user

URL = "/api/v1/patients/"


@pytest.fixture
def known(world: World) -> Patient:
    """A patient of the world's board, with a case there."""
    patient = make_patient(
        world,
        mrn="K-4711",
        family_name="van der Berg",
        given_name="Ingrid",
        date_of_birth=dt.date(1951, 4, 2),
    )
    make_case(world, patient=patient, clinical_question="Secret question of board one")
    return patient


def register(user: Any, board: Board, **changes: Any) -> Any:
    body = {
        "registered_board": board.pk,
        "mrn": "K-4711",
        "family_name": "van der Berg",
        "given_name": "Ingrid",
        "date_of_birth": "1951-04-02",
        "sex": "female",
        **changes,
    }
    return client_for(user).post(URL, body, format="json")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- A match links the existing patient -----------------------------------------------------


def test_a_matching_registration_at_another_board_links_the_patient(
    world: World, known: Patient
) -> None:
    # Family name in other case and padded: still the same person.
    response = register(world.other_coordinator, world.other_board, family_name="  VAN DER BERG ")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == known.pk
    assert Patient.objects.count() == 1
    link = PatientBoardLink.objects.get()
    assert (link.patient, link.board, link.linked_by) == (
        known,
        world.other_board,
        world.other_coordinator,
    )
    [event] = events("link")
    assert (event.patient_id, event.board_id, event.user_id) == (
        known.pk,
        world.other_board.pk,
        world.other_coordinator.pk,
    )
    assert event.object_type == "cases.patientboardlink"
    # The existing record is unchanged: given name and sex are not the link's to correct.
    known.refresh_from_db()
    assert (known.registered_board, known.version) == (world.board, 1)


def test_the_linked_board_sees_the_patient_and_may_refer_it(world: World, known: Patient) -> None:
    register(world.other_coordinator, world.other_board)
    for user in (world.other_coordinator, world.other_surgeon, world.other_attending):
        client = client_for(user)
        assert client.get(f"{URL}{known.pk}/").status_code == 200
        listed = client.get(URL).json()["results"]
        assert [row["id"] for row in listed] == [known.pk]
        assert permissions.has_perm(user, Perm.VIEW, known)
    by_board = client_for(world.other_coordinator).get(URL, {"board": world.other_board.pk})
    assert [row["id"] for row in by_board.json()["results"]] == [known.pk]
    assert permissions.has_perm(world.other_coordinator, Perm.MANAGE_CASES, known)
    referred = client_for(world.other_coordinator).post(
        "/api/v1/cases/",
        {
            "board": world.other_board.pk,
            "patient": known.pk,
            "referring_physician": "Dr. Two",
            "clinical_question": "Second opinion on L3?",
            "primary_tumor": "breast",
        },
        format="json",
    )
    assert referred.status_code == 201, referred.content


def test_the_link_opens_the_patient_not_the_other_boards_cases(
    world: World, known: Patient
) -> None:
    register(world.other_coordinator, world.other_board)
    case = known.cases.get()
    client = client_for(world.other_coordinator)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    assert b"Secret question of board one" not in client.get(f"{URL}{known.pk}/").content


def test_registering_again_at_a_board_that_has_the_patient_is_a_400(
    world: World, known: Patient
) -> None:
    register(world.other_coordinator, world.other_board)
    again = register(world.other_coordinator, world.other_board)
    assert again.status_code == 400
    assert "already registered" in again.json()["errors"]["mrn"][0]
    assert PatientBoardLink.objects.count() == 1
    # The same at the board that registered the patient.
    assert register(world.coordinator, world.board).status_code == 400


def test_a_patient_referred_to_a_board_is_already_that_boards(world: World) -> None:
    patient = make_patient(world, mrn="R-1", family_name="Ref", date_of_birth=dt.date(1960, 1, 1))
    services.case_refer(
        by=world.coordinator,
        patient=patient,
        board=world.board,
        referring_physician="Dr",
        clinical_question="Q",
        primary_tumor="lung",
    )
    response = register(
        world.coordinator, world.board, mrn="R-1", family_name="Ref", date_of_birth="1960-01-01"
    )
    assert response.status_code == 400
    assert not PatientBoardLink.objects.exists()


# --- A mismatch reveals nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": "1951-04-03"},
        {"family_name": "Berg"},
        {"family_name": "van der Berg-Olsen", "date_of_birth": "1970-01-01"},
    ],
)
def test_a_mismatch_is_a_409_that_reveals_nothing(
    world: World, known: Patient, changes: dict[str, str]
) -> None:
    response = register(world.other_coordinator, world.other_board, **changes)
    assert response.status_code == 409, response.content
    # Exactly the generic message: no name, birth date, board or id of the other record.
    assert response.json() == {"errors": {"mrn": [IDENTITY_CONFLICT]}}
    assert IDENTITY_CONFLICT == (
        "A patient with this MRN is registered at this institution with other details; check "
        "the MRN, date of birth and family name."
    )
    assert not PatientBoardLink.objects.exists()
    assert Patient.objects.count() == 1
    assert client_for(world.other_coordinator).get(f"{URL}{known.pk}/").status_code == 404
    [event] = events("conflict")
    assert (event.patient_id, event.board_id, event.user_id) == (
        known.pk,
        world.other_board.pk,
        world.other_coordinator.pk,
    )
    assert event.detail.startswith("registration refused")


def test_a_conflict_with_a_simultaneous_change_is_audited_too(
    world: World, known: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A race (the unique constraint, past every check) rolls the registration back; the
    audit row is written after, in a transaction of its own."""
    import cases.services.patients as module

    def collide(*args: Any, **kwargs: Any) -> Any:
        raise Conflict()

    monkeypatch.setattr(module, "save_record", collide)
    response = register(world.other_coordinator, world.other_board)
    assert response.status_code == 409
    assert response.json() == {"errors": {"non_field_errors": [Conflict.DEFAULT]}}
    assert not PatientBoardLink.objects.exists()
    assert not events("link")
    [event] = events("conflict")
    assert (event.patient_id, event.board_id) == (known.pk, world.other_board.pk)
    assert "simultaneous" in event.detail


# --- Who may link, and who sees nothing -------------------------------------------------------


@pytest.mark.parametrize("role", ["other_surgeon", "other_attending", "other_radiologist"])
def test_non_coordinators_cannot_link(world: World, known: Patient, role: str) -> None:
    response = register(world.users[role], world.other_board)
    assert response.status_code == 403
    assert b"Ingrid" not in response.content
    assert not PatientBoardLink.objects.exists()
    assert not events("link") and not events("conflict")


def test_outsider_cannot_link(world: World, known: Patient) -> None:
    response = register(world.outsider, world.other_board)
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["registered_board"][0]
    assert not PatientBoardLink.objects.exists()


def test_a_coordinator_of_another_institution_links_nothing_and_sees_nothing(
    world: World, known: Patient
) -> None:
    elsewhere = Board.objects.create(
        institution=Institution.objects.create(name="Far Away Clinic", code="far"),
        name="Far Board",
    )
    coordinator = make_user("far-coordinator")
    services.membership_grant(
        by=world.admin, board=elsewhere, user=coordinator, role=Role.COORDINATOR
    )
    # MRNs are per institution: the same MRN, name and birth date there is another record.
    response = register(coordinator, elsewhere)
    assert response.status_code == 201, response.content
    theirs = response.json()["id"]
    assert theirs != known.pk
    assert response.json()["institution"] == "Far Away Clinic"
    assert not PatientBoardLink.objects.exists()
    client = client_for(coordinator)
    assert client.get(f"{URL}{known.pk}/").status_code == 404
    assert [row["id"] for row in client.get(URL).json()["results"]] == [theirs]
    found = client.post(f"{URL}lookup/", {"mrn": "K-4711"}, format="json").json()
    assert [row["id"] for row in found] == [theirs]
    assert not permissions.has_perm(coordinator, Perm.VIEW, known)
    # And the world's boards do not see theirs.
    assert client_for(world.coordinator).get(f"{URL}{theirs}/").status_code == 404


# --- Every look-up is audited -----------------------------------------------------------------


def test_a_lookup_that_finds_a_patient_is_audited_with_the_patient(
    world: World, known: Patient
) -> None:
    response = client_for(world.surgeon).post(f"{URL}lookup/", {"mrn": "K-4711"}, format="json")
    assert [row["id"] for row in response.json()] == [known.pk]
    [event] = events("lookup")
    assert (event.patient_id, event.user_id, event.object_id) == (
        known.pk,
        world.surgeon.pk,
        str(known.pk),
    )
    assert event.request_path == f"{URL}lookup/"


@pytest.mark.parametrize("mrn", ["NOBODY-1", "K-4711"])
def test_a_lookup_that_finds_nothing_is_audited_without_a_patient(
    world: World, known: Patient, mrn: str
) -> None:
    """Also when the MRN exists at a board the user cannot see: nothing is revealed."""
    response = client_for(world.other_coordinator).post(f"{URL}lookup/", {"mrn": mrn}, "json")
    assert response.status_code == 200
    assert response.json() == []
    [event] = events("lookup")
    assert (event.patient_id, event.object_id, event.user_id) == (
        None,
        "",
        world.other_coordinator.pk,
    )
    assert mrn not in event.detail  # the searched MRN is not stored


def test_after_the_link_the_lookup_finds_the_patient(world: World, known: Patient) -> None:
    register(world.other_coordinator, world.other_board)
    found = client_for(world.other_surgeon).post(f"{URL}lookup/", {"mrn": "K-4711"}, "json")
    assert [row["id"] for row in found.json()] == [known.pk]


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_link_twice_at_once_is_never_a_500(world: World) -> None:
    from tests.cases.test_concurrency import at_once

    make_patient(
        world,
        mrn="K-4711",
        family_name="van der Berg",
        date_of_birth=dt.date(1951, 4, 2),
    )
    results = at_once(
        lambda: register(world.other_coordinator, world.other_board),
        lambda: register(world.other_coordinator, world.other_board),
    )
    assert sorted(r.status_code for r in results) == [200, 400], [r.content for r in results]
    assert PatientBoardLink.objects.count() == 1
