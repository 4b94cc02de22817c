"""The reminder sweep (``meetings.services.reminders_send_due``): reminders to the specialists
whose assessment is missing at each offset before a meeting, one escalation to the
coordinators once it has started, daily reminders of unsigned decisions; idempotent, one row
however often (or however concurrently) it runs, a fixed number of queries, no patient data.
The clock is moved with time-machine, never slept."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import Case, Role, Specialty, SpecialtyAssessment
from meetings import services
from meetings.models import AgendaItem, Decision, Meeting
from meetings.services.reminders import reminder_offset
from notifications.models import Notification
from tests.cases.test_concurrency import at_once
from tests.conftest import RADIOLOGY_LESION, World, make_case, make_user

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(days=7)
H = dt.timedelta(hours=1)
QUORUM_BUT_RADIOLOGY = {"surgeon", "radonc", "medonc"}


def rows(kind: str = "meeting_reminder", key: str | None = None) -> Counter[str]:
    """Recipients (username: number of rows) of ``kind`` (and ``key``)."""
    qs = Notification.objects.filter(kind=kind)
    if key is not None:
        qs = qs.filter(dedupe_key=key)
    return Counter(qs.values_list("recipient__username", flat=True))


def sweep(when: dt.datetime) -> int:
    with time_machine.travel(when, tick=False):
        return services.reminders_send_due()


def submit_radiology(world: World, case: Case) -> None:
    """Radiology's assessment of the case's current presentation, submitted (real services)."""
    case_services.lesion_add(
        by=world.radiologist, case=case, level_from="T4", level_to="T5", **RADIOLOGY_LESION
    )
    assessment = case_services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "lytic T4"},
        opinion="Low-grade ESCC.",
    )
    case_services.assessment_change_status(
        by=world.radiologist, assessment=assessment, transition="submit"
    )


@pytest.fixture(autouse=True)
def clock() -> Any:
    """Everything happens at NOW unless a test travels further (travels nest)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(world: World) -> dict[str, Any]:
    """A meeting a week ahead with two cases on its agenda, radiology submitted for both;
    the other board has a meeting at the same time with a case of its own."""
    with time_machine.travel(NOW, tick=False):
        meeting = services.meeting_create(by=world.coordinator, board=world.board, starts_at=START)
        cases = [make_case(world, status="in_workup") for _ in range(2)]
        for case in cases:
            submit_radiology(world, case)
            services.agenda_item_add(
                by=world.coordinator, meeting=meeting, presentation=case.current_presentation
            )
        other_meeting = services.meeting_create(
            by=world.other_coordinator, board=world.other_board, starts_at=START
        )
        other_case = make_case(world, board=world.other_board, status="in_workup")
        services.agenda_item_add(
            by=world.other_coordinator,
            meeting=other_meeting,
            presentation=other_case.current_presentation,
        )
    return {"meeting": meeting, "cases": cases, "other_meeting": other_meeting}


# --- Reminders --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [(100, None), (72.01, None), (72, 72), (30, 72), (24, 24), (1, 24), (0, None), (-1, None)],
)
def test_reminder_offset_is_the_latest_reached(hours_before: float, expected: int | None) -> None:
    start = NOW
    assert reminder_offset([72, 24], start, start - dt.timedelta(hours=hours_before)) == expected
    assert reminder_offset([24, 72], start, start - dt.timedelta(hours=hours_before)) == expected


def test_before_the_first_offset_nothing_is_sent(world: World, scene: dict[str, Any]) -> None:
    assert sweep(START - 72 * H - dt.timedelta(minutes=1)) == 0
    assert not Notification.objects.filter(kind__startswith="meeting_").exists()


