"""The board's whole week through the API, as its users live it: the coordinator schedules a
meeting and builds the agenda; the sweep reminds the specialists who have not assessed, then
escalates to the coordinator; the packet is built the day before and the members are told;
the attending opens the meeting, records attendance, records and signs the decision (the case
becomes discussed); the letter is read and marked sent; the decision is amended and the
amendment signed. The clock moves with time-machine; nothing sleeps.

Each step's own rules, denials and edge cases are tested in the neighbouring files; this one
checks that the steps fit together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cases import services as case_services
from cases.models import Case, Specialty
from meetings import documents
from meetings import services as meeting_services
from meetings.models import MeetingPacket
from notifications.models import Notification
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

MONDAY = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2027, 3, 9, 7, 30, tzinfo=dt.UTC)  # the Tuesday after next
H = dt.timedelta(hours=1)


def at(when: dt.datetime) -> Any:
    return time_machine.travel(when, tick=False)


def test_a_week_from_schedule_to_amended_decision(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-1.7 the packet")
    with at(MONDAY):
        # Sessions expire when idle: each scene signs in at its own time.
        coordinator = client_for(world.coordinator)
        # The coordinator schedules the meeting and puts a case on its agenda.
        case = make_case(world, status="in_workup")
        response = coordinator.post(
            "/api/v1/meetings/",
            {"board": world.board.pk, "starts_at": START.isoformat(), "chair": world.attending.pk},
            format="json",
        )
        assert response.status_code == 201, response.content
        meeting_id = response.json()["id"]
        response = coordinator.post(
            f"/api/v1/meetings/{meeting_id}/agenda/",
            {"presentation": case.current_presentation_id},
            format="json",
        )
        assert response.status_code == 201, response.content
        item_id = response.json()["id"]
        # Radiology assesses; the other quorum specialties have not.
        case_services.lesion_add(
            by=world.radiologist, case=case, level_from="T4", level_to="T5", **RADIOLOGY_LESION
        )
        radiology = case_services.assessment_create(
            by=world.radiologist,
            case=case,
            specialty=world.specialties[Specialty.RADIOLOGY],
            details={"imaging_findings": "Lytic T4"},
            opinion="Low-grade ESCC.",
        )
        case_services.assessment_change_status(
            by=world.radiologist, assessment=radiology, transition="submit"
        )
        readiness = coordinator.get(f"/api/v1/meetings/{meeting_id}/readiness/").json()
        (row,) = readiness["items"]
        assert not row["ready"]
        assert set(row["missing_specialties"]) >= {"spine_surgery", "medical_oncology"}

    # 72 hours before: each missing specialist is reminded once; radiology is not.
    with at(START - 71 * H):
        meeting_services.reminders_send_due()
        meeting_services.reminders_send_due()  # a second sweep sends nothing more
    reminded = set(
        Notification.objects.filter(kind="meeting_reminder").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"surgeon", "radonc", "medonc"}
    assert Notification.objects.filter(kind="meeting_reminder").count() == 3

    # The packet is built 24 hours before, once, and every member is told.
    with at(START - 23 * H):
        assert meeting_services.packet_build_due() == 1
        assert meeting_services.packet_build_due() == 0
    packet = MeetingPacket.objects.get(meeting_id=meeting_id)
    assert case.patient.display_name in packet.html
    # The board's six members (coordinator, attending, four specialists), once each.
    assert Notification.objects.filter(kind="meeting_packet").count() == 6
    # Half-way from the last reminder the coordinator learns what is still missing.
    with at(START - 11 * H):
        meeting_services.reminders_send_due()
    escalation = Notification.objects.get(kind="meeting_escalation")
    assert escalation.recipient == world.coordinator
    assert f"#{case.pk}" in escalation.body
    assert case.patient.family_name.upper() not in escalation.body.upper()

    with at(START + 5 * dt.timedelta(minutes=1)):
        attending = client_for(world.attending)
        # The attending opens the meeting; the surgeon is absent.
        assert attending.post(f"/api/v1/meetings/{meeting_id}/start/").status_code == 200
        response = attending.post(
            f"/api/v1/meetings/{meeting_id}/attendance/",
            {"user": world.surgeon.pk, "present": False},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["quorate"] is False
        assert response.json()["missing_specialties"] == ["spine_surgery"]
        response = attending.post(
            f"/api/v1/meetings/{meeting_id}/attendance/",
            {"user": world.surgeon.pk, "present": True},
            format="json",
        )
        assert response.json()["quorate"] is True

        # The decision is recorded and signed: numbered, with the scores shown; the case is
        # discussed.
        response = attending.post(
            "/api/v1/decisions/",
            {
                "agenda_item": item_id,
                "intent": "palliative",
                "rationale": "Painful stable lesion: radiotherapy.",
                "follows_noms": True,
                "plan": {"radiotherapy": {"technique": "cebrt", "dose_gy": 8, "fractions": 1}},
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        decision_id = response.json()["id"]
        response = attending.post(f"/api/v1/decisions/{decision_id}/sign/")
        assert response.status_code == 200, response.content
        signed = response.json()
        assert signed["number"] == "2027-0001"
        assert signed["quorate"] is True
        assert any(score["score"] == "sins" for score in signed["scores_shown"])
        assert Case.objects.get(pk=case.pk).status == "discussed"
        assert attending.post(f"/api/v1/meetings/{meeting_id}/close/").status_code == 200

    with at(START + 3 * H):
        coordinator, attending = client_for(world.coordinator), client_for(world.attending)
        # The letter for the referrer, then marked sent.
        response = coordinator.get(f"/api/v1/decisions/{decision_id}/letter/")
        assert response.status_code == 200
        assert "8 Gy" in response.content.decode() or "8.0 Gy" in response.content.decode()
        response = coordinator.post(
            f"/api/v1/decisions/{decision_id}/communicated/",
            {"sent_at": (START + 2 * H).isoformat(), "method": "letter", "recipient": "Dr R"},
            format="json",
        )
        assert response.status_code == 201, response.content

        # A correction: the amendment is a new version with the same number.
        response = attending.post(
            f"/api/v1/decisions/{decision_id}/amend/",
            {
                "reason": "Dose corrected.",
                "plan": {"radiotherapy": {"technique": "cebrt", "dose_gy": 20, "fractions": 5}},
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        amendment_id = response.json()["id"]
        response = attending.post(f"/api/v1/decisions/{amendment_id}/sign/")
        assert response.status_code == 200, response.content
        assert response.json()["number"] == "2027-0001 v2"
        old = attending.get(f"/api/v1/decisions/{decision_id}/").json()
        assert (old["amended_by"], old["is_current"]) == (amendment_id, False)
        assert old["plan"]["radiotherapy"]["dose_gy"] == 8  # the signed version is kept
