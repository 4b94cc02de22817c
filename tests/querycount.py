"""Exact query counts on a small world and on a grown one, with the SQL printed on failure.

House style, convention 8: every list, detail and page runs an exact number of queries, and the
same number whether the lists hold one row or several and the object shown has one child of
each kind or several. A test builds the small world (``build``), measures the request, grows
the world (``grow``) and measures the same request again; both counts must equal the table's.
A failure prints the numbered SQL of the run that missed, and the statements it repeated (an
N+1 shows there as one statement run once per row or child).

Everything is built through the real services, as in ``tests.conftest``. One to about five
rows or children are enough to show an N+1 and keep each test well under a second.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from cases import services
from cases.models import (
    Board,
    Case,
    ClinicalStatus,
    Presentation,
    PriorRadiotherapy,
    Role,
    ScoreRecord,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from meetings import services as meeting_services
from meetings.models import (
    AgendaItem,
    Decision,
    FastTrack,
    Meeting,
    MeetingPacket,
    MeetingSeries,
    StandardPathway,
)
from tests.conftest import RADIOLOGY_LESION, World, make_case

# --- The worlds -----------------------------------------------------------------------------


@dataclass
class Scene:
    """The small world: one case (the one the details show) with one of each child."""

    world: World
    case: Case
    status: ClinicalStatus
    lesion: SpinalLesion
    course: PriorRadiotherapy
    presentation: Presentation
    assessment: SpecialtyAssessment  # radiology, submitted: its owned inputs are per lesion
    score: ScoreRecord  # the SINS of ``lesion``
    series: MeetingSeries  # weekly on ``world.board``, its occurrences created
    meeting: Meeting  # the series' first occurrence, with a chair
    item: AgendaItem  # the case's presentation on ``meeting``'s agenda
    pathway: StandardPathway  # live, on ``world.board``
    fasttrack: FastTrack  # of an emergency case in work-up
    decision: Decision  # that case's fast-track decision, signed (its letter can be read)
    packet: MeetingPacket  # ``meeting``'s packet, ready

    def fill(self, template: str) -> str:
        """A URL or body value of the table, e.g. ``/api/v1/cases/{case}/``, for this world."""
        return template.format(
            board=self.case.board_id,
            patient=self.case.patient_id,
            mrn=self.case.patient.mrn,
            case=self.case.pk,
            status=self.status.pk,
            lesion=self.lesion.pk,
            course=self.course.pk,
            presentation=self.presentation.pk,
            assessment=self.assessment.pk,
            score=self.score.pk,
            series=self.series.pk,
            meeting=self.meeting.pk,
            item=self.item.pk,
            pathway=self.pathway.pk,
            fasttrack=self.fasttrack.pk,
            decision=self.decision.pk,
        )


def add_records(world: World, case: Case, *, day: int = 1) -> SpecialtyAssessment:
    """One clinical status, lesion and prior radiotherapy course, and radiology's submitted
    assessment, on a case in work-up of ``world.board``."""
    services.clinical_status_record(
        by=world.coordinator, case=case, recorded_on=dt.date(2026, 11, day), karnofsky=80
    )
    services.lesion_add(
        by=world.radiologist, case=case, level_from="T4", level_to="T5", **RADIOLOGY_LESION
    )
    services.prior_radiotherapy_add(
        by=world.coordinator,
        case=case,
        level_from="T4",
        level_to="T5",
        dose_gy="8",
        fractions=1,
        treated_on=dt.date(2025, 1, day),
    )
    assessment = services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "lytic T4"},
        opinion="Low-grade ESCC.",
    )
    return services.assessment_change_status(
        by=world.radiologist, assessment=assessment, transition="submit"
    )


def build(world: World) -> Scene:
    """One case in work-up on ``world.board`` (referred and accepted: presentation 1, two
    status changes, an assessment request to each quorum specialist), with one of each
    record and radiology's submitted assessment."""
    case = make_case(world, status="in_workup")
    assessment = add_records(world, case)
    series = meeting_services.meeting_series_create(
        by=world.coordinator,
        board=world.board,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=dt.time(7, 30),
        starts_on=dt.date.today(),  # noqa: DTZ011 (a date for the series only)
        place="Room 3",
    )
    meeting = meeting_services.meeting_update(
        by=world.coordinator, meeting=series.meetings.earliest("starts_at"), chair=world.attending
    )
    item = meeting_services.agenda_item_add(
        by=world.coordinator,
        meeting=meeting,
        presentation=case.current_presentation,
        late_reason="Within the cut-off",  # the first occurrence may be within 48 hours
    )
    pathway = meeting_services.standard_pathway_approve(
        by=world.attending,
        board=world.board,
        code="sf-rt",
        title="Single-fraction radiotherapy",
        recommendation="8 Gy in one fraction.",
        criteria=[{"fact": "sins_max", "op": "lt", "value": 7}],
    )
    emergency = make_case(world, status="in_workup", urgency="emergency")
    fasttrack = fast_track(world, emergency)
    decision = meeting_services.decision_sign(
        by=world.attending, decision=fast_track_decision(world, emergency)
    )
    packet = ready_packet(meeting)
    return Scene(
        world=world,
        case=case,
        status=case.clinical_statuses.get(),
        lesion=case.lesions.get(),
        course=case.prior_radiotherapy.get(),
        presentation=case.presentations.get(),
        assessment=assessment,
        score=case.score_records.get(calculator="sins", is_current=True),
        series=series,
        meeting=meeting,
        item=item,
        pathway=pathway,
        fasttrack=fasttrack,
        decision=decision,
        packet=packet,
    )