def test_at_72_hours_each_missing_specialist_gets_one(world: World, scene: dict[str, Any]) -> None:
    meeting, cases = scene["meeting"], scene["cases"]
    created = sweep(START - 72 * H)
    key = f"meeting:{meeting.pk}:offset:72"
    # Radiology submitted for both cases: the radiologist is not reminded. Nor the coordinator,
    # the attending, or the other board's specialists (their meeting's key is another).
    assert rows(key=key) == Counter(dict.fromkeys(QUORUM_BUT_RADIOLOGY, 1))
    other_key = f"meeting:{scene['other_meeting'].pk}:offset:72"
    assert rows(key=other_key) == Counter(
        {f"other_{name}": 1 for name in [*QUORUM_BUT_RADIOLOGY, "radiologist"]}
    )
    assert created == 3 + 4
    note = Notification.objects.get(kind="meeting_reminder", dedupe_key=key, recipient=world.medonc)
    assert note.board_id == world.board.pk
    for case in cases:
        assert f"case #{case.pk}" in note.body
        assert f"/cases/{case.pk}/" in note.body
        # No patient data, in the subject or the body.
        for secret in (case.patient.family_name, case.patient.mrn, case.primary_tumor):
            assert secret not in note.body + note.subject
    assert "Medical oncology" in note.body
    assert "Radiology" not in note.body
    assert "2 cases" in note.subject


def test_running_twice_sends_nothing_twice(world: World, scene: dict[str, Any]) -> None:
    assert sweep(START - 72 * H) == 7
    assert sweep(START - 72 * H + dt.timedelta(minutes=5)) == 0
    assert sweep(START - 30 * H) == 0
    assert Notification.objects.filter(kind="meeting_reminder").count() == 7


def test_at_24_hours_the_second_reminder(world: World, scene: dict[str, Any]) -> None:
    meeting = scene["meeting"]
    sweep(START - 72 * H)
    assert sweep(START - 24 * H) == 7
    assert rows(key=f"meeting:{meeting.pk}:offset:24") == Counter(
        dict.fromkeys(QUORUM_BUT_RADIOLOGY, 1)
    )
    assert rows()["surgeon"] == 2
    assert sweep(START - 23 * H) == 0


def test_after_an_outage_only_the_latest_offset_is_sent(
    world: World, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    assert sweep(START - 20 * H) == 7  # both offsets reached: one reminder each, not two
    keys = set(Notification.objects.filter(kind="meeting_reminder").values_list("dedupe_key"))
    assert keys == {
        (f"meeting:{meeting.pk}:offset:24",),
        (f"meeting:{scene['other_meeting'].pk}:offset:24",),
    }


def test_a_submission_removes_the_case_from_the_next_reminder(
    world: World, scene: dict[str, Any]
) -> None:
    first, second = scene["cases"]
    sweep(START - 72 * H)
    SpecialtyAssessment.objects.filter(case=first).delete()  # radiology missing again
    with time_machine.travel(START - 48 * H, tick=False):
        # Spine surgery's assessment of the first case, submitted (the surgeon's own).
        assessment = case_services.assessment_create(
            by=world.surgeon,
            case=first,
            specialty=world.specialties[Specialty.SPINE_SURGERY],
            details={"stability": "stable"},
            opinion="No surgery.",
        )
        SpecialtyAssessment.objects.filter(pk=assessment.pk).update(status="submitted")
    sweep(START - 24 * H)
    note = Notification.objects.get(
        dedupe_key=f"meeting:{scene['meeting'].pk}:offset:24", recipient=world.surgeon
    )
    assert f"case #{second.pk}" in note.body
    assert f"case #{first.pk}" not in note.body
    # Radiology's assessment of the first case is gone: the radiologist is reminded of it.
    radiology = Notification.objects.get(
        dedupe_key=f"meeting:{scene['meeting'].pk}:offset:24", recipient=world.radiologist
    )
    assert f"case #{first.pk}" in radiology.body
    assert f"case #{second.pk}" not in radiology.body


def test_no_reminder_when_nothing_is_missing_or_for_a_cancelled_meeting(
    world: World, scene: dict[str, Any]
) -> None:
    services.meeting_cancel(by=world.other_coordinator, meeting=scene["other_meeting"], reason="x")
    SpecialtyAssessment.objects.filter(case__board=world.board).update(status="submitted")
    for case in scene["cases"]:
        for code in (Specialty.SPINE_SURGERY, Specialty.RADIATION_ONCOLOGY):
            SpecialtyAssessment.objects.create(
                case=case,
                presentation=case.current_presentation,
                specialty=world.specialties[code],
                author=world.surgeon if code == Specialty.SPINE_SURGERY else world.radonc,
                status="submitted",
            )
        SpecialtyAssessment.objects.create(
            case=case,
            presentation=case.current_presentation,
            specialty=world.specialties[Specialty.MEDICAL_ONCOLOGY],
            author=world.medonc,
            status="draft",  # a draft is still missing
        )
    assert sweep(START - 72 * H) == 1
    assert rows() == Counter({"medonc": 1})
    assert sweep(START + H) == 1  # the escalation: medical oncology still missing
    assert rows("meeting_escalation") == Counter({"coordinator": 1})


def test_withdrawn_cases_and_inactive_specialists_are_left_out(
    world: World, scene: dict[str, Any]
) -> None:
    first, second = scene["cases"]
    case_services.case_transition(
        by=world.coordinator, case=first, transition="withdraw", reason="Patient's choice"
    )
    world.radonc.is_active = False
    world.radonc.save()
    late = make_user("second-surgeon")
    case_services.membership_grant(
        by=world.admin,
        board=world.board,
        user=late,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.SPINE_SURGERY],
    )
    sweep(START - 72 * H)
    key = f"meeting:{scene['meeting'].pk}:offset:72"
    assert rows(key=key) == Counter({"surgeon": 1, "medonc": 1, "second-surgeon": 1})
    body = Notification.objects.get(dedupe_key=key, recipient=world.surgeon).body
    assert f"case #{second.pk}" in body
    assert f"case #{first.pk}" not in body


