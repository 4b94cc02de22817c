"""Pre-meeting packets: what they show, built once per agenda version (idempotent under
retries), rebuilt on demand, due by the board's offset, a fixed number of queries whatever the
agenda's length, the board told through the outbox, read over the API (scoped, audited).
The clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import AuditEvent, Case, Specialty
from meetings import documents, services, tasks
from meetings.models import FastTrack, Meeting, MeetingPacket, PacketStatus
from meetings.services.packets import PACKET_READY, STALE_BUILD, _notify_ready
from notifications.models import Notification
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(days=7)  # the meeting; the board builds its packet 24 h before
DUE = START - dt.timedelta(hours=24)


def meeting(world: World, board: Any = None, starts_at: dt.datetime = START) -> Meeting:
    board = board or world.board
    by = world.coordinator if board == world.board else world.other_coordinator
    return services.meeting_create(by=by, board=board, starts_at=starts_at)


def prepared_case(world: World, *, board: Any = None, lesions: int = 2, **extra: Any) -> Case:
    """A case in work-up with a clinical status, ``lesions`` lesions (scores computed),
    radiology's submitted assessment and spine surgery's draft."""
    board = board or world.board
    other = board != world.board
    u = world.users
    p = "other_" if other else ""
    case = make_case(world, board=board, status="in_workup", **extra)
    case_services.clinical_status_record(
        by=u[p + "coordinator"],
        case=case,
        recorded_on=dt.date(2027, 2, 20),
        karnofsky=80,
        frankel_grade="E",
        ambulatory_status="independent",
    )
    for top, bottom in [("T4", "T5"), ("L1", "L1"), ("C6", "C7")][:lesions]:
        case_services.lesion_add(
            by=u[p + "radiologist"], case=case, level_from=top, level_to=bottom, **RADIOLOGY_LESION
        )
    sp = world.specialties
    radiology = case_services.assessment_create(
        by=u[p + "radiologist"],
        case=case,
        specialty=sp[Specialty.RADIOLOGY],
        details={"imaging_findings": "Lytic T4 with epidural impingement"},
        opinion="Low-grade ESCC at T4.",
    )
    case_services.assessment_change_status(
        by=u[p + "radiologist"], assessment=radiology, transition="submit"
    )
    case_services.assessment_create(
        by=u[p + "surgeon"],
        case=case,
        specialty=sp[Specialty.SPINE_SURGERY],
        details={"stability": "stable"},
        opinion="Still thinking.",
    )
    return Case.objects.get(pk=case.pk)


def on_agenda(world: World, m: Meeting, case: Case) -> None:
    by = world.coordinator if m.board_id == world.board.pk else world.other_coordinator
    services.agenda_item_add(by=by, meeting=m, presentation=case.current_presentation)


def agenda(world: World, cases: int = 1) -> tuple[Meeting, list[Case]]:
    m = meeting(world)
    made = [prepared_case(world) for _ in range(cases)]
    for case in made:
        on_agenda(world, m, case)
    m.refresh_from_db()
    return m, made


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- Content -----------------------------------------------------------------------------------


def test_the_packet_shows_each_case_for_the_board(world: World, clock: Any) -> None:
    m, (first, second) = agenda(world, cases=2)
    FastTrack.objects.create(
        case=first,
        neurological_signs=True,
        suspected_at=dt.datetime(2027, 2, 27, 8, 15, tzinfo=dt.UTC),
        mri_done_at=dt.datetime(2027, 2, 27, 14, 40, tzinfo=dt.UTC),
        opened_by=world.coordinator,
    )
    packet = services.packet_build(meeting=m)
    assert packet is not None
    assert (packet.status, packet.cases, packet.agenda_version, packet.revision) == (
        PacketStatus.READY,
        2,
        m.agenda_version,
        0,
    )
    assert packet.built_at == NOW
    assert bytes(packet.pdf).startswith(b"%PDF")
    html = packet.html
    for case in (first, second):
        assert case.patient.display_name in html
        assert case.patient.mrn in html
    for text in (
        "Radiotherapy or surgery?",  # the question for the board
        "67 years, Female",  # age at the meeting, sex by its label
        "Breast",  # the primary, by its label
        "KPS 80 %",
        "Frankel E",
        "Walks independently" if "Walks independently" in html else "independent",
        "T4–T5",
        "L1",
        "1a — epidural impingement",  # ESCC by its label
        "Bone lesion: Lytic",  # a SINS item by its label
        "SINS — Spine Instability Neoplastic Score",
        "Low-grade ESCC",  # a category's label
        "Vertebral body collapse: &lt; 50% collapse (2)",  # a breakdown, by labels
        "Radiology",  # the assessments side by side
        "Low-grade ESCC at T4.",
        "Findings:</strong> Lytic T4 with epidural impingement",
        "not submitted",  # spine surgery's draft
        "Assessments: Spine surgery, Radiation oncology, Medical oncology",  # still missing
        "needed by",  # the chase list
        "NOMS suggestion",
        "Radiosensitivity (NOMS O)",
        "Fast track (cord compression)",
        "Feb. 27, 2027, 8:15 a.m.",  # suspected (the board's zone: UTC)
        "Feb. 27, 2027, 2:40 p.m.",  # MRI done
    ):
        assert text in html, text
    assert "Still thinking." not in html  # a draft's content is not shown
    for raw in ("lt_50_percent", "sins_bone_lesion", "escc_grade", "radiosensitive,"):
        assert raw not in html, raw
    assert packet.patient_ids == sorted([first.patient_id, second.patient_id])


def test_independent_opinions_withhold_the_opinions_until_the_meeting_starts(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-stub")
    world.board.independent_opinions = True
    world.board.save()
    m, _ = agenda(world)
    html = documents.packet_html(m)[0]
    assert "Low-grade ESCC at T4." not in html  # radiology's submitted opinion
    assert "Independent opinions: shown when the meeting starts." in html
    services.meeting_start(by=world.attending, meeting=m)
    m.refresh_from_db()
    assert "Low-grade ESCC at T4." in documents.packet_html(m)[0]
    world.board.independent_opinions = False
    world.board.save()
    other, _ = agenda(world)
    assert "Low-grade ESCC at T4." in documents.packet_html(other)[0]


# --- Idempotency, agenda versions, rebuilds ----------------------------------------------------


def test_the_scheduled_build_runs_once_per_agenda_version(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    first = services.packet_build(meeting=m)
    assert first is not None
    # A retry, a duplicate delivery, a second worker: nothing more.
    assert services.packet_build(meeting=m) is None
    assert services.packet_build(meeting=m) is None
    assert MeetingPacket.objects.filter(meeting=m).count() == 1
    # The agenda changes: its new version gets a packet of its own.
    on_agenda(world, m, prepared_case(world))
    m.refresh_from_db()
    second = services.packet_build(meeting=m)
    assert second is not None
    assert (second.agenda_version, second.revision, second.cases) == (m.agenda_version, 0, 2)
    assert second.agenda_version > first.agenda_version
    assert MeetingPacket.objects.filter(meeting=m).count() == 2


def test_two_workers_claiming_the_same_build_make_one_row(world: World, clock: Any) -> None:
    """The unique (meeting, agenda version, revision) is the claim: a second claim of revision
    0 is refused by the database, and the loser builds nothing."""
    m, _ = agenda(world)
    MeetingPacket.objects.create(meeting=m, agenda_version=m.agenda_version)  # the winner's row
    assert services.packet_build(meeting=m) is None
    assert MeetingPacket.objects.filter(meeting=m).count() == 1
    assert not Notification.objects.filter(kind=PACKET_READY).exists()


def test_a_coordinator_rebuilds_on_demand_as_the_next_revision(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    scheduled = services.packet_build(meeting=m)
    again = services.packet_build(meeting=m, requested_by=world.coordinator)
    third = services.packet_build(meeting=m, requested_by=world.coordinator)
    assert scheduled is not None and again is not None and third is not None
    assert [p.revision for p in (scheduled, again, third)] == [0, 1, 2]
    assert {p.agenda_version for p in (scheduled, again, third)} == {m.agenda_version}
    assert (again.requested_by, again.status) == (world.coordinator, PacketStatus.READY)
    audit = AuditEvent.objects.get(object_type="meetings.meetingpacket", object_id=str(again.pk))
    assert (audit.action, audit.username) == ("create", "coordinator")
    # A rebuild on demand before any scheduled build starts at revision 0.
    m2, _ = agenda(world)
    first = services.packet_build(meeting=m2, requested_by=world.coordinator)
    assert first is not None and first.revision == 0
    assert services.packet_build(meeting=m2) is None  # the scheduled build: already built


@pytest.mark.parametrize("who", ["attending", "surgeon", "other_coordinator"])
def test_only_the_boards_coordinator_rebuilds(world: World, clock: Any, who: str) -> None:
    from django.core.exceptions import PermissionDenied

    m, _ = agenda(world)
    with pytest.raises(PermissionDenied):
        services.packet_build(meeting=m, requested_by=world.users[who])
    assert not MeetingPacket.objects.exists()


def test_a_rebuild_needs_an_open_meeting_with_an_agenda(world: World, clock: Any) -> None:
    from django.core.exceptions import ValidationError

    empty = meeting(world)
    with pytest.raises(ValidationError) as info:
        services.packet_build(meeting=empty, requested_by=world.coordinator)
    assert "agenda" in info.value.message_dict
    m, _ = agenda(world)
    services.meeting_cancel(by=world.coordinator, meeting=m, reason="Holiday")
    with pytest.raises(ValidationError) as info:
        services.packet_build(meeting=m, requested_by=world.coordinator)
    assert "status" in info.value.message_dict
    assert services.packet_build(meeting=m) is None  # nor the scheduled build
    assert not MeetingPacket.objects.exists()


def test_a_failed_build_is_marked_failed_without_patient_data(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    m, (case,) = agenda(world)
    name = case.patient.family_name

    def broken(html: str) -> bytes:
        raise RuntimeError(f"cannot lay out {name}")

    monkeypatch.setattr(documents, "html_to_pdf", broken)
    packet = services.packet_build(meeting=m)
    assert packet is not None
    assert packet.status == PacketStatus.FAILED
    assert "RuntimeError" in packet.error
    assert name not in packet.error
    assert (packet.html, bytes(packet.pdf), packet.built_at) == ("", b"", None)
    assert not Notification.objects.filter(kind=PACKET_READY).exists()
    response = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/packet/")
    assert response.status_code == 404
    assert "failed" in response.json()["detail"]
    assert name not in response.content.decode()


def test_a_failed_or_abandoned_build_is_retried_by_the_next_sweep(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    m, _ = agenda(world)
    m2, _ = agenda(world)

    def broken(html: str) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(documents, "html_to_pdf", broken)
    failed = services.packet_build(meeting=m)
    assert failed is not None and failed.status == PacketStatus.FAILED
    clock.move_to(START - dt.timedelta(hours=1))  # within the board's packet offset
    assert m.pk in [x.pk for x in services.packets_due()]  # a failure leaves it due
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-ok")
    retried = services.packet_build(meeting=m)
    assert retried is not None
    assert (retried.status, retried.revision) == (PacketStatus.READY, 1)
    assert m.pk not in [x.pk for x in services.packets_due()]
    assert services.packet_build(meeting=m) is None  # built: the next sweep does nothing
    # A build left "building" by a dead worker is taken over once it is stale.
    MeetingPacket.objects.create(meeting=m2, agenda_version=m2.agenda_version)
    assert services.packet_build(meeting=m2) is None  # a live worker may still be on it
    MeetingPacket.objects.filter(meeting=m2).update(
        created_at=START - STALE_BUILD - dt.timedelta(hours=2)
    )
    taken_over = services.packet_build(meeting=m2)
    assert taken_over is not None
    assert (taken_over.status, taken_over.revision) == (PacketStatus.READY, 1)


# --- What is due -------------------------------------------------------------------------------


def test_packets_are_due_the_boards_offset_before_the_start(world: World) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        m, _ = agenda(world)
        empty = meeting(world, starts_at=START + dt.timedelta(hours=1))
        cancelled, _ = agenda(world)
        services.meeting_cancel(by=world.coordinator, meeting=cancelled, reason="Holiday")
        assert services.packets_due() == []
        traveller.move_to(DUE - dt.timedelta(minutes=1))
        assert services.packets_due() == []
        traveller.move_to(DUE)
        assert services.packets_due() == [m]  # not the empty agenda, not the cancelled one
        assert empty not in services.packets_due(DUE + dt.timedelta(hours=1))
        assert services.packet_build_due() == 1
        assert services.packets_due() == []
        assert services.packet_build_due() == 0  # run again: nothing
        # The agenda changes after the packet was built (after the cut-off: an urgent case):
        # due again, for the new version.
        on_agenda(world, m, prepared_case(world, urgency="urgent"))
        m.refresh_from_db()
        assert services.packets_due() == [m]
        assert services.packet_build_due() == 1
        versions = list(
            MeetingPacket.objects.filter(meeting=m).values_list("agenda_version", "revision")
        )
        assert sorted(versions) == [(m.agenda_version - 1, 0), (m.agenda_version, 0)]
        # Once the meeting is over nothing is due, whatever changes.
        traveller.move_to(m.ends_at)
        MeetingPacket.objects.filter(meeting=m).delete()
        assert services.packets_due() == []


def test_the_boards_own_offset_counts(world: World) -> None:
    world.board.packet_offset_hours = 48
    world.board.save(update_fields=["packet_offset_hours"])
    with time_machine.travel(NOW, tick=False):
        m, _ = agenda(world)
    assert services.packets_due(START - dt.timedelta(hours=49)) == []
    assert services.packets_due(START - dt.timedelta(hours=48)) == [m]


# --- A fixed number of queries -----------------------------------------------------------------


def _grow(world: World, m: Meeting, cases: int) -> None:
    for i in range(cases):
        case = prepared_case(world, lesions=3, urgency=["routine", "urgent"][i % 2])
        on_agenda(world, m, case)
        if i % 5 == 0:
            FastTrack.objects.create(
                case=case, neurological_signs=False, suspected_at=NOW, opened_by=world.coordinator
            )
    m.refresh_from_db()


def test_the_packet_costs_the_same_queries_for_1_and_40_items(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """packet_context: the agenda's items (presentation, case, patient, board, fast track,
    presenter and pathway joined); the cases' lesions, clinical statuses and current scores
    (their lesions joined); the presentations' assessments (specialty and author joined); the
    board's expected specialties; the specialties' names: 7.

    packet_build adds 17: the meeting (board and chair joined); the claim (a savepoint, the
    meeting's row lock and reload, whether a ready or live packet of the version exists, the
    last revision, the INSERT in a nested savepoint, both released); the
    meeting reloaded for the version claimed; then, in a savepoint, the packet's UPDATE to
    ready and the outbox (the recipients, the rows that exist already, the INSERT): 24."""
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-stub")
    small = meeting(world)
    _grow(world, small, 1)
    large = meeting(world, starts_at=START + dt.timedelta(days=1))
    _grow(world, large, 40)
    counts = {}
    for name, m in (("1", small), ("40", large)):
        m = Meeting.objects.select_related("board", "chair").get(pk=m.pk)
        with CaptureQueriesContext(connection) as context:
            built = documents.packet_context(m)
        assert len(built["entries"]) == int(name)
        counts[f"context {name}"] = len(context.captured_queries)
        with CaptureQueriesContext(connection) as build:
            packet = services.packet_build(meeting=m)
        assert packet is not None and packet.cases == int(name)
        counts[f"build {name}"] = len(build.captured_queries)
    sql = "\n".join(f"{n}. {q['sql'][:150]}" for n, q in enumerate(build.captured_queries, 1))
    assert counts == {"context 1": 7, "context 40": 7, "build 1": 24, "build 40": 24}, (
        counts,
        sql,
    )


# --- The board is told -------------------------------------------------------------------------


def test_the_boards_members_are_told_without_patient_data(world: World, clock: Any) -> None:
    m, (case,) = agenda(world)
    packet = services.packet_build(meeting=m)
    assert packet is not None
    rows = Notification.objects.filter(kind=PACKET_READY, dedupe_key=f"packet:{packet.pk}")
    members = {"coordinator", "attending", "surgeon", "radiologist", "radonc", "medonc"}
    assert {row.recipient.username for row in rows} == members  # not the other board
    patient = case.patient
    for row in rows:
        assert row.board_id == world.board.pk
        assert row.url == f"/api/v1/meetings/{m.pk}/packet/?format=pdf"
        assert "Spine Board" in row.subject and "2027-03-08" in row.subject
        for secret in (patient.family_name, patient.mrn, case.clinical_question):
            assert secret.lower() not in (row.subject + row.body).lower()
    # Telling again (a retried transaction) writes nothing; a rebuild is a new packet, told once.
    with transaction.atomic():
        assert _notify_ready(packet, m) == 0
    rebuilt = services.packet_build(meeting=m, requested_by=world.coordinator)
    assert rebuilt is not None
    assert Notification.objects.filter(kind=PACKET_READY).count() == 2 * len(members)


# --- The API -----------------------------------------------------------------------------------


def test_no_packet_yet_is_a_clear_404(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    response = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/packet/")
    assert response.status_code == 404
    assert "No packet has been built for this meeting yet" in response.json()["detail"]
    response = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/packet/?format=pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_members_read_the_packet_and_each_patient_is_audited(world: World, clock: Any) -> None:
    m, made = agenda(world, cases=2)
    packet = services.packet_build(meeting=m)
    assert packet is not None
    client = client_for(world.surgeon)
    url = f"/api/v1/meetings/{m.pk}/packet/"
    meta = client.get(url)
    assert meta.status_code == 200
    body = meta.json()
    assert (body["id"], body["status"], body["cases"], body["current"]) == (
        packet.pk,
        "ready",
        2,
        True,
    )
    assert body["html_url"] == f"{url}?format=html"
    assert body["pdf_url"] == f"{url}?format=pdf"
    assert body["newer_attempt"] is None
    assert not AuditEvent.objects.filter(action="view").exists()  # metadata names no patient

    html = client.get(url, {"format": "html"})
    assert html.status_code == 200
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Cache-Control"] == "no-store"
    assert made[0].patient.display_name in html.content.decode()
    events = AuditEvent.objects.filter(
        object_type="meetings.meetingpacket", object_id=str(packet.pk), action="view"
    )
    assert sorted(e.patient_id for e in events) == sorted(c.patient_id for c in made)
    assert {e.board_id for e in events} == {world.board.pk}

    pdf = client.get(url, {"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    name = f"meeting-{m.pk}-packet-v{packet.agenda_version}.0.pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{name}"'
    assert events.all().count() == 4  # a fresh query: two more rows

    # The agenda changed since: the packet shown is no longer current.
    on_agenda(world, m, prepared_case(world))
    assert client.get(url).json()["current"] is False


def test_the_latest_ready_packet_is_shown_with_a_newer_failed_attempt(
    world: World, clock: Any
) -> None:
    m, _ = agenda(world)
    ready = services.packet_build(meeting=m)
    assert ready is not None
    failed = MeetingPacket.objects.create(
        meeting=m, agenda_version=m.agenda_version, revision=1, status="failed", error="Boom"
    )
    body = client_for(world.attending).get(f"/api/v1/meetings/{m.pk}/packet/").json()
    assert body["id"] == ready.pk
    assert body["newer_attempt"]["id"] == failed.pk
    assert body["newer_attempt"]["status"] == "failed"
    assert body["newer_attempt"]["html_url"] is None


def test_a_coordinator_rebuilds_through_the_api(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    services.packet_build(meeting=m)
    response = client_for(world.coordinator).post(f"/api/v1/meetings/{m.pk}/packet/")
    assert response.status_code == 201
    body = response.json()
    assert (body["revision"], body["status"], body["requested_by"]) == (
        1,
        "ready",
        world.coordinator.pk,
    )
    assert (
        client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/packet/").json()["id"]
        == (body["id"])
    )


@pytest.mark.parametrize("who", ["attending", "surgeon", "radiologist"])
def test_members_who_are_not_coordinators_cannot_rebuild(
    world: World, clock: Any, who: str
) -> None:
    m, _ = agenda(world)
    response = client_for(world.users[who]).post(f"/api/v1/meetings/{m.pk}/packet/")
    assert response.status_code == 403
    assert not MeetingPacket.objects.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "other_surgeon", "outsider"])
def test_users_outside_the_board_see_no_packet(world: World, clock: Any, who: str) -> None:
    m, (case,) = agenda(world)
    services.packet_build(meeting=m)
    client = client_for(world.users[who])
    url = f"/api/v1/meetings/{m.pk}/packet/"
    for response in (client.get(url), client.get(url, {"format": "html"}), client.post(url)):
        assert response.status_code == 404
        assert case.patient.family_name not in response.content.decode()
    assert MeetingPacket.objects.count() == 1
    assert not AuditEvent.objects.filter(object_type="meetings.meetingpacket").exists()


def test_an_unknown_format_is_a_400_naming_it(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    services.packet_build(meeting=m)
    response = client_for(world.surgeon).get(f"/api/v1/meetings/{m.pk}/packet/?format=docx")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_an_anonymous_request_is_refused(world: World, clock: Any) -> None:
    m, _ = agenda(world)
    services.packet_build(meeting=m)
    response = client_for(None).get(f"/api/v1/meetings/{m.pk}/packet/?format=html")
    assert response.status_code in (401, 403)


# --- Tasks -------------------------------------------------------------------------------------


def test_the_tasks_build_what_is_due_once(world: World, eager: None) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        m, _ = agenda(world)
        traveller.move_to(DUE)
        assert tasks.build_due_packets.delay().get() == 1
        assert tasks.build_due_packets.delay().get() == 0  # delivered twice: nothing more
        assert tasks.build_packet.delay(m.pk).get() is None  # the scheduled build exists
        rebuilt = tasks.build_packet.delay(m.pk, world.coordinator.pk).get()
        assert MeetingPacket.objects.get(pk=rebuilt).revision == 1
        assert tasks.build_packet.delay(999999).get() is None
    assert MeetingPacket.objects.filter(meeting=m).count() == 2
