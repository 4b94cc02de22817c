"""Decisions: the whole path through the API (draft, edit, sign, the case discussed, amend, sign
the amendment, communicate), numbering per board and year, quorum and ratification, the fast
track, immutability (model and database), denials, bad input, and fixed query counts.
Real services throughout; the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import AuditEvent, Case, CaseStatusChange, Specialty
from cases.selectors import current_scores
from meetings import selectors, services
from meetings.models import (
    AgendaItem,
    AgendaKind,
    Decision,
    DecisionAction,
    DecisionKind,
    FastTrack,
    Meeting,
    SignedImmutable,
    StandardPathway,
)
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)  # a Monday
API = "/api/v1/decisions/"


def coordinator_of(world: World, board: Any) -> Any:
    return world.coordinator if board == world.board else world.other_coordinator


def attending_of(world: World, board: Any) -> Any:
    return world.attending if board == world.board else world.other_attending


def meeting_with(
    world: World, cases: list[Case], *, board: Any = None, days: float = 0, start: bool = True
) -> tuple[Meeting, list[AgendaItem]]:
    """A meeting of ``board`` starting ``days`` from now (plus an hour), with ``cases`` on its
    agenda, started by the board's attending unless ``start`` is False."""
    board = board or world.board
    m = services.meeting_create(
        by=coordinator_of(world, board),
        board=board,
        starts_at=dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=days, hours=1),
    )
    items = [
        services.agenda_item_add(
            by=coordinator_of(world, board),
            meeting=m,
            presentation=case.current_presentation,
            late_reason="Added for the test",
        )
        for case in cases
    ]
    if start:
        services.meeting_start(by=attending_of(world, board), meeting=m)
    return m, items


def complete(world: World, **extra: Any) -> dict[str, Any]:
    """The fields of a complete draft, as the service takes them."""
    return {
        "intent": "palliative",
        "plan": {"radiotherapy": {"technique": "sbrt", "dose_gy": 24, "fractions": 2}},
        "rationale": "Stable spine, radioresistant histology: SBRT.",
        "follows_noms": True,
        **extra,
    }


def payload(world: World, **extra: Any) -> dict[str, Any]:
    """A complete draft as the API takes it, with a dissent and two actions."""
    return {
        **complete(world),
        "plan": {
            "radiotherapy": {
                "technique": "sbrt",
                "dose_gy": 24,
                "fractions": 2,
                "target_levels": ["T4"],
            },
            "follow_up_imaging_weeks": 12,
        },
        "dissent": [{"author": world.surgeon.pk, "opinion": "Would stabilise first."}],
        "patient_preferences": "Wants to stay at home.",
        "actions": [
            {
                "kind": "radiotherapy",
                "description": "Plan SBRT to T4",
                "owner": world.radonc.pk,
                "due_on": "2027-03-08",
            },
            {
                "kind": "referral",
                "description": "Tell the GP",
                "owner_text": "The GP",
                "due_on": "2027-03-03",
            },
        ],
        **extra,
    }


def signed(world: World, case: Case, item: AgendaItem, **extra: Any) -> Decision:
    decision = services.decision_create(
        by=world.attending, agenda_item=item, **complete(world, **extra)
    )
    return services.decision_sign(by=world.attending, decision=decision)


def fast_track(world: World, board: Any = None) -> Case:
    board = board or world.board
    case = make_case(world, board=board, status="in_workup", urgency="emergency")
    FastTrack.objects.create(
        case=case,
        neurological_signs=True,
        suspected_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=3),
        opened_by=coordinator_of(world, board),
    )
    return case


def signed_fast_track(world: World, board: Any = None) -> Decision:
    board = board or world.board
    case = fast_track(world, board)
    decision = services.decision_create(
        by=attending_of(world, board), case=case, kind="fast_track", **complete(world)
    )
    return services.decision_sign(by=attending_of(world, board), decision=decision)


