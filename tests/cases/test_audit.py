"""The audit log: every read and write of patient data, in the same transaction, append-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from cases import selectors, services
from cases.models import AuditEvent, Case, CaseStatus, CaseStatusChange, Specialty, SpinalLesion
from tests.conftest import World, client_for, make_case, make_patient


def events_for(patient_id: int, **filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(patient_id=patient_id, **filters))


# --- Reads ----------------------------------------------------------------------------------


def test_reading_a_case_through_the_api_is_audited(world: World) -> None:
    case = make_case(world)
    url = f"/api/v1/cases/{case.pk}/"
    before = AuditEvent.objects.count()
    response = client_for(world.surgeon).get(
        url, REMOTE_ADDR="10.20.30.40", HTTP_USER_AGENT="pytest-browser"
    )
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="view")
    assert event.user_id == world.surgeon.pk
    assert event.username == "surgeon"
    assert event.patient_id == case.patient_id
    assert event.board_id == world.board.pk
    assert event.object_type == "cases.case"
    assert event.object_id == str(case.pk)
    assert event.ip_address == "10.20.30.40"
    assert event.request_path == url
    assert event.user_agent == "pytest-browser"


def test_listing_cases_writes_one_row_per_case(world: World) -> None:
    cases = [make_case(world) for _ in range(3)]
    make_case(world, board=world.other_board)  # not shown to the surgeon, so not audited
    response = client_for(world.surgeon).get("/api/v1/cases/")
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(action="list")
    assert rows.count() == 3
    assert {e.patient_id for e in rows} == {c.patient_id for c in cases}
    assert {e.object_id for e in rows} == {str(c.pk) for c in cases}
    assert {e.user_id for e in rows} == {world.surgeon.pk}
    assert {e.request_path for e in rows} == {"/api/v1/cases/"}


def test_the_case_page_is_audited(world: World) -> None:
    case = make_case(world)
    response = client_for(world.attending).get(f"/cases/{case.pk}/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    [event] = events_for(case.patient_id, action="view")
    assert event.user_id == world.attending.pk
    assert event.object_type == "cases.case"
    assert event.ip_address == "10.9.8.7"
    assert event.request_path == f"/cases/{case.pk}/"


def test_other_coordinator_cannot_read_the_case_and_leaves_no_read_row(world: World) -> None:
    case = make_case(world)
    before = AuditEvent.objects.filter(patient_id=case.patient_id).count()
    client = client_for(world.other_coordinator)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert AuditEvent.objects.filter(patient_id=case.patient_id).count() == before
    assert not AuditEvent.objects.filter(user_id=world.other_coordinator.pk).exists()


# --- Writes ---------------------------------------------------------------------------------


def test_registering_a_patient_is_audited(world: World) -> None:
    patient = make_patient(world, mrn="AUD-1")
    [event] = events_for(patient.pk)
    assert event.action == "create"
    assert event.object_type == "cases.patient"
    assert event.object_id == str(patient.pk)
    assert event.user_id == world.coordinator.pk
    assert event.board_id == world.board.pk
    assert event.changed_fields == ["date_of_birth", "family_name", "given_name", "mrn", "sex"]
    # Outside a request there are no request facts.
    assert event.ip_address is None
    assert event.request_path == ""


def test_referring_and_moving_a_case_are_audited(world: World) -> None:
    patient = make_patient(world)
    case = services.case_refer(
        by=world.coordinator,
        patient=patient,
        board=world.board,
        referring_physician="Dr. X",
        clinical_question="Surgery?",
        primary_tumor="lung",
    )
    created = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert created.action == "create"
    assert created.patient_id == patient.pk
    assert created.changed_fields == ["clinical_question", "primary_tumor", "referring_physician"]

    services.case_transition(by=world.coordinator, case=case, transition="accept")
    moved = AuditEvent.objects.get(
        object_type="cases.case", object_id=str(case.pk), action="transition"
    )
    assert moved.user_id == world.coordinator.pk
    assert moved.changed_fields == ["status"]
    assert moved.detail == "accept: referred -> in_workup"


def test_creating_an_assessment_is_audited(world: World) -> None:
    case = make_case(world, status="in_workup")
    assessment = services.assessment_create(
        by=world.radonc,
        case=case,
        specialty=world.specialties[Specialty.RADIATION_ONCOLOGY],
        details={"proposed_technique": "sbrt"},
    )
    event = AuditEvent.objects.get(
        object_type="cases.specialtyassessment", object_id=str(assessment.pk)
    )
    assert event.action == "create"
    assert event.user_id == world.radonc.pk
    assert event.patient_id == case.patient_id
    assert event.board_id == world.board.pk
    assert event.detail == Specialty.RADIATION_ONCOLOGY


def test_updating_a_case_records_the_changed_fields(world: World) -> None:
    case = make_case(world)
    services.case_update(by=world.coordinator, case=case, comorbidities="COPD", urgency="routine")
    event = AuditEvent.objects.get(object_id=str(case.pk), action="update")
    assert event.changed_fields == ["comorbidities"]  # urgency was routine already


# --- Same transaction -------------------------------------------------------------------------


def test_a_refused_transition_leaves_no_change_and_no_audit_row(world: World) -> None:
    case = make_case(world)
    audit_before = AuditEvent.objects.count()
    changes_before = CaseStatusChange.objects.count()
    with pytest.raises(ValidationError):
        services.case_transition(by=world.coordinator, case=case, transition="close")
    assert AuditEvent.objects.count() == audit_before
    assert CaseStatusChange.objects.count() == changes_before
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED


def test_an_invalid_lesion_leaves_no_row_and_no_audit_row(world: World) -> None:
    case = make_case(world)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.lesion_add(by=world.radiologist, case=case, level_from="L2", level_to="T4")
    assert "level_to" in excinfo.value.message_dict
    assert not SpinalLesion.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_the_audit_row_is_rolled_back_with_the_change(world: World) -> None:
    """The audit row is written on the service's connection, inside its transaction: undo the
    enclosing transaction and both disappear (nothing is written on the side)."""
    case = make_case(world)
    audit_before = AuditEvent.objects.count()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.case_update(by=world.coordinator, case=case, comorbidities="rolled back")
        assert AuditEvent.objects.count() == audit_before + 1
        raise Undo
    assert AuditEvent.objects.count() == audit_before
    assert Case.objects.get(pk=case.pk).comorbidities == ""


# --- Append-only ------------------------------------------------------------------------------


@pytest.fixture
def event(world: World) -> AuditEvent:
    case = make_case(world)
    return AuditEvent.objects.filter(object_id=str(case.pk)).latest("id")


def test_an_audit_row_cannot_be_saved_again(event: AuditEvent) -> None:
    event.username = "forged"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).username == "coordinator"


def test_an_audit_row_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_rows_cannot_be_updated_or_deleted_in_bulk(event: AuditEvent) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(username="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(username="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.username = "forged"
    # bulk_update opens an atomic block without a savepoint: give it one, so that its refusal
    # does not break the test's transaction.
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["username"])
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(username="forged").exists()


def test_a_new_instance_cannot_overwrite_an_existing_audit_row(event: AuditEvent) -> None:
    """An unsaved instance that reuses an existing id must not turn into an UPDATE."""
    forged = AuditEvent(
        pk=event.pk,
        at=event.at,
        username="forged",
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        patient_id=event.patient_id,
    )
    with pytest.raises((PermissionError, DatabaseError)), transaction.atomic():
        forged.save()
    assert AuditEvent.objects.get(pk=event.pk).username == "coordinator"


def test_the_database_refuses_raw_updates_and_deletes_on_postgresql(event: AuditEvent) -> None:
    table = AuditEvent._meta.db_table
    if connection.vendor == "postgresql":
        # Migration 0003's trigger: not even raw SQL rewrites the log.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET username = 'x'")  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    else:
        # SQLite has no trigger (migration 0003 is PostgreSQL-only): the ORM refusals are the
        # guard there.
        with pytest.raises(PermissionError):
            AuditEvent.objects.update(username="x")
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.username == "coordinator"


# --- Admin and selector -------------------------------------------------------------------


def test_superuser_sees_the_audit_log_in_the_admin(event: AuditEvent, world: World) -> None:
    client = client_for(world.admin)
    response = client.get("/admin/cases/auditevent/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == AuditEvent.objects.count()


def test_superuser_cannot_add_audit_rows_in_the_admin(world: World) -> None:
    client = client_for(world.admin)
    assert client.get("/admin/cases/auditevent/add/").status_code == 403
    count = AuditEvent.objects.count()
    response = client.post("/admin/cases/auditevent/add/", {"username": "forged"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == count


def test_coordinator_cannot_open_the_audit_log_in_the_admin(world: World) -> None:
    response = client_for(world.coordinator).get("/admin/cases/auditevent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_audit_events_for_patient_returns_only_that_patients_events(world: World) -> None:
    mine = make_case(world)
    other = make_case(world)
    client_for(world.surgeon).get(f"/api/v1/cases/{mine.pk}/")
    services.clinical_status_record(
        by=world.coordinator, case=mine, recorded_on=dt.date(2025, 1, 1), karnofsky=80
    )
    events = list(selectors.audit_events_for_patient(mine.patient))
    assert {e.patient_id for e in events} == {mine.patient_id}
    # Registration, referral, the read and the clinical status.
    assert {(e.object_type, e.action) for e in events} == {
        ("cases.patient", "create"),
        ("cases.case", "create"),
        ("cases.case", "view"),
        ("cases.clinicalstatus", "create"),
    }
    assert len(events) == 4
    assert AuditEvent.objects.filter(patient_id=other.patient_id).exists()