def test_a_specialist_of_two_specialties_gets_one_row_naming_both(
    world: World, scene: dict[str, Any]
) -> None:
    case_services.membership_grant(
        by=world.admin,
        board=world.board,
        user=world.surgeon,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.MEDICAL_ONCOLOGY],
    )
    sweep(START - 72 * H)
    key = f"meeting:{scene['meeting'].pk}:offset:72"
    assert rows(key=key)["surgeon"] == 1
    body = Notification.objects.get(dedupe_key=key, recipient=world.surgeon).body
    assert "Spine surgery:" in body
    assert "Medical oncology:" in body


# --- Escalation -------------------------------------------------------------------------------


def test_half_way_from_the_last_reminder_one_escalation_to_the_coordinators(
    world: World, scene: dict[str, Any]
) -> None:
    meeting, cases = scene["meeting"], scene["cases"]
    sweep(START - 72 * H)
    sweep(START - 24 * H)
    sweep(START - 12 * H - dt.timedelta(minutes=1))
    assert rows("meeting_escalation") == Counter()  # not before half-way to the start
    sweep(START - 12 * H + dt.timedelta(minutes=2))
    key = f"meeting:{meeting.pk}:escalation"
    assert rows("meeting_escalation", key) == Counter({"coordinator": 1})
    assert rows("meeting_escalation", f"meeting:{scene['other_meeting'].pk}:escalation") == (
        Counter({"other_coordinator": 1})
    )
    note = Notification.objects.get(kind="meeting_escalation", dedupe_key=key)
    numbers = ", ".join(f"#{case.pk}" for case in cases)
    for specialty in ("Spine surgery", "Radiation oncology", "Medical oncology"):
        assert f"{specialty}: {numbers}" in note.body
    assert "Radiology" not in note.body
    for case in cases:
        assert case.patient.family_name not in note.body + note.subject
    # Once: later sweeps, the meeting in progress, add nothing.
    services.meeting_start(by=world.attending, meeting=meeting)
    assert sweep(START + H) == 0
    assert sweep(START + 5 * H) == 0
    assert Notification.objects.filter(kind="meeting_escalation").count() == 2


