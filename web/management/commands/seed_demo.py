"""Demo data for the embedded default: two boards, users of every role, cases in every stage,
and the main board's weekly meetings. It lives in the top floor (web) because it seeds every
app below.

Idempotent: running it again changes nothing. It refuses to run unless DEBUG is on (or
``--force`` is given), because demo users have a published password.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    Board,
    Case,
    Institution,
    Patient,
    Presentation,
    Role,
    Specialty,
)
from meetings import services as meeting_services
from meetings.models import Decision, FastTrack, Meeting, MeetingSeries
from meetings.services.decisions import DecisionFields

DEMO_PASSWORD = "tumorboard-demo"  # noqa: S105 (a published demo password, DEBUG only)

USERS = [
    # username, first, last, role, specialty code
    ("coordinator", "Carla", "Coordinator", Role.COORDINATOR, None),
    ("attending", "Arthur", "Attending", Role.ATTENDING, None),
    ("surgeon", "Sofia", "Surgeon", Role.SPECIALIST, Specialty.SPINE_SURGERY),
    ("radonc", "Raj", "Radiation-Oncologist", Role.SPECIALIST, Specialty.RADIATION_ONCOLOGY),
    ("medonc", "Mei", "Medical-Oncologist", Role.SPECIALIST, Specialty.MEDICAL_ONCOLOGY),
    ("radiologist", "Rosa", "Radiologist", Role.SPECIALIST, Specialty.RADIOLOGY),
    ("pain", "Paul", "Pain-Specialist", Role.SPECIALIST, Specialty.PAIN_MANAGEMENT),
    ("palliative", "Pia", "Palliative-Care", Role.SPECIALIST, Specialty.PALLIATIVE_CARE),
    ("physiatrist", "Phil", "Physiatrist", Role.SPECIALIST, Specialty.PHYSICAL_MEDICINE),
]
NAMES = [username for username, *_ in USERS]
QUORUM = [
    Specialty.SPINE_SURGERY,
    Specialty.RADIATION_ONCOLOGY,
    Specialty.MEDICAL_ONCOLOGY,
    Specialty.RADIOLOGY,
]


BOARD = "Spine Metastasis Board"


def presentation_of(case: Case) -> Presentation:
    """The case's current presentation (the case is accepted)."""
    if case.current_presentation is None:
        raise CommandError(f"Case {case.pk} has not been accepted.")
    return case.current_presentation


