"""The demo seed: every role, two boards, cases; idempotent; refused without DEBUG."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cases.models import AuditEvent, Board, Case, Membership, Patient, Role, Specialty
from meetings.models import AgendaItem, Decision, FastTrack, Meeting, MeetingSeries
from tests.conftest import client_for, ensure_specialties


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "boards": Board.objects.count(),
        "cases": Case.objects.count(),
        "patients": Patient.objects.count(),
        "memberships": Membership.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "case versions": Case.history.count(),
        "decisions": Decision.objects.count(),
        "agenda items": AgendaItem.objects.count(),
        "fast tracks": FastTrack.objects.count(),
    }


@pytest.fixture
def seeded(db: Any) -> None:
    ensure_specialties()
    seed()


def test_seed_creates_every_role_on_two_boards(seeded: None) -> None:
    assert Board.objects.count() == 2
    main = Board.objects.get(name="Spine Metastasis Board")
    other = Board.objects.get(name="Regional Spine Board")
    roles = set(Membership.objects.filter(board=main).values_list("role", flat=True))
    assert roles == {Role.COORDINATOR, Role.ATTENDING, Role.SPECIALIST}
    specialties = set(
        Membership.objects.filter(board=main, role=Role.SPECIALIST).values_list(
            "specialty__code", flat=True
        )
    )
    assert specialties == set(Specialty.objects.values_list("code", flat=True))
    assert len(specialties) == 7
    [other_member] = Membership.objects.filter(board=other)
    assert (other_member.user.username, other_member.role) == ("other-coordinator", "coordinator")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert Case.objects.filter(board=main).count() == 5
    assert Case.objects.filter(board=other).count() == 1
    # Seeded through the services: memberships carry their guardian permissions.
    coordinator = get_user_model().objects.get(username="coordinator")
    assert coordinator.has_perm("cases.manage_cases", main)
    assert not coordinator.has_perm("cases.manage_cases", other)


def test_seeded_users_can_log_in_with_the_demo_password(seeded: None) -> None:
    from web.management.commands.seed_demo import DEMO_PASSWORD

    user = get_user_model().objects.get(username="surgeon")
    assert user.check_password(DEMO_PASSWORD)


def test_seeding_twice_creates_nothing_new(seeded: None) -> None:
    first = counts()
    output = seed()
    assert counts() == first
    assert "(created)" not in output


def test_seed_creates_the_main_boards_weekly_series(seeded: None) -> None:
    series = MeetingSeries.objects.get()
    assert (series.board.name, series.rrule, series.start_time) == (
        "Spine Metastasis Board",
        "FREQ=WEEKLY;BYDAY=TU",
        dt.time(7, 30),
    )
    upcoming = Meeting.objects.filter(series=series).count()
    assert upcoming >= 8
    seed()
    assert MeetingSeries.objects.count() == 1
    assert Meeting.objects.filter(series=series).count() == upcoming


def test_seed_refuses_without_debug(db: Any, settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
    assert not Case.objects.exists()


def test_seeded_other_coordinator_cannot_see_the_main_boards_cases(seeded: None) -> None:
    user = get_user_model().objects.get(username="other-coordinator")
    response = client_for(user).get("/api/v1/cases/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [case] = body["results"]
    assert case["board_name"] == "Regional Spine Board"


def test_seeded_coordinator_sees_the_five_cases_of_the_main_board(seeded: None) -> None:
    user = get_user_model().objects.get(username="coordinator")
    response = client_for(user).get("/api/v1/cases/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert {c["board_name"] for c in body["results"]} == {"Spine Metastasis Board"}


def test_seeded_main_board_expects_every_specialty_and_its_ready_case_has_them_all(
    seeded: None,
) -> None:
    main = Board.objects.get(name="Spine Metastasis Board")
    other = Board.objects.get(name="Regional Spine Board")
    assert main.expected_specialties.count() == 7
    assert set(other.expected_specialties.all()) == set(other.quorum_specialties.all())
    user = get_user_model().objects.get(username="coordinator")
    rows = client_for(user).get("/api/v1/cases/").json()["results"]
    missing = {row["status"]: row["missing_specialties"] for row in rows}
    assert missing["ready"] == []
    assert "pain_management" in missing["in_workup"]


def test_seeded_week_past_meeting_next_agenda_and_a_fast_track(seeded: None) -> None:
    main = Board.objects.get(name="Spine Metastasis Board")
    past = Meeting.objects.get(board=main, status="closed")
    numbers = sorted(d.number for d in Decision.objects.filter(board=main))
    year = past.starts_at.year
    assert numbers == [f"{year}-0001", f"{year}-0002", f"{year}-0002 v2"]
    assert all(d.is_signed for d in Decision.objects.all())
    assert Decision.objects.filter(communication__isnull=False).count() == 1
    assert set(Case.objects.filter(decisions__isnull=False).values_list("status", flat=True)) == {
        "discussed"
    }
    upcoming = AgendaItem.objects.filter(meeting__status="scheduled").order_by("position")
    assert [(i.presentation.case.patient.family_name, i.kind) for i in upcoming] == [
        ("Lindqvist", "full"),
        ("Nguyen", "ratification"),
    ]
    assert upcoming[1].pathway is not None
    track = FastTrack.objects.get()
    assert (track.case.patient.family_name, track.plan_agreed_at) == ("Okafor", None)
    assert track.mri_reported_at is not None
    user = get_user_model().objects.get(username="coordinator")
    queue = client_for(user).get("/api/v1/fast-tracks/queue/").json()
    assert [row["id"] for row in queue["results"]] == [track.pk]
    letter = client_for(user).get(f"/api/v1/decisions/{Decision.objects.first().pk}/letter/")
    assert letter.status_code == 200
