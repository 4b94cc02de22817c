"""Each board says which specialties are expected to assess its cases (not only the quorum):
they are asked for their assessment, counted as missing until they submit, and shown on the
boards API. The test world's boards expect exactly their quorum; here a board expects pain
management too.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from cases import services
from cases.models import Role, Specialty
from notifications.models import Notification
from tests.conftest import World, client_for, make_case, make_user
from tests.migrating import latest, migrate

QUORUM = ["spine_surgery", "radiation_oncology", "medical_oncology", "radiology"]


@pytest.fixture
def pain(world: World) -> Any:
    """A pain specialist on the world's board, which now expects pain management too."""
    user = make_user("pain")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=user,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.PAIN_MANAGEMENT],
    )
    world.board.expected_specialties.add(world.specialties[Specialty.PAIN_MANAGEMENT])
    return user


def requested(case: Any) -> set[str]:
    case.refresh_from_db()
    rows = Notification.objects.filter(
        kind="assessment_request", dedupe_key=f"presentation:{case.current_presentation_id}"
    )
    return set(rows.values_list("recipient__username", flat=True))


def test_the_boards_api_shows_the_expected_specialties(world: World, pain: Any) -> None:
    boards = client_for(world.coordinator).get("/api/v1/boards/").json()["results"]
    assert boards[0]["quorum_specialties"] == QUORUM
    assert boards[0]["expected_specialties"] == [*QUORUM, "pain_management"]
    other = client_for(world.other_coordinator).get("/api/v1/boards/").json()["results"]
    assert other[0]["expected_specialties"] == QUORUM


def test_an_expected_specialty_is_asked_and_missing_until_it_submits(
    world: World, pain: Any
) -> None:
    case = make_case(world, status="in_workup")
    assert requested(case) == {"surgeon", "radonc", "medonc", "radiologist", "pain"}
    client = client_for(world.coordinator)
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["missing_specialties"] == [*QUORUM, "pain_management"]
    listed = client.get("/api/v1/cases/", {"missing_specialty": "pain_management"}).json()
    assert [row["id"] for row in listed["results"]] == [case.pk]

    assessment = services.assessment_create(
        by=pain,
        case=case,
        specialty=world.specialties[Specialty.PAIN_MANAGEMENT],
        details={"pain_score_nrs": 7},
        opinion="Optimise opioids before any procedure.",
    )
    services.assessment_change_status(by=pain, assessment=assessment, transition="submit")
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["missing_specialties"] == QUORUM
    listed = client.get("/api/v1/cases/", {"missing_specialty": "pain_management"}).json()
    assert listed["count"] == 0


def test_a_specialty_the_board_does_not_expect_is_neither_asked_nor_missing(
    world: World,
) -> None:
    palliative = make_user("palliative")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=palliative,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.PALLIATIVE_CARE],
    )
    case = make_case(world, status="in_workup")
    assert "palliative" not in requested(case)
    client = client_for(world.coordinator)
    assert (
        "palliative_care"
        not in client.get(f"/api/v1/cases/{case.pk}/").json()["missing_specialties"]
    )
    listed = client.get("/api/v1/cases/", {"missing_specialty": "palliative_care"}).json()
    assert listed["count"] == 0


def test_expectations_are_per_board(world: World, pain: Any) -> None:
    """The other board expects no pain assessment: its cases do not miss one."""
    other_case = make_case(world, board=world.other_board, status="in_workup")
    client = client_for(world.other_coordinator)
    assert client.get(f"/api/v1/cases/{other_case.pk}/").json()["missing_specialties"] == QUORUM
    listed = client.get("/api/v1/cases/", {"missing_specialty": "pain_management"}).json()
    assert listed["count"] == 0


def test_the_case_page_awaits_the_expected_specialties(world: World, pain: Any) -> None:
    case = make_case(world, status="in_workup")
    html = client_for(world.attending).get(f"/cases/{case.pk}/").content.decode()
    assert "awaiting Pain management" in html
    assert html.count("awaiting ") == 5


# --- The data migration -------------------------------------------------------------------------

BEFORE = [("cases", "0010_outbox_replaces_email_log")]
AFTER = [("cases", "0011_board_expected_specialties")]


@pytest.mark.django_db(transaction=True)
def test_existing_boards_expect_their_quorum_and_their_members_specialties() -> None:
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Institution = old.get_model("cases", "Institution")
    Board = old.get_model("cases", "Board")
    Membership = old.get_model("cases", "Membership")
    Specialty = old.get_model("cases", "Specialty")
    # A transactional test's flush removes the data migration's rows: recreate them.
    importlib.import_module("cases.migrations.0002_specialties").create(old, None)
    codes = {s.code: s for s in Specialty.objects.all()}
    institution = Institution.objects.create(name="H", code="h")
    full = Board.objects.create(institution=institution, name="Full")
    full.quorum_specialties.set([codes["spine_surgery"], codes["radiology"]])
    for username, code in [("pain", "pain_management"), ("surgeon", "spine_surgery")]:
        Membership.objects.create(
            board=full,
            user=User.objects.create(username=username),
            role="specialist",
            specialty=codes[code],
        )
    Membership.objects.create(
        board=full, user=User.objects.create(username="coord"), role="coordinator"
    )
    bare = Board.objects.create(institution=institution, name="Bare")
    bare.quorum_specialties.set([codes["medical_oncology"]])

    new = migrate(AFTER)
    Board = new.get_model("cases", "Board")

    def expected(board: Any) -> set[str]:
        return set(
            Board.objects.get(pk=board.pk).expected_specialties.values_list("code", flat=True)
        )

    assert expected(full) == {"spine_surgery", "radiology", "pain_management"}
    assert expected(bare) == {"medical_oncology"}
    migrate(latest())


# --- Staff set them in the admin --------------------------------------------------------------


def test_the_admin_refuses_a_quorum_specialty_that_is_not_expected(world: World, rf: Any) -> None:
    from django.contrib import admin

    from cases.models import Board

    request = rf.get("/admin/")
    request.user = world.admin
    form_class = admin.site._registry[Board].get_form(request, world.board)
    data = {
        "institution": world.institution.pk,
        "name": world.board.name,
        "default_meeting_duration_minutes": 60,
        "stale_input_days": 30,
        "submission_cutoff_hours": 48,
        "reminder_offsets_hours": "[72, 24]",
        "packet_offset_hours": 24,
        "timezone": "UTC",
        "is_active": True,
        "quorum_specialties": [world.specialties[c].pk for c in QUORUM],
        "expected_specialties": [world.specialties[c].pk for c in QUORUM[:3]],
    }
    refused = form_class(data=data, instance=world.board)
    assert not refused.is_valid()
    assert "add Radiology" in refused.errors["expected_specialties"][0]
    data["expected_specialties"] = [
        world.specialties[c].pk for c in [*QUORUM, Specialty.PALLIATIVE_CARE]
    ]
    accepted = form_class(data=data, instance=world.board)
    assert accepted.is_valid(), accepted.errors