def test_no_escalation_long_after_the_start_or_for_a_closed_meeting(
    world: World, scene: dict[str, Any]
) -> None:
    assert sweep(START + 25 * H) == 0  # past the escalation window (a day)
    services.meeting_start(by=world.attending, meeting=scene["meeting"])
    services.meeting_close(by=world.attending, meeting=scene["meeting"])
    assert sweep(START + H) == 1  # only the other board's (still scheduled) meeting
    assert rows("meeting_escalation") == Counter({"other_coordinator": 1})


# --- Unsigned decisions -----------------------------------------------------------------------


def draft(world: World, item: AgendaItem, **extra: Any) -> Decision:
    case = item.presentation.case
    return Decision.objects.create(
        board=world.board,
        case=case,
        presentation=item.presentation,
        agenda_item=item,
        recorded_by=world.attending,
        **extra,
    )


def run_meeting(world: World, meeting: Meeting, *, close: bool) -> None:
    services.meeting_start(by=world.attending, meeting=meeting)
    if close:
        services.meeting_close(by=world.attending, meeting=meeting)


def test_a_draft_decision_of_a_closed_meeting_is_reminded_once_a_day(
    world: World, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    second_attending = make_user("second-attending")
    case_services.membership_grant(
        by=world.admin, board=world.board, user=second_attending, role=Role.ATTENDING
    )
    items = list(meeting.agenda_items.order_by("position"))
    with time_machine.travel(START + H, tick=False):
        run_meeting(world, meeting, close=True)
        decision = draft(world, items[0])
        signed = draft(world, items[1])
    Decision.objects.filter(pk=signed.pk).update(
        signed_at=START + H, signed_by=world.attending, year=2027, serial=1
    )
    sweep(START + 2 * H)
    day = (START + 2 * H).date().isoformat()
    key = f"decision:{decision.pk}:day:{day}"
    # No chair: the board's attendings (not the other board's, not the coordinator).
    assert rows("unsigned_decision") == Counter({"attending": 1, "second-attending": 1})
    assert set(
        Notification.objects.filter(kind="unsigned_decision").values_list("dedupe_key", flat=True)
    ) == {key}
    note = Notification.objects.get(kind="unsigned_decision", recipient=world.attending)
    case = items[0].presentation.case
    assert f"case #{case.pk}" in note.body
    assert note.url == f"/cases/{case.pk}/"
    assert case.patient.family_name not in note.body + note.subject
    assert sweep(START + 10 * H) == 0  # the same day
    assert sweep(START + 26 * H) == 2  # the next day: again
    assert rows("unsigned_decision") == Counter({"attending": 2, "second-attending": 2})


def test_the_chair_is_reminded_and_only_after_the_delay(
    world: World, scene: dict[str, Any], settings: Any
) -> None:
    settings.MEETINGS_UNSIGNED_REMINDER_HOURS = 6
    second_attending = make_user("second-attending")
    case_services.membership_grant(
        by=world.admin, board=world.board, user=second_attending, role=Role.ATTENDING
    )
    meeting = scene["meeting"]
    services.meeting_update(by=world.coordinator, meeting=meeting, chair=second_attending)
    with time_machine.travel(START + H, tick=False):
        run_meeting(world, meeting, close=False)  # in progress, not closed
        draft(world, meeting.agenda_items.first())
    sweep(START + 5 * H)  # started 5 h ago: not yet (the escalations only)
    assert rows("unsigned_decision") == Counter()
    assert rows("meeting_escalation") == Counter({"coordinator": 1, "other_coordinator": 1})
    assert sweep(START + 6 * H) == 1
    # The chair only, not the board's other attending.
    assert rows("unsigned_decision") == Counter({"second-attending": 1})


def test_a_draft_before_the_delay_is_not_reminded(world: World, scene: dict[str, Any]) -> None:
    item = scene["meeting"].agenda_items.first()
    draft(world, item)
    # The 24-hour reminders (7) and the escalations (one coordinator per board): the meeting
    # has not started, so no draft of it is reminded yet.
    assert sweep(START - H) == 9
    assert rows("meeting_escalation") == Counter({"coordinator": 1, "other_coordinator": 1})
    assert rows("unsigned_decision") == Counter()


# --- Concurrency and query counts -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_one_row_each(world: World, scene: dict[str, Any]) -> None:
    when = START - 72 * H
    for _ in range(3):  # a race is a race: repeat it
        results = at_once(
            lambda: services.reminders_send_due(now=when),
            lambda: services.reminders_send_due(now=when),
        )
        assert all(isinstance(r, int) for r in results), results
    assert rows(key=f"meeting:{scene['meeting'].pk}:offset:72") == Counter(
        dict.fromkeys(QUORUM_BUT_RADIOLOGY, 1)
    )
    assert Notification.objects.filter(kind="meeting_reminder").count() == 7


ALL_SPECIALTIES = [
    Specialty.SPINE_SURGERY,
    Specialty.RADIATION_ONCOLOGY,
    Specialty.MEDICAL_ONCOLOGY,
    Specialty.RADIOLOGY,
    Specialty.PAIN_MANAGEMENT,
    Specialty.PALLIATIVE_CARE,
    Specialty.PHYSICAL_MEDICINE,
]


def _grow(world: World, cases: int) -> Meeting:
    """A meeting of ``world.board`` (which expects 7 specialties, one specialist each) with
    ``cases`` cases on its agenda, none assessed."""
    board = world.board
    board.expected_specialties.set([world.specialties[c] for c in ALL_SPECIALTIES])
    for code in ALL_SPECIALTIES[4:]:
        user = make_user(f"spec-{code}")
        case_services.membership_grant(
            by=world.admin,
            board=board,
            user=user,
            role=Role.SPECIALIST,
            specialty=world.specialties[code],
        )
    with time_machine.travel(NOW, tick=False):
        meeting = services.meeting_create(by=world.coordinator, board=board, starts_at=START)
        for _ in range(cases):
            case = make_case(world, status="in_workup")
            services.agenda_item_add(
                by=world.coordinator, meeting=meeting, presentation=case.current_presentation
            )
    return meeting


def _count(when: dt.datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        created = services.reminders_send_due(now=when)
    return len(ctx.captured_queries), created


#: The sweep at an offset, in the test's transaction:
#:   SAVEPOINT and RELEASE of ``_count``'s atomic                                   2
#:   the due meetings (board joined); the agenda items; the submitted assessments;
#:   the boards' expected specialties (specialty joined)                            4
#:   SAVEPOINT and RELEASE of the sweep's transaction                               2
#:   the boards' specialists (user joined); the reminders already in the outbox     2
#:   per specialist reminded: notify's look-up and its INSERT                   7 x 2
#:   the draft decisions due a reminder                                             1
FIRST_SWEEP = 2 + 4 + 2 + 2 + 7 * 2 + 1
#: The same sweep again: everything is sent already, so no notify at all.
SECOND_SWEEP = FIRST_SWEEP - 7 * 2


@pytest.mark.parametrize("cases", [1, 40])
def test_the_sweep_runs_a_fixed_number_of_queries(world: World, cases: int) -> None:
    meeting = _grow(world, cases)
    when = START - 72 * H
    count, created = _count(when)
    assert created == 7
    assert count == FIRST_SWEEP, count
    count, created = _count(when)
    assert (count, created) == (SECOND_SWEEP, 0)
    note = Notification.objects.get(
        kind="meeting_reminder",
        dedupe_key=f"meeting:{meeting.pk}:offset:72",
        recipient=world.surgeon,
    )
    assert note.body.count("case #") == cases