def fast_track(world: World, case: Case) -> FastTrack:
    """The case's fast track: suspected two hours ago, with neurological signs."""
    return meeting_services.fast_track_open(
        by=world.coordinator,
        case=case,
        neurological_signs=True,
        suspected_at=timezone.now() - dt.timedelta(hours=2),
    )


def fast_track_decision(world: World, case: Case) -> Decision:
    """A complete fast-track draft decision with two actions, recorded by the attending."""
    return meeting_services.decision_create(
        by=world.attending,
        case=case,
        kind="fast_track",
        intent="palliative",
        rationale="Cord compression with deficit: decompression, then radiotherapy.",
        follows_noms=True,
        plan={"surgery": {"procedure": "Decompression and stabilisation", "levels": ["T4"]}},
        actions=[
            {
                "kind": "surgery",
                "description": "Decompression",
                "owner": world.surgeon,
                "due_on": dt.date(2026, 12, 1),
            },
            {
                "kind": "radiotherapy",
                "description": "Radiotherapy after surgery",
                "owner_text": "Radiotherapy department",
                "due_on": dt.date(2026, 12, 20),
            },
        ],
    )


def ready_packet(meeting: Meeting) -> MeetingPacket:
    """A ready packet of the meeting's current agenda (rendering is measured elsewhere:
    ``tests/meetings/test_packets.py``); it names the agenda's patients."""
    patients = sorted(meeting.agenda_items.values_list("presentation__case__patient_id", flat=True))
    return MeetingPacket.objects.create(
        meeting=meeting,
        agenda_version=meeting.agenda_version,
        status="ready",
        html="<html><body>packet</body></html>",
        pdf=b"%PDF-1.7 packet",
        cases=len(patients),
        patient_ids=patients,
        built_at=timezone.now(),
    )


#: Extra lesions of the case shown (their levels), and as many clinical statuses and courses.
EXTRA_LEVELS = [("T8", "T8"), ("L1", "L2"), ("L4", "L4")]
#: Times the case shown is discussed and re-presented (a presentation and 3 status changes each).
RE_PRESENTATIONS = 2
#: More cases on the board, each with one of everything (``add_records``), by urgency.
EXTRA_URGENCIES = ["urgent", "emergency"]