class Command(BaseCommand):
    help = "Load demo boards, users of every role and cases (idempotent; DEBUG only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off (never in production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo users have a published password: refusing without DEBUG.")
        with transaction.atomic():
            created = self.seed()
            upcoming = self.seed_meetings()
            self.seed_week()
        self.stdout.write(f"Meetings: a weekly series of '{BOARD}', {upcoming} upcoming.")
        self.stdout.write(
            "The board's week: last week's meeting with signed decisions (one amended, one "
            "letter sent), the next meeting's agenda partly ready (one case triaged for "
            "ratification), and an open cord-compression fast track."
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready" + (" (created)" if created else "")))
        self.stdout.write(f"Log in at {settings.SITE_URL}/ with password '{DEMO_PASSWORD}':")
        self.stdout.write("  admin        — staff superuser (Django admin)")
        for username, *_rest, role, specialty in USERS:
            what = f"{role}" + (f" ({specialty})" if specialty else "")
            self.stdout.write(f"  {username:<12} — {what} on 'Spine Metastasis Board'")
        self.stdout.write("  other-coordinator — coordinator of 'Regional Spine Board' only")

    def user(self, username: str, first: str = "", last: str = "", **extra: Any) -> Any:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.invalid",
                **extra,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def seed_meetings(self) -> int:
        """The main board's weekly meeting series (Tuesdays 07:30 in the board's zone), kept
        extended; returns the number of upcoming meetings."""
        board = Board.objects.get(name=BOARD, institution__code="demo-hospital")
        series = MeetingSeries.objects.filter(board=board).first()
        if series is None:
            series = meeting_services.meeting_series_create(
                by=get_user_model().objects.get(username="coordinator"),
                board=board,
                rrule="FREQ=WEEKLY;BYDAY=TU",
                start_time=dt.time(7, 30),
                starts_on=timezone.localdate(),
                duration_minutes=60,
                place="Tumor board room 3",
                video_link="https://video.demo.invalid/spine-board",
            )
        else:
            meeting_services.series_extend(series=series)
        return series.meetings.filter(starts_at__gte=timezone.now()).count()

    def seed_week(self) -> None:
        """The board's week around today (once): last week's meeting, closed, with signed
        decisions — one amended, one letter sent —; the next meeting's agenda, partly ready,
        one case triaged for ratification of a standard pathway; an open fast track."""
        board = Board.objects.get(name=BOARD, institution__code="demo-hospital")
        if Decision.objects.filter(board=board).exists():
            return
        users = {u.username: u for u in get_user_model().objects.filter(username__in=NAMES)}
        coordinator, attending = users["coordinator"], users["attending"]
        specialties = {s.code: s for s in Specialty.objects.all()}
        board.on_call_specialties.set(
            [specialties[Specialty.SPINE_SURGERY], specialties[Specialty.RADIATION_ONCOLOGY]]
        )
        pathway = meeting_services.standard_pathway_approve(
            by=attending,
            board=board,
            code="sf-rt-painful-stable",
            title="Single-fraction radiotherapy for a painful stable lesion",
            recommendation="Single-fraction conventional radiotherapy, 8 Gy in 1 fraction, to "
            "the painful level; no surgery; review at 6 weeks.",
            criteria=[
                {"fact": "sins_max", "op": "lt", "value": 7},
                {"fact": "cord_compression", "op": "eq", "value": False},
                {"fact": "radiosensitivity", "op": "eq", "value": "radiosensitive"},
            ],
            plan={"radiotherapy": {"technique": "cebrt", "dose_gy": 8, "fractions": 1}},
        )

        # Last week's meeting: two cases decided and signed; one decision amended; one letter
        # sent.
        now = timezone.now()
        past = meeting_services.meeting_create(
            by=coordinator,
            board=board,
            starts_at=now - dt.timedelta(days=7),
            duration_minutes=60,
            place="Tumor board room 3",
            chair=attending,
        )
        decided = [
            self.past_case(
                board,
                users,
                mrn="D-100004",
                name=("Svensson", "Erik", dt.date(1952, 4, 2), "male"),
                question="NSCLC, painful L3 lesion, no deficit: radiotherapy alone?",
                primary="lung",
                level="L3",
            ),
            self.past_case(
                board,
                users,
                mrn="D-100005",
                name=("Haddad", "Fatima", dt.date(1961, 9, 30), "female"),
                question="Breast cancer, T8 lesion with mechanical pain: surgery first?",
                primary="breast",
                level="T8",
            ),
        ]
        items = [
            meeting_services.agenda_item_add(
                by=coordinator,
                meeting=past,
                presentation=presentation_of(case),
                late_reason="Demo history",
            )
            for case in decided
        ]
        meeting_services.meeting_start(by=attending, meeting=past)
        meeting_services.attendance_record(
            by=coordinator, meeting=past, user=users["physiatrist"], present=False
        )
        plans: list[DecisionFields] = [
            {
                "intent": "palliative",
                "rationale": "Painful, mechanically stable L3 lesion without compression: "
                "radiotherapy alone.",
                "follows_noms": True,
                "plan": {
                    "radiotherapy": {
                        "technique": "cebrt",
                        "dose_gy": 20,
                        "fractions": 5,
                        "target_levels": ["L3"],
                    },
                    "follow_up_imaging_weeks": 12,
                },
                "patient_preferences": "Prefers the shortest course.",
                "actions": [
                    {
                        "kind": "radiotherapy",
                        "description": "Plan and deliver 20 Gy in 5 fractions to L3",
                        "owner": users["radonc"],
                        "due_on": timezone.localdate() + dt.timedelta(days=7),
                    }
                ],
            },
            {
                "intent": "palliative",
                "rationale": "Potentially unstable T8 (SINS 10) with mechanical pain: "
                "percutaneous stabilisation, then radiotherapy.",
                "follows_noms": True,
                "plan": {
                    "surgery": {
                        "procedure": "Percutaneous stabilisation T7–T9",
                        "levels": ["T7", "T8", "T9"],
                    },
                    "radiotherapy": {
                        "technique": "cebrt",
                        "dose_gy": 8,
                        "fractions": 1,
                        "target_levels": ["T8"],
                    },
                },
                "dissent": [
                    {
                        "author": users["radonc"],
                        "opinion": "Would treat with SBRT first and stabilise only if pain "
                        "persists.",
                    }
                ],
                "actions": [
                    {
                        "kind": "surgery",
                        "description": "Percutaneous stabilisation T7–T9",
                        "owner": users["surgeon"],
                        "due_on": timezone.localdate() + dt.timedelta(days=3),
                    }
                ],
            },
        ]
        signed = []
        for item, fields in zip(items, plans, strict=True):
            draft = meeting_services.decision_create(by=attending, agenda_item=item, **fields)
            signed.append(meeting_services.decision_sign(by=attending, decision=draft))
        meeting_services.meeting_close(by=attending, meeting=past)
        meeting_services.decision_communicated(
            by=coordinator,
            decision=signed[0],
            sent_at=timezone.now(),
            method="letter",
            recipient=decided[0].referring_physician,
        )
        amendment = meeting_services.decision_amend(
            by=attending,
            decision=signed[1],
            reason="Radiotherapy dose corrected after the meeting: 20 Gy in 5 fractions.",
            plan={
                "surgery": {
                    "procedure": "Percutaneous stabilisation T7–T9",
                    "levels": ["T7", "T8", "T9"],
                },
                "radiotherapy": {
                    "technique": "cebrt",
                    "dose_gy": 20,
                    "fractions": 5,
                    "target_levels": ["T8"],
                },
            },
        )
        meeting_services.decision_sign(by=attending, decision=amendment)

        # The next meeting: Anna (urgent, partly ready) and Clara (ready: triaged for
        # ratification of the pathway).
        upcoming = (
            Meeting.objects.filter(board=board, status="scheduled", starts_at__gt=now)
            .order_by("starts_at")
            .first()
        )
        if upcoming is not None:
            for family in ("Lindqvist", "Nguyen"):
                case = Case.objects.get(board=board, patient__family_name=family)
                item = meeting_services.agenda_item_add(
                    by=coordinator,
                    meeting=upcoming,
                    presentation=presentation_of(case),
                    late_reason="Added with the demo data",
                )
                if family == "Nguyen":
                    meeting_services.agenda_item_triage(by=coordinator, item=item, pathway=pathway)

        # Bert's cord compression: accepted, on the fast track, MRI reported, no plan yet.
        bert = Case.objects.get(board=board, patient__family_name="Okafor")
        if bert.status == "referred":
            bert = services.case_transition(by=coordinator, case=bert, transition="accept")
        meeting_services.fast_track_open(
            by=coordinator,
            case=bert,
            neurological_signs=True,
            suspected_at=now - dt.timedelta(hours=6),
            notes="Legs weak since yesterday; on dexamethasone.",
        )
        track = FastTrack.objects.get(case=bert)
        meeting_services.fast_track_update(
            by=coordinator,
            fast_track=track,
            mri_done_at=now - dt.timedelta(hours=4),
            mri_reported_at=now - dt.timedelta(hours=3),
        )

    def past_case(
        self,
        board: Board,
        users: dict[str, Any],
        *,
        mrn: str,
        name: tuple[str, str, dt.date, str],
        question: str,
        primary: str,
        level: str,
    ) -> Case:
        """A routine case accepted for last week's meeting, with a clinical status, a lesion
        and radiology's submitted assessment."""
        coordinator = users["coordinator"]
        family, given, born, sex = name
        patient = services.patient_register(
            by=coordinator,
            board=board,
            mrn=mrn,
            family_name=family,
            given_name=given,
            date_of_birth=born,
            sex=sex,
        )
        case = services.case_refer(
            by=coordinator,
            patient=patient,
            board=board,
            referring_physician="Dr. A. Larsen (Oncology clinic)",
            referring_physician_contact="oncology-clinic@demo.invalid",
            clinical_question=question,
            primary_tumor=primary,
            expected_survival="6_to_12_months",
        )
        case = services.case_transition(by=coordinator, case=case, transition="accept")
        today = timezone.localdate()
        services.clinical_status_record(
            by=coordinator,
            case=case,
            recorded_on=today - dt.timedelta(days=10),
            karnofsky=70,
            ecog="1",
            frankel_grade="E",
            ambulatory_status="independent",
            neurological_deficit="none",
        )
        services.lesion_add(
            by=users["radiologist"],
            case=case,
            level_from=level,
            sins_bone_lesion="lytic",
            sins_alignment="normal",
            sins_vertebral_body_collapse="lt_50_percent",
            sins_posterolateral_involvement="none",
            escc_grade="0",
            imaging_date=today - dt.timedelta(days=12),
            imaging_modality="mri",
        )
        return case

    def seed(self) -> bool:
        admin = self.user("admin", "Ada", "Admin", is_staff=True, is_superuser=True)
        institution, created = Institution.objects.get_or_create(
            code="demo-hospital", defaults={"name": "Demo University Hospital"}
        )
        board, _ = Board.objects.get_or_create(
            institution=institution,
            name="Spine Metastasis Board",
            defaults={
                "default_meeting_weekday": 2,
                "default_meeting_time": dt.time(16, 0),
                "default_meeting_location": "Tumor board room 3 / video link",
            },
        )
        board.quorum_specialties.set(Specialty.objects.filter(code__in=QUORUM))
        # The main board has a specialist of every specialty and asks them all to assess.
        board.expected_specialties.set(Specialty.objects.all())
        other, _ = Board.objects.get_or_create(
            institution=institution,
            name="Regional Spine Board",
            defaults={"default_meeting_weekday": 4, "default_meeting_time": dt.time(8, 0)},
        )
        other.quorum_specialties.set(Specialty.objects.filter(code__in=QUORUM))
        other.expected_specialties.set(Specialty.objects.filter(code__in=QUORUM))

        specialties = {s.code: s for s in Specialty.objects.all()}
        users = {}
        for username, first, last, role, specialty in USERS:
            users[username] = user = self.user(username, first, last)
            services.membership_grant(
                by=admin,
                board=board,
                user=user,
                role=role,
                specialty=specialties[specialty] if specialty else None,
            )
        other_coordinator = self.user("other-coordinator", "Otto", "Elsewhere")
        services.membership_grant(
            by=admin, board=other, user=other_coordinator, role=Role.COORDINATOR
        )

        if not Case.objects.filter(board=board).exists():
            self.cases(board, other, users, other_coordinator, specialties)
        return created

    def cases(
        self,
        board: Board,
        other: Board,
        users: dict[str, Any],
        other_coordinator: Any,
        specialties: dict[str, Specialty],
    ) -> None:
        coordinator = users["coordinator"]
        today = dt.date.today()  # noqa: DTZ011 (demo dates only)

        def patient(
            mrn: str, family: str, given: str, born: dt.date, sex: str, on: Board, by: Any
        ) -> Patient:
            return services.patient_register(
                by=by,
                board=on,
                mrn=mrn,
                family_name=family,
                given_name=given,
                date_of_birth=born,
                sex=sex,
            )

        anna = patient(
            "D-100001", "Lindqvist", "Anna", dt.date(1958, 3, 14), "female", board, coordinator
        )
        case1 = services.case_refer(
            by=coordinator,
            patient=anna,
            board=board,
            referring_physician="Dr. K. Osei (Oncology clinic)",
            urgency="urgent",
            clinical_question="New T11 lesion, pain on movement: stabilise before radiotherapy?",
            primary_tumor="breast",
            primary_diagnosed_on=dt.date(2021, 6, 1),
            current_cancer_treatment="Letrozole + palbociclib since 2023",
            comorbidities="Type 2 diabetes",
            expected_survival="gt_12_months",
            family_support="good",
            patient_goals="Wants to keep walking to her garden; open to surgery.",
        )
        services.clinical_status_record(
            by=coordinator,
            case=case1,
            recorded_on=today - dt.timedelta(days=3),
            karnofsky=70,
            ecog="1",
            frankel_grade="E",
            ambulatory_status="independent",
            neurological_deficit="none",
            neurological_symptom_tempo="none",
            extraspinal_bone_metastases_count=2,
            vertebral_metastases_count=1,
            serum_albumin_g_dl=Decimal("3.9"),
        )
        # Each scoring judgement is entered by the specialty that owns it.
        services.clinical_status_update(
            by=users["medonc"],
            status=case1.clinical_statuses.get(),
            visceral_metastases="none",
            visceral_metastases_treatability="none",
            bone_metastases_extent="multiple",
            systemic_disease_status="stable",
        )
        lesion = services.lesion_add(
            by=users["radiologist"],
            case=case1,
            level_from="T11",
            level_to="T12",
            sins_bone_lesion="lytic",
            sins_alignment="normal",
            sins_vertebral_body_collapse="lt_50_percent",
            sins_posterolateral_involvement="unilateral",
            escc_grade="1b",
            pathologic_fracture=True,
            imaging_date=today - dt.timedelta(days=5),
            imaging_modality="mri",
            image_viewer_url="https://pacs.demo.invalid/viewer?study=demo-1&level=T11",
        )
        services.lesion_update(
            by=users["surgeon"],
            lesion=lesion,
            sins_pain="mechanical",
            mechanical_status="mechanical_pain_no_gross_instability",
        )
        services.case_scoring_inputs_update(by=users["medonc"], case=case1, tumor_growth="slow")
        services.case_scoring_inputs_update(
            by=users["radonc"], case=case1, radiosensitivity="radiosensitive"
        )
        services.case_scoring_inputs_update(
            by=users["surgeon"],
            case=case1,
            able_to_tolerate_surgery=True,
            able_to_tolerate_percutaneous=True,
        )
        services.case_transition(by=coordinator, case=case1, transition="accept")
        draft = services.assessment_create(
            by=users["radiologist"],
            case=case1,
            specialty=specialties[Specialty.RADIOLOGY],
            # The ESCC grade and SINS imaging items are on the lesion (entered above), once.
            details={
                "imaging_findings": "Lytic T11 lesion, <50% collapse, one pedicle involved.",
            },
            opinion="SINS potentially unstable; no high-grade compression.",
        )
        services.assessment_change_status(
            by=users["radiologist"], assessment=draft, transition="submit"
        )
        services.assessment_create(
            by=users["surgeon"],
            case=case1,
            specialty=specialties[Specialty.SPINE_SURGERY],
            details={"stability": "potentially_unstable"},
            opinion="Leaning towards percutaneous stabilisation; will review images.",
        )

        bert = patient(
            "D-100002", "Okafor", "Bert", dt.date(1949, 11, 2), "male", board, coordinator
        )
        case2 = services.case_refer(
            by=coordinator,
            patient=bert,
            board=board,
            referring_physician="Dr. L. Meyer (Emergency department)",
            urgency="emergency",
            clinical_question="RCC, T6 ESCC grade 3, legs weak since yesterday.",
            primary_tumor="kidney",
            expected_survival="6_to_12_months",
        )
        services.clinical_status_record(
            by=coordinator,
            case=case2,
            recorded_on=today,
            karnofsky=50,
            ecog="3",
            frankel_grade="D",
            ambulatory_status="with_aid",
            neurological_deficit="myelopathy",
            neurological_symptom_tempo="hours",
        )
        services.clinical_status_update(
            by=users["medonc"],
            status=case2.clinical_statuses.get(),
            visceral_metastases="removable",
        )
        services.lesion_add(
            by=users["radiologist"],
            case=case2,
            level_from="T6",
            level_to="T6",
            escc_grade="3",
            imaging_modality="mri",
            imaging_date=today,
        )

        clara = patient(
            "D-100003", "Nguyen", "Clara", dt.date(1967, 7, 21), "female", board, coordinator
        )
        case3 = services.case_refer(
            by=coordinator,
            patient=clara,
            board=board,
            referring_physician="Dr. S. Ruiz",
            clinical_question="Multiple myeloma, L2 pain: radiotherapy alone?",
            primary_tumor="multiple_myeloma",
            expected_survival="gt_12_months",
        )
        services.case_transition(by=coordinator, case=case3, transition="accept")
        services.clinical_status_record(
            by=coordinator,
            case=case3,
            recorded_on=today,
            karnofsky=80,
            ecog="1",
            frankel_grade="E",
            ambulatory_status="independent",
            neurological_deficit="none",
            extraspinal_bone_metastases_count=3,
            vertebral_metastases_count=1,
            serum_albumin_g_dl=Decimal("4.1"),
        )
        l2 = services.lesion_add(by=coordinator, case=case3, level_from="L2")
        # Each specialty enters the score inputs it owns from its own assessment, once, on the
        # record where they live (the lesion, the clinical status, the case).
        for username, code, details, inputs in [
            (
                "surgeon",
                Specialty.SPINE_SURGERY,
                {"stability": "stable", "surgical_candidate": "no", "proposed_procedure": "none"},
                {
                    "lesion.sins_pain": "occasional_non_mechanical",
                    "lesion.mechanical_status": "stable",
                    "case.able_to_tolerate_surgery": True,
                    "case.able_to_tolerate_percutaneous": True,
                },
            ),
            (
                "radonc",
                Specialty.RADIATION_ONCOLOGY,
                {"proposed_technique": "cebrt", "dose_gy": "20", "fractions": 5},
                {
                    "case.radiosensitivity": "radiosensitive",
                    "case.able_to_tolerate_local_treatment": True,
                },
            ),
            (
                "medonc",
                Specialty.MEDICAL_ONCOLOGY,
                {"expected_survival": "gt_12_months", "trial_eligible": "no"},
                {
                    "clinical_status.visceral_metastases": "none",
                    "clinical_status.visceral_metastases_treatability": "none",
                    "clinical_status.bone_metastases_extent": "multiple",
                    "case.tumor_growth": "slow",
                },
            ),
            (
                "radiologist",
                Specialty.RADIOLOGY,
                {"imaging_findings": "Lytic L2 lesion without collapse."},
                {
                    "lesion.sins_bone_lesion": "lytic",
                    "lesion.sins_alignment": "normal",
                    "lesion.sins_vertebral_body_collapse": "no_collapse_gt_50_percent_involved",
                    "lesion.sins_posterolateral_involvement": "none",
                    "lesion.escc_grade": "0",
                    "lesion.pathologic_fracture": False,
                },
            ),
        ]:
            assessment = services.assessment_create(
                by=users[username],
                case=case3,
                specialty=specialties[code],
                details=cast(dict[str, Any], details),
                opinion="See structured fields.",
                inputs=[
                    {"key": key, "value": value, "lesion": l2.pk}
                    for key, value in cast(dict[str, Any], inputs).items()
                ],
            )
            services.assessment_change_status(
                by=users[username], assessment=assessment, transition="submit"
            )
        # The board also expects pain, palliative care and rehabilitation: the case is ready
        # once they have assessed too.
        for username, code, details in [
            ("pain", Specialty.PAIN_MANAGEMENT, {"pain_score_nrs": 5}),
            (
                "palliative",
                Specialty.PALLIATIVE_CARE,
                {"goals_of_care": "Stay independent at home.", "code_status": "full_code"},
            ),
            ("physiatrist", Specialty.PHYSICAL_MEDICINE, {"rehabilitation_potential": "good"}),
        ]:
            assessment = services.assessment_create(
                by=users[username],
                case=case3,
                specialty=specialties[code],
                details=cast(dict[str, Any], details),
                opinion="See structured fields.",
            )
            services.assessment_change_status(
                by=users[username], assessment=assessment, transition="submit"
            )
        services.case_transition(by=coordinator, case=case3, transition="mark_ready")

        dora = patient(
            "R-200001", "Berg", "Dora", dt.date(1955, 1, 9), "female", other, other_coordinator
        )
        services.case_refer(
            by=other_coordinator,
            patient=dora,
            board=other,
            referring_physician="Dr. H. Kim",
            clinical_question="Prostate cancer, L4 lesion: anything beyond radiotherapy?",
            primary_tumor="prostate",
        )
