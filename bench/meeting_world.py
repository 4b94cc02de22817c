"""A board with one meeting of N cases, for the meetings benchmarks (not a test fixture).

Cases are referred and accepted through the services (so each has its presentation and status
history) and put on the meeting's agenda through the agenda service; their records (a clinical
status, several lesions, the assessments of several specialties) are bulk-inserted, then every
case's scores are recomputed through the scoring service, as the product stores them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SPECIALISTS = [
    "spine_surgery",
    "radiation_oncology",
    "medical_oncology",
    "radiology",
    "pain_management",
    "palliative_care",
    "physical_medicine",
]
LEVELS = ["T3", "T6", "T9", "L2", "L4", "C4", "S2"]


@dataclass
class MeetingWorld:
    board: Any
    meeting: Any
    coordinator: Any
    attending: Any
    specialists: dict[str, Any] = field(default_factory=dict)
    cases: list[Any] = field(default_factory=list)


def build(n_cases: int, *, lesions: int = 3, submitted: int = 4) -> MeetingWorld:
    """A board expecting seven specialties, one specialist each, and a meeting in three days
    with ``n_cases`` cases on its agenda; each case has ``lesions`` lesions and the submitted
    assessments of the first ``submitted`` specialties (the rest are missing)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cases import services
    from cases.models import (
        Board,
        ClinicalStatus,
        Institution,
        Role,
        Specialty,
        SpecialtyAssessment,
        SpinalLesion,
    )
    from meetings import services as meeting_services

    users = get_user_model().objects
    n = users.count()
    admin = users.create_user(f"bench-admin-{n}", is_superuser=True, is_staff=True)
    institution = Institution.objects.create(name=f"Bench {n}", code=f"bench-{n}")
    board = Board.objects.create(institution=institution, name="Bench board")
    specialties = {s.code: s for s in Specialty.objects.all()}
    board.quorum_specialties.set([specialties[c] for c in SPECIALISTS[:4]])
    board.expected_specialties.set([specialties[c] for c in SPECIALISTS])

    def member(name: str, role: str, specialty: str | None = None) -> Any:
        user = users.create_user(f"{name}-{n}", email=f"{name}-{n}@example.org")
        services.membership_grant(
            by=admin,
            board=board,
            user=user,
            role=role,
            specialty=specialties[specialty] if specialty else None,
        )
        return user

    world = MeetingWorld(
        board=board,
        meeting=None,
        coordinator=member("coordinator", Role.COORDINATOR),
        attending=member("attending", Role.ATTENDING),
    )
    for code in SPECIALISTS:
        world.specialists[code] = member(code, Role.SPECIALIST, code)
    world.meeting = meeting_services.meeting_create(
        by=world.coordinator,
        board=board,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=max(60, 10 * n_cases),
    )
    radiologist = world.specialists["radiology"]
    for i in range(n_cases):
        patient = services.patient_register(
            by=world.coordinator,
            board=board,
            mrn=f"B{n}-{i:05d}",
            family_name=f"Bench{i}",
            given_name="Patient",
            date_of_birth=dt.date(1950 + i % 40, 1, 1),
            sex="female" if i % 2 else "male",
        )
        case = services.case_refer(
            by=world.coordinator,
            patient=patient,
            board=board,
            referring_physician="Dr. Referrer",
            clinical_question="Radiotherapy or surgery?",
            primary_tumor=["breast", "lung", "prostate", "kidney"][i % 4],
            urgency=["routine", "routine", "urgent", "emergency"][i % 4],
        )
        case = services.case_transition(by=world.coordinator, case=case, transition="accept")
        world.cases.append(case)
    today = timezone.localdate()
    ClinicalStatus.objects.bulk_create(
        ClinicalStatus(
            case=case,
            recorded_on=today,
            karnofsky=70,
            ecog="1",
            frankel_grade="E",
            ambulatory_status="independent",
            neurological_deficit="none",
            recorded_by=world.coordinator,
        )
        for case in world.cases
    )
    SpinalLesion.objects.bulk_create(
        SpinalLesion(
            case=case,
            level_from=level,
            level_to=level,
            sins_pain="mechanical",
            sins_bone_lesion="lytic",
            sins_alignment="normal",
            sins_vertebral_body_collapse="lt_50_percent",
            sins_posterolateral_involvement="none",
            escc_grade="1a",
            imaging_date=today,
            imaging_modality="mri",
            recorded_by=radiologist,
        )
        for case in world.cases
        for level in LEVELS[:lesions]
    )
    now = timezone.now()
    SpecialtyAssessment.objects.bulk_create(
        SpecialtyAssessment(
            case=case,
            presentation_id=case.current_presentation_id,
            specialty=specialties[code],
            author=world.specialists[code],
            status="submitted",
            submitted_at=now,
            opinion=f"{code} opinion for case {case.pk}.",
        )
        for case in world.cases
        for code in SPECIALISTS[:submitted]
    )
    for case in world.cases:
        services.case_scores_recompute(case=case)
        meeting_services.agenda_item_add(
            by=world.coordinator,
            meeting=world.meeting,
            presentation=case.current_presentation,
            late_reason="Benchmark",
        )
    return world


def setup_django(default_db: str = "sqlite:////tmp/tumorboard-bench.sqlite3") -> None:
    """Configure Django for a benchmark: DATABASE_URL (PostgreSQL for figures that count),
    else a throw-away SQLite file; migrate it."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.test")
    os.environ.setdefault("DATABASE_URL", default_db)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