def grow(scene: Scene) -> None:
    """More rows in every list and more children of every object a detail shows:

    * the case shown: 4 lesions, clinical statuses and prior radiotherapy courses; draft
      assessments of three more specialties on presentation 1, then two discussions and
      re-presentations (3 presentations, 8 status changes) and radiology's assessment of
      presentation 3;
    * its patient: a second case, and a link to the other board;
    * the surgeon (the API's persona): a second specialty on the board, which now expects
      pain management and palliative care too, and membership of a third board;
    * the lists: two more cases on the board (urgent, emergency) with one of everything, and a
      case on the third board with a lesion, a clinical status and the surgeon's draft: five
      cases in all, on two boards;
    * the surgeon's notifications: an assessment request for every presentation opened above;
    * meetings: a second series on the board and one on the third board, a one-off meeting
      there with a chair, an occurrence moved and one cancelled.

    The radiology assessment shown by the assessment detail gains the case's new lesions
    (its owned inputs are per lesion) and statuses.
    """
    w = scene.world
    case = scene.case
    sp = w.specialties

    # The personas' boards and roles first, so the writes below see the final permissions.
    third = Board.objects.create(institution=w.institution, name="Third Board")
    quorum = list(w.board.quorum_specialties.all())
    third.quorum_specialties.set(quorum)
    third.expected_specialties.set(quorum)
    for user, role, specialty in (
        (w.coordinator, Role.COORDINATOR, None),
        (w.surgeon, Role.SPECIALIST, sp[Specialty.SPINE_SURGERY]),
    ):
        services.membership_grant(
            by=w.admin, board=third, user=user, role=role, specialty=specialty
        )
    services.membership_grant(
        by=w.admin,
        board=w.board,
        user=w.surgeon,
        role=Role.SPECIALIST,
        specialty=sp[Specialty.PAIN_MANAGEMENT],
    )
    w.board.expected_specialties.add(sp[Specialty.PAIN_MANAGEMENT], sp[Specialty.PALLIATIVE_CARE])

    # The case shown.
    for i, (top, bottom) in enumerate(EXTRA_LEVELS, start=2):
        services.lesion_add(
            by=w.radiologist, case=case, level_from=top, level_to=bottom, **RADIOLOGY_LESION
        )
        services.clinical_status_record(
            by=w.coordinator, case=case, recorded_on=dt.date(2026, 11, i), karnofsky=90 - 10 * i
        )
        services.prior_radiotherapy_add(
            by=w.coordinator,
            case=case,
            level_from=top,
            level_to=bottom,
            dose_gy="20",
            fractions=5,
            treated_on=dt.date(2025, i, 1),
        )
    for author, code, details in (
        (w.surgeon, Specialty.SPINE_SURGERY, {"stability": "stable"}),
        (w.radonc, Specialty.RADIATION_ONCOLOGY, {}),
        (w.medonc, Specialty.MEDICAL_ONCOLOGY, {}),
    ):
        services.assessment_create(
            by=author, case=case, specialty=sp[code], details=details, opinion="draft"
        )
    for i in range(RE_PRESENTATIONS):
        services.case_transition(by=w.coordinator, case=case, transition="mark_ready")
        services.case_move(by=w.attending, case=case, transition="record_discussion")
        services.case_transition(
            by=w.coordinator, case=case, transition="re_present", reason=f"new weakness {i}"
        )
    services.assessment_create(
        by=w.radiologist,
        case=case,
        specialty=sp[Specialty.RADIOLOGY],
        details={"imaging_findings": "progression at L1"},
        opinion="Progression.",
    )

    # Its patient.
    make_case(w, patient=case.patient, clinical_question="The other lesion?")
    patient = case.patient
    services.patient_register_or_link(
        by=w.other_coordinator,
        board=w.other_board,
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
    )

    # More rows, on two boards.
    more = []
    for day, urgency in enumerate(EXTRA_URGENCIES, start=2):
        more.append(make_case(w, status="in_workup", urgency=urgency))
        add_records(w, more[-1], day=day)
    patient = services.patient_register(
        by=w.coordinator,
        board=third,
        mrn="THIRD-1",
        family_name="Elsewhere",
        given_name="Given",
        date_of_birth=dt.date(1950, 6, 1),
        sex="male",
    )
    elsewhere = services.case_refer(
        by=w.coordinator,
        patient=patient,
        board=third,
        referring_physician="Dr. Elsewhere",
        clinical_question="SBRT?",
        primary_tumor="lung",
    )
    services.case_transition(by=w.coordinator, case=elsewhere, transition="accept")
    services.lesion_add(by=w.coordinator, case=elsewhere, level_from="C5", level_to="C5")
    services.clinical_status_record(
        by=w.coordinator, case=elsewhere, recorded_on=dt.date(2026, 11, 5), karnofsky=60
    )
    services.assessment_create(
        by=w.surgeon, case=elsewhere, specialty=sp[Specialty.SPINE_SURGERY], details={}
    )

    # More meetings and series, on two boards.
    today = dt.date.today()  # noqa: DTZ011 (a date for the series only)
    for board, rule in ((w.board, "FREQ=WEEKLY;BYDAY=FR"), (third, "FREQ=WEEKLY;BYDAY=MO")):
        meeting_services.meeting_series_create(
            by=w.coordinator, board=board, rrule=rule, start_time=dt.time(16), starts_on=today
        )
    services.membership_grant(by=w.admin, board=third, user=w.attending, role=Role.ATTENDING)
    meeting_services.meeting_create(
        by=w.coordinator,
        board=third,
        starts_at=scene.meeting.starts_at + dt.timedelta(days=1),
        chair=w.attending,
        video_link="https://video.example.org/third",
    )
    first, second, *_ = scene.series.meetings.exclude(pk=scene.meeting.pk).order_by("starts_at")
    meeting_services.meeting_update(
        by=w.coordinator, meeting=first, starts_at=first.starts_at + dt.timedelta(hours=2)
    )
    meeting_services.meeting_cancel(by=w.coordinator, meeting=second, reason="Holiday")
    # The agenda shown: the two new cases (urgent, emergency: placed first) with presenters,
    # and an item on the third board's meeting for the agenda-items list.
    for extra, presenter in zip(more, (w.surgeon, w.attending), strict=True):
        meeting_services.agenda_item_add(
            by=w.coordinator,
            meeting=scene.meeting,
            presentation=extra.current_presentation,
            presenter=presenter,
        )
    meeting_services.agenda_item_add(
        by=w.coordinator,
        meeting=Meeting.objects.filter(board=third).earliest("starts_at"),
        presentation=Case.objects.get(pk=elsewhere.pk).current_presentation,
        late_reason="Within the cut-off",
    )

    # The board's week: another pathway and a new version of the first; the emergency case
    # fast-tracked with a draft decision; the signed decision amended (a second version, its
    # actions copied) and signed; the grown agenda's packet, a newer revision.
    meeting_services.standard_pathway_approve(
        by=w.attending,
        board=w.board,
        code="sf-rt",
        title="Single-fraction radiotherapy",
        recommendation="8 Gy in one fraction, version 2.",
        criteria=[{"fact": "sins_max", "op": "lt", "value": 7}],
    )
    meeting_services.standard_pathway_approve(
        by=w.attending,
        board=w.board,
        code="sbrt",
        title="SBRT for oligometastatic disease",
        recommendation="24 Gy in two fractions.",
        criteria=[{"fact": "cord_compression", "op": "eq", "value": False}],
    )
    emergency = more[EXTRA_URGENCIES.index("emergency")]
    fast_track(w, emergency)
    fast_track_decision(w, emergency)
    amendment = meeting_services.decision_amend(
        by=w.attending, decision=scene.decision, reason="Radiotherapy dose corrected."
    )
    meeting_services.decision_sign(by=w.attending, decision=amendment)
    ready_packet(Meeting.objects.get(pk=scene.meeting.pk))


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured request."""

    world: str  # which world: "small", "grown"…
    response: Any
    sql: list[str]


def measure(
    client: Any, request: str, scene: Scene, body: dict[str, str] | None, world: str
) -> Run:
    """Send ``request`` ("GET /api/v1/cases/{case}/", filled for ``scene``) and capture its
    queries. ``body`` (filled too) is sent as JSON."""
    method, url = request.split(" ", 1)
    url = scene.fill(url)  # before capturing: filling may load the patient's MRN
    data = {key: scene.fill(value) for key, value in (body or {}).items()}
    with CaptureQueriesContext(connection) as ctx:
        if method == "POST":
            response = client.post(url, data, format="json")
        else:
            response = client.generic(method, url)
    assert response.status_code == 200, (request, response.status_code, response.content[:500])
    return Run(world, response, [query["sql"] for query in ctx.captured_queries])


def measure_small_and_grown(
    client: Any, request: str, scene: Scene, body: dict[str, str] | None = None
) -> tuple[Run, Run]:
    """The request on the small world, then on the same world grown."""
    small = measure(client, request, scene, body, "small")
    grow(scene)
    return small, measure(client, request, scene, body, "grown")


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def _shape(sql: str) -> str:
    """The statement with its literal values blanked, so repeats of one query compare equal."""
    return _LITERALS.sub("?", sql)


def explain(request: str, expected: int, runs: list[Run]) -> str:
    """What a failure shows: every count, and for each run that missed, its numbered SQL and
    the statements it ran more than once (literal values blanked)."""
    counts = ", ".join(f"{len(r.sql)} on the {r.world} world" for r in runs)
    lines = [f"{request}: expected {expected} queries (the table), counted {counts}."]
    for run in runs:
        if len(run.sql) == expected:
            continue
        lines.append(f"\n--- {run.world} world: {len(run.sql)} queries ---")
        lines += [f"{n:>3}. {sql}" for n, sql in enumerate(run.sql, start=1)]
        repeated = [(shape, k) for shape, k in Counter(map(_shape, run.sql)).items() if k > 1]
        if repeated:
            lines.append("Run more than once (an N+1 runs one statement per row or child):")
            lines += [f"  {k} x {shape}" for shape, k in repeated]
    return "\n".join(lines)


def assert_exact(request: str, expected: int, *runs: Run) -> None:
    assert all(len(run.sql) == expected for run in runs), explain(request, expected, list(runs))


# --- The walk -------------------------------------------------------------------------------


def api_read_routes() -> set[str]:
    """The URL names of every GET endpoint under /api/v1/ (router, actions and plain views)."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name and prefix == "api/v1/":
                actions = getattr(pattern.callback, "actions", None)
                view = getattr(pattern.callback, "view_class", None)
                if (actions and "get" in actions) or (not actions and hasattr(view, "get")):
                    found.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return found


def route_of(request: str) -> str:
    """The URL name a table entry reaches (placeholders filled with an id)."""
    url = request.split(" ", 1)[1].split("?", 1)[0]
    return resolve(re.sub(r"\{\w+\}", "1", url)).url_name or ""