# --- The whole path ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_whole_path_through_the_api(world: World) -> None:
    case = make_case(world, status="ready")
    case_services.lesion_add(
        by=world.radiologist, case=case, level_from="T4", level_to="T4", **RADIOLOGY_LESION
    )
    m, [item] = meeting_with(world, [case])
    client = client_for(world.attending)

    # A draft for the agenda item.
    response = client.post(API, {"agenda_item": item.pk, **payload(world)}, format="json")
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["status"], draft["number"], draft["kind"], draft["meeting"]) == (
        "draft",
        "",
        "board",
        m.pk,
    )
    assert (draft["case"], draft["presentation_number"], draft["version"]) == (case.pk, 1, 1)
    assert [a["owner"] for a in draft["actions"]] == [world.radonc.pk, None]
    assert draft["dissent"] == [{"author": world.surgeon.pk, "opinion": "Would stabilise first."}]
    assert case.patient.family_name not in response.content.decode()
    assert response["ETag"] == '"1"'
    detail = f"{API}{draft['id']}/"

    # Edited with If-Match; the actions sent replace the draft's.
    response = client.patch(
        detail,
        {"rationale": "SBRT, then review.", "actions": [payload(world)["actions"][1]]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    assert (response.json()["rationale"], response.json()["version"]) == ("SBRT, then review.", 2)
    assert [a["description"] for a in response.json()["actions"]] == ["Tell the GP"]
    stale = client.patch(detail, {"rationale": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2

    # Signed: numbered, scores kept, quorate, the case discussed.
    response = client.post(f"{detail}sign/", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200, response.content
    first = response.json()
    assert (first["status"], first["number"], first["signed_by"]) == (
        "signed",
        "2027-0001",
        "attending",
    )
    assert (first["quorate"], first["needs_ratification"], first["is_current"]) == (
        True,
        False,
        True,
    )
    shown = {(s["score"], s["lesion"]) for s in first["scores_shown"]}
    assert shown == {(r.calculator, r.lesion_id) for r in current_scores(case)}
    assert ("sins", case.lesions.get().pk) in shown
    sins = next(s for s in first["scores_shown"] if s["score"] == "sins")
    assert sins["breakdown"] and sins["computed_at"] and "total" in sins
    case.refresh_from_db()
    assert case.status == "discussed"
    change = CaseStatusChange.objects.filter(case=case).latest("id")
    assert (change.transition, change.changed_by) == ("record_discussion", world.attending)

    # Signed is final: PATCH and a second signature are refused cleanly.
    refused = client.patch(detail, {"rationale": "changed"}, format="json")
    assert refused.status_code == 409
    assert "amend" in str(refused.json()["errors"])
    assert client.post(f"{detail}sign/").status_code == 409

    # Amended: a new draft copying the signed version, with the reason.
    response = client.post(
        f"{detail}amend/",
        {
            "reason": "Dose corrected",
            "plan": {"radiotherapy": {"technique": "sbrt", "dose_gy": 27, "fractions": 3}},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    amendment = response.json()
    assert (amendment["amends"], amendment["revision"], amendment["status"]) == (
        first["id"],
        2,
        "draft",
    )
    assert amendment["rationale"] == "SBRT, then review."
    assert amendment["plan"]["radiotherapy"]["dose_gy"] == 27
    assert [a["description"] for a in amendment["actions"]] == ["Tell the GP"]
    again = client.post(f"{detail}amend/", {"reason": "Twice"}, format="json")
    assert again.status_code == 409
    old = client.get(detail).json()
    assert (old["amended_by"], old["is_current"]) == (amendment["id"], False)

    response = client.post(f"{API}{amendment['id']}/sign/")
    assert response.status_code == 200, response.content
    assert response.json()["number"] == "2027-0001 v2"
    assert response.json()["is_current"] is True
    listed = client.get(API, {"case": case.pk}).json()["results"]
    assert {row["id"] for row in listed} == {first["id"], amendment["id"]}

    # Communicated: the current version only, once.
    body = {"sent_at": "2027-03-01T12:00:00Z", "method": "letter", "recipient": "Dr. Referrer"}
    assert client.post(f"{detail}communicated/", body, format="json").status_code == 400
    response = client_for(world.coordinator).post(
        f"{API}{amendment['id']}/communicated/", body, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["communication"]["method"] == "letter"
    assert response.json()["communication_overdue"] is False
    twice = client.post(f"{API}{amendment['id']}/communicated/", body, format="json")
    assert twice.status_code == 409

    # Every write and read of a decision is audited with the patient.
    events = AuditEvent.objects.filter(object_type="meetings.decision", patient_id=case.patient_id)
    assert {"create", "update", "view", "list"} <= set(events.values_list("action", flat=True))
    assert events.filter(detail="signed 2027-0001").exists()


@time_machine.travel(NOW, tick=False)
def test_nobody_asks_for_record_discussion(world: World) -> None:
    case = make_case(world, status="ready")
    response = client_for(world.attending).post(
        f"/api/v1/cases/{case.pk}/transition/", {"transition": "record_discussion"}, format="json"
    )
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == "ready"


# --- Numbering --------------------------------------------------------------------------------


def test_numbers_per_board_and_year_and_amendments_keep_theirs(world: World) -> None:
    world.board.timezone = "Europe/Berlin"
    world.board.save()
    with time_machine.travel(dt.datetime(2027, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        a = signed_fast_track(world)
        b = signed_fast_track(world)
        other = signed_fast_track(world, world.other_board)
    assert [a.number, b.number, other.number] == ["2027-0001", "2027-0002", "2027-0001"]
    # 23:30 UTC on 31 December is already 2028 in Berlin (the board's zone), not in UTC.
    with time_machine.travel(dt.datetime(2027, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        c = signed_fast_track(world)
        d = signed_fast_track(world, world.other_board)
        draft = services.decision_amend(by=world.attending, decision=a, reason="Typo in the plan")
        amended = services.decision_sign(by=world.attending, decision=draft)
    assert (c.year, c.serial, c.number) == (2028, 1, "2028-0001")
    assert d.number == "2027-0002"  # the other board is in UTC
    assert (amended.year, amended.serial, amended.revision) == (2027, 1, 2)
    assert amended.number == "2027-0001 v2"


# --- Quorum and ratification ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_an_inquorate_decision_is_flagged_and_ratified_at_the_next_meeting(world: World) -> None:
    case = make_case(world, status="ready")
    nxt, _ = meeting_with(world, [], days=7, start=False)
    m, [item] = meeting_with(world, [case])
    services.attendance_record(
        by=world.coordinator, meeting=m, user=world.radiologist, present=False
    )
    first = signed(world, case, item)
    assert (first.quorate, first.needs_ratification) == (False, True)
    placed = AgendaItem.objects.get(meeting=nxt, presentation=case.current_presentation)
    assert (placed.kind, placed.position) == (AgendaKind.RATIFICATION, 1)
    assert AuditEvent.objects.filter(
        object_type="meetings.agendaitem", object_id=str(placed.pk), action="create"
    ).exists()

    # At the next meeting: the ratification names the decision it ratifies.
    services.meeting_start(by=world.attending, meeting=nxt)
    ratification = services.decision_create(
        by=world.attending, agenda_item=placed, **complete(world)
    )
    assert (ratification.kind, ratification.ratifies) == (DecisionKind.RATIFICATION, first)
    services.attendance_record(
        by=world.attending, meeting=nxt, user=world.radiologist, present=False
    )
    with pytest.raises(ValidationError) as info:
        services.decision_sign(by=world.attending, decision=ratification)
    assert "meeting" in info.value.message_dict
    assert "radiology" in str(info.value)
    services.attendance_record(
        by=world.attending, meeting=nxt, user=world.radiologist, present=True
    )
    done = services.decision_sign(by=world.attending, decision=ratification)
    assert (done.quorate, done.needs_ratification, done.number) == (True, False, "2027-0002")


@time_machine.travel(NOW, tick=False)
def test_a_ratification_item_with_a_pathway_is_prefilled(world: World) -> None:
    case = make_case(world, status="ready")
    pathway = StandardPathway.objects.create(
        board=world.board,
        code="sbrt-stable",
        version=1,
        title="SBRT for a stable spine",
        recommendation="SBRT 24 Gy in 2 fractions.",
        intent="palliative",
        plan={"radiotherapy": {"technique": "sbrt", "dose_gy": 24, "fractions": 2}},
        criteria=[{"fact": "sins_max", "op": "lt", "value": 7}],
        approved_by=world.attending,
    )
    _m, [item] = meeting_with(world, [case], start=False)
    AgendaItem.objects.filter(pk=item.pk).update(kind=AgendaKind.RATIFICATION, pathway=pathway)
    item.refresh_from_db()
    decision = services.decision_create(by=world.attending, agenda_item=item, follows_noms=True)
    assert (decision.kind, decision.pathway, decision.intent) == (
        DecisionKind.RATIFICATION,
        pathway,
        "palliative",
    )
    assert decision.plan == pathway.plan
    assert decision.rationale == pathway.recommendation
    assert decision.ratifies is None  # nothing was signed before
    with pytest.raises(ValidationError) as info:  # the meeting has not started
        services.decision_sign(by=world.attending, decision=decision)
    assert "meeting" in info.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_fast_track_by_the_on_call_specialist_signed_by_an_attending(world: World) -> None:
    world.board.on_call_specialties.set([world.specialties[Specialty.SPINE_SURGERY]])
    nxt, _ = meeting_with(world, [], days=7, start=False)
    case = fast_track(world)
    response = client_for(world.surgeon).post(
        API, {"case": case.pk, "kind": "fast_track", **payload(world)}, format="json"
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["kind"], draft["agenda_item"], draft["meeting"]) == ("fast_track", None, None)
    # The on-call specialist edits the draft but does not sign it.
    url = f"{API}{draft['id']}/"
    patched = client_for(world.surgeon).patch(url, {"trial_considered": True}, format="json")
    assert patched.status_code == 200, patched.content
    assert client_for(world.surgeon).post(f"{url}sign/").status_code == 403
    response = client_for(world.attending).post(f"{url}sign/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["needs_ratification"], body["quorate"], body["number"]) == (
        True,
        None,
        "2027-0001",
    )
    assert FastTrack.objects.get(case=case).plan_agreed_at == NOW
    assert Case.objects.get(pk=case.pk).status == "discussed"  # from work-up
    placed = AgendaItem.objects.get(meeting=nxt)
    assert (placed.presentation_id, placed.kind) == (case.current_presentation_id, "ratification")


@time_machine.travel(NOW, tick=False)
def test_without_a_next_meeting_a_fast_track_stays_listed_for_ratification(world: World) -> None:
    decision = signed_fast_track(world)
    assert decision.needs_ratification
    assert not AgendaItem.objects.filter(presentation=decision.presentation).exists()


# --- Immutability -----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_signed_decision_is_immutable_in_the_model_and_the_database(world: World) -> None:
    decision = signed_fast_track(world)
    DecisionAction.objects.create(
        decision=services.decision_create(
            by=world.attending, case=fast_track(world), kind="fast_track"
        ),
        kind="other",
        description="On a draft: fine",
        owner_text="GP",
        due_on=dt.date(2027, 3, 2),
    )
    decision.rationale = "Rewritten"
    with pytest.raises(SignedImmutable):
        decision.save()
    with pytest.raises(SignedImmutable):
        decision.delete()
    table, actions = Decision._meta.db_table, DecisionAction._meta.db_table
    # The tables' own names, no input: not an injection vector.
    statements = [
        (f"UPDATE {table} SET rationale = 'raw' WHERE id = %s", [decision.pk]),  # noqa: S608
        (f"DELETE FROM {table} WHERE id = %s", [decision.pk]),  # noqa: S608
        (
            f"INSERT INTO {actions} (decision_id, position, kind, description, owner_text, "  # noqa: S608
            "due_on) VALUES (%s, 9, 'other', 'raw', 'x', '2027-03-02')",
            [decision.pk],
        ),
    ]
    if connection.vendor == "sqlite":
        # SQLite has no TRUNCATE: its flush deletes row by row, so only PostgreSQL refuses a
        # raw DELETE too (migration meetings/0007); the model refuses it everywhere (above).
        statements = [statement for statement in statements if "DELETE" not in statement[0]]
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert Decision.objects.get(pk=decision.pk).rationale == complete(world)["rationale"]


# --- Denials and bad input --------------------------------------------------------------------


@pytest.fixture
def scene(world: World) -> Any:
    with time_machine.travel(NOW, tick=False):
        case = make_case(world, status="ready")
        m, [item] = meeting_with(world, [case])
        draft = services.decision_create(by=world.attending, agenda_item=item, **complete(world))
    return case, m, item, draft


@time_machine.travel(NOW, tick=False)
def test_coordinator_cannot_create_edit_or_sign(world: World, scene: Any) -> None:
    _case, m, _item, draft = scene
    client = client_for(world.coordinator)
    other_case = make_case(world, status="ready")
    services.meeting_close(by=world.attending, meeting=m)
    _, [other_item] = meeting_with(world, [other_case])
    response = client.post(API, {"agenda_item": other_item.pk, **payload(world)}, format="json")
    assert response.status_code == 403
    assert client.patch(f"{API}{draft.pk}/", {"rationale": "x"}, format="json").status_code == 403
    assert client.post(f"{API}{draft.pk}/sign/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.decision_sign(by=world.coordinator, decision=draft)
    assert not Decision.objects.get(pk=draft.pk).is_signed
    assert client.get(f"{API}{draft.pk}/").status_code == 200  # members read


@time_machine.travel(NOW, tick=False)
def test_specialist_cannot_record_a_board_decision(world: World, scene: Any) -> None:
    _case, _m, _item, draft = scene
    world.board.on_call_specialties.set([world.specialties[Specialty.SPINE_SURGERY]])
    client = client_for(world.surgeon)  # on call, yet this is not a fast track
    assert client.patch(f"{API}{draft.pk}/", {"rationale": "x"}, format="json").status_code == 403
    assert client.post(f"{API}{draft.pk}/amend/", {"reason": "x"}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_specialist_not_on_call_cannot_record_a_fast_track(world: World) -> None:
    world.board.on_call_specialties.set([world.specialties[Specialty.SPINE_SURGERY]])
    case = fast_track(world)
    body = {"case": case.pk, "kind": "fast_track", **payload(world)}
    assert client_for(world.medonc).post(API, body, format="json").status_code == 403
    assert client_for(world.coordinator).post(API, body, format="json").status_code == 403
    assert not Decision.objects.filter(case=case).exists()
    # Not on the fast track: no fast-track decision, whoever asks.
    plain = make_case(world, status="in_workup")
    response = client_for(world.attending).post(
        API, {"case": plain.pk, "kind": "fast_track", **payload(world)}, format="json"
    )
    assert response.status_code == 400
    assert "case" in response.json()["errors"]


@time_machine.travel(NOW, tick=False)
def test_other_boards_attending_cannot_see_or_touch_a_decision(world: World, scene: Any) -> None:
    _case, _m, item, draft = scene
    client = client_for(world.other_attending)
    url = f"{API}{draft.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"rationale": "x"}, format="json").status_code == 404
    assert client.post(f"{url}sign/").status_code == 404
    assert client.post(f"{url}amend/", {"reason": "x"}).status_code == 404
    assert client.get(API).json()["results"] == []
    response = client.post(API, {"agenda_item": item.pk, **payload(world)}, format="json")
    assert response.status_code == 400
    assert "does not exist" in str(response.json()["errors"]["agenda_item"])
    assert client.get(API, {"case": draft.case_id}).status_code == 400
    with pytest.raises(PermissionDenied):
        services.decision_sign(by=world.other_attending, decision=draft)


@time_machine.travel(NOW, tick=False)
def test_bad_input_is_a_400_naming_the_field(world: World, scene: Any) -> None:
    _case, _m, _item, draft = scene
    client = client_for(world.attending)
    url = f"{API}{draft.pk}/"
    cases = [
        (
            {"plan": {"radiotherapy": {"technique": "sbrt", "fractions": 0}}},
            "plan.radiotherapy.fractions",
        ),
        ({"plan": {"radiotherapy": {"technique": "protons"}}}, "plan.radiotherapy.technique"),
        (
            {"plan": {"surgery": {"procedure": "Fixation", "levels": ["T4", "Q9"]}}},
            "plan.surgery.levels[1]",
        ),
        ({"plan": {"surgery": {}}}, "plan.surgery.procedure"),
        ({"plan": {"chemo": {}}}, "plan.chemo"),
        ({"plan": {"follow_up_imaging_weeks": "six"}}, "plan.follow_up_imaging_weeks"),
        ({"intent": "no_treatment"}, "no_treatment_reason"),
        ({"follows_noms": False}, "noms_deviation_reason"),
        ({"intent": "curative-ish"}, "intent"),
        (
            {"actions": [{"kind": "other", "description": "x", "due_on": "2027-03-02"}]},
            "actions[0].owner",
        ),
        ({"dissent": [{"author": world.surgeon.pk, "opinion": "  "}]}, "dissent[0].opinion"),
    ]
    for body, field in cases:
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], (field, response.json())
    ok = client.patch(
        url,
        {"intent": "no_treatment", "no_treatment_reason": "patient_choice", "plan": {}},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert Decision.objects.get(pk=draft.pk).version == 2  # the refused edits left no trace


@time_machine.travel(NOW, tick=False)
def test_an_incomplete_draft_is_not_signed(world: World) -> None:
    case = make_case(world, status="ready")
    _m, [item] = meeting_with(world, [case])
    draft = services.decision_create(by=world.attending, agenda_item=item)
    response = client_for(world.attending).post(f"{API}{draft.pk}/sign/")
    assert response.status_code == 400
    assert {"intent", "rationale", "follows_noms"} <= set(response.json()["errors"])
    # One decision per item: a second draft is refused.
    response = client_for(world.attending).post(API, {"agenda_item": item.pk}, format="json")
    assert response.status_code == 400
    assert "agenda_item" in response.json()["errors"]
    assert client_for(world.attending).post(API, {}, format="json").status_code == 400


# --- Lists: filters, communication, query counts ----------------------------------------------


def test_filters_and_awaiting_communication(world: World) -> None:
    friday = dt.datetime(2027, 3, 5, 9, tzinfo=dt.UTC)
    with time_machine.travel(friday, tick=False):
        case = make_case(world, status="ready")
        m, [item] = meeting_with(world, [case])
        done = signed(world, case, item)
        draft = services.decision_create(
            by=world.attending, case=fast_track(world), kind="fast_track"
        )
    client = client_for(world.coordinator)
    ids = lambda r: [row["id"] for row in r.json()["results"]]  # noqa: E731
    assert ids(client.get(API, {"status": "draft"})) == [draft.pk]
    assert ids(client.get(API, {"status": "signed"})) == [done.pk]
    assert ids(client.get(API, {"meeting": m.pk})) == [done.pk]
    assert ids(client.get(API, {"board": world.board.pk})) == [draft.pk, done.pk]
    assert ids(client.get(API, {"awaiting_communication": "true"})) == [done.pk]
    assert ids(client.get(API, {"awaiting_communication": "false"})) == [draft.pk]
    for bad in ({"status": "final"}, {"awaiting_communication": "yes"}, {"board": 999999}):
        response = client.get(API, bad)
        assert response.status_code == 400
        assert set(bad) <= set(response.json()["errors"])
    # Friday 09:00 + one working day = Monday 09:00 (the board is in UTC).
    monday_early = dt.datetime(2027, 3, 8, 8, tzinfo=dt.UTC)
    [row] = selectors.decisions_awaiting_communication(world.coordinator, monday_early)
    assert (row.pk, row.overdue) == (done.pk, False)
    assert row.communication_due_at == dt.datetime(2027, 3, 8, 9, tzinfo=dt.UTC)
    [row] = selectors.decisions_awaiting_communication(
        world.coordinator, monday_early.replace(hour=10)
    )
    assert row.overdue is True
    assert selectors.decisions_awaiting_communication(world.other_coordinator, monday_early) == []
    with time_machine.travel(monday_early.replace(hour=10), tick=False):
        body = client_for(world.coordinator).get(f"{API}{done.pk}/").json()
        assert (body["communication_overdue"], body["communication_due_at"]) == (
            True,
            "2027-03-08T09:00:00+00:00",
        )
        services.decision_communicated(
            by=world.coordinator,
            decision=done,
            sent_at=monday_early.replace(hour=10),
            method="email",
            recipient="Dr. Referrer",
        )
        assert selectors.decisions_awaiting_communication(world.coordinator, NOW) == []


def count_list_queries(world: World) -> int:
    client = client_for(world.surgeon)
    client.get("/api/v1/me/")  # the session is loaded once before measuring
    with CaptureQueriesContext(connection) as queries:
        response = client.get(API)
    assert response.status_code == 200
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_the_list_runs_a_fixed_number_of_queries(world: World) -> None:
    case = make_case(world, status="ready")
    _m, [item] = meeting_with(world, [case])
    signed(world, case, item)
    one = count_list_queries(world)
    # Four more: a draft, an amendment (of the first), a communicated one, a fast track.
    first = Decision.objects.get()
    services.decision_sign(
        by=world.attending,
        decision=services.decision_amend(by=world.attending, decision=first, reason="Fix"),
    )
    services.decision_communicated(
        by=world.attending,
        decision=Decision.objects.get(revision=2),
        sent_at=NOW,
        method="letter",
        recipient="Dr. Referrer",
    )
    signed_fast_track(world)
    services.decision_create(by=world.attending, case=fast_track(world), kind="fast_track")
    other = make_case(world, status="ready")
    _m2, [item2] = meeting_with(world, [other])
    services.decision_create(by=world.attending, agenda_item=item2, **complete(world))
    assert Decision.objects.count() == 5
    five = count_list_queries(world)
    assert one == five
    # The session and the user; the user's boards; the count; the page (decisions with their
    # board, case and patient, presentation, item and meeting, signers, pathway, amends,
    # amended_by, communication: one join); the actions (one prefetch); the audit rows (one
    # insert); the idle-session stamp (savepoint, update, release).
    assert five == 10
