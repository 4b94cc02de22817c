"""Benchmark: the cost of recomputing every score of one case, on a throw-away SQLite database.

    python -m bench.case_scores [--lesions N] [--rounds N]

Measures ``scoring.services.case_scores_recompute`` twice over: when every input changed (all
scores evaluated and stored) and when nothing changed (the common case: digests compared,
nothing written). Prints milliseconds per recompute and queries per recompute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lesions", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.test")
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from cases import services
    from cases.models import Board, Institution, Role, ScoreRecord, Specialty
    from cases.services import case_scores_recompute

    user = get_user_model().objects.create_user("bench", is_superuser=True, is_staff=True)
    institution = Institution.objects.create(name="Bench", code="bench")
    board = Board.objects.create(institution=institution, name="Bench board")
    board.quorum_specialties.set(Specialty.objects.all())
    services.membership_grant(by=user, board=board, user=user, role=Role.COORDINATOR)
    patient = services.patient_register(
        by=user,
        board=board,
        mrn="B1",
        family_name="Bench",
        given_name="Mark",
        date_of_birth=dt.date(1960, 1, 1),
        sex="male",
    )
    case = services.case_refer(
        by=user,
        patient=patient,
        board=board,
        referring_physician="Dr B",
        clinical_question="?",
        primary_tumor="breast",
    )
    services.case_transition(by=user, case=case, transition="accept")
    services.clinical_status_record(
        by=user,
        case=case,
        recorded_on=dt.date(2026, 11, 1),
        karnofsky=70,
        frankel_grade="E",
        extraspinal_bone_metastases_count=1,
        vertebral_metastases_count=args.lesions,
        visceral_metastases="none",
        ambulatory_status="independent",
        serum_albumin_g_dl="3.9",
        neurological_deficit="none",
    )
    levels = ["T3", "T6", "T9", "L2", "L4", "C4", "S2"]
    for level in levels[: args.lesions]:
        services.lesion_add(
            by=user,
            case=case,
            level_from=level,
            level_to=level,
            sins_pain="mechanical",
            sins_bone_lesion="lytic",
            sins_alignment="normal",
            sins_vertebral_body_collapse="none",
            sins_posterolateral_involvement="none",
            escc_grade="1a",
            mechanical_status="stable",
        )

    with CaptureQueriesContext(connection) as unchanged_queries:
        case_scores_recompute(case=case)
    start = time.perf_counter()
    for _ in range(args.rounds):
        case_scores_recompute(case=case)
    unchanged = (time.perf_counter() - start) / args.rounds

    def invalidate() -> None:
        ScoreRecord.objects.filter(case=case, is_current=True).update(inputs_digest="stale")

    invalidate()
    with CaptureQueriesContext(connection) as changed_queries:
        case_scores_recompute(case=case)
    total = 0.0
    for _ in range(args.rounds):
        invalidate()
        start = time.perf_counter()
        case_scores_recompute(case=case)
        total += time.perf_counter() - start
    changed = total / args.rounds
    scores = 5 + 3 * args.lesions
    print(f"case with {args.lesions} lesions = {scores} scores, SQLite in memory")
    print(
        f"{'recompute, nothing changed':<34}{unchanged * 1000:8.2f} ms  "
        f"{len(unchanged_queries):3d} queries"
    )
    print(
        f"{'recompute, every input changed':<34}{changed * 1000:8.2f} ms  "
        f"{len(changed_queries):3d} queries"
    )


if __name__ == "__main__":
    main()
