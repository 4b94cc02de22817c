"""Benchmarks of the board's week: the agenda of a 60-case meeting (against the same rows read
by hand-written SQL), the pre-meeting packet of a 40-case meeting (HTML and PDF separately)
and the reminder sweep for 40 cases × 7 specialties.

    python -m bench.meetings [--rounds N]                     # SQLite file (throw-away)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tumorboard_bench python -m bench.meetings

A plain script, not a test: it prints medians of ``--rounds`` runs (milliseconds) and the
queries each run. On PostgreSQL the database named in DATABASE_URL is dropped and created.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

#: The floor for the agenda: every row the agenda endpoint reads (items with their case and
#: presentation; the presentations' submitted assessments; the cases' lesions, clinical
#: statuses and current scores; the board's expected specialties), in six hand-written
#: statements, fetched into tuples. No serialization: the endpoint's cost above this is
#: Django, DRF, readiness rules and JSON.
AGENDA_SQL = [
    """SELECT i.id, i.position, i.minutes_allotted, i.kind, i.late, i.late_reason,
              i.carried_over, i.presenter_id, i.pathway_id, i.version,
              p.id, p.number, p.kind, p.reason, c.id, c.urgency, c.status,
              c.clinical_question, c.referring_physician, c.primary_tumor, c.radiosensitivity
       FROM meetings_agendaitem i
       JOIN cases_presentation p ON p.id = i.presentation_id
       JOIN cases_case c ON c.id = p.case_id
       WHERE i.meeting_id = %s ORDER BY i.position, i.id""",
    """SELECT a.presentation_id, s.code, a.status FROM cases_specialtyassessment a
       JOIN cases_specialty s ON s.id = a.specialty_id
       WHERE a.presentation_id IN (SELECT presentation_id FROM meetings_agendaitem
                                   WHERE meeting_id = %s)""",
    """SELECT l.* FROM cases_spinallesion l
       WHERE l.case_id IN (SELECT p.case_id FROM meetings_agendaitem i
                           JOIN cases_presentation p ON p.id = i.presentation_id
                           WHERE i.meeting_id = %s)""",
    """SELECT s.* FROM cases_clinicalstatus s
       WHERE s.case_id IN (SELECT p.case_id FROM meetings_agendaitem i
                           JOIN cases_presentation p ON p.id = i.presentation_id
                           WHERE i.meeting_id = %s)""",
    """SELECT r.* FROM scoring_scorerecord r
       WHERE r.is_current AND r.case_id IN (SELECT p.case_id FROM meetings_agendaitem i
                           JOIN cases_presentation p ON p.id = i.presentation_id
                           WHERE i.meeting_id = %s)""",
    """SELECT s.code FROM cases_specialty s
       JOIN cases_board_expected_specialties e ON e.specialty_id = s.id
       JOIN meetings_meeting m ON m.board_id = e.board_id WHERE m.id = %s""",
]


def median_ms(run: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def queries_of(run: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database (named in DATABASE_URL)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        fresh_postgres(url)
    else:
        path = "/tmp/tumorboard-bench.sqlite3"  # noqa: S108 (a throw-away benchmark file)
        if os.path.exists(path):
            os.remove(path)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    from bench.meeting_world import setup_django

    setup_django()
    import logging

    logging.disable(logging.INFO)  # the in-process outbox logs every delivery
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.meeting_world import build
    from meetings import documents
    from meetings.services import reminders_send_due

    print(f"database: {connection.vendor}; medians of {args.rounds} runs")

    # 1. The agenda of a 60-case meeting, 3 lesions and 4 of 7 assessments each.
    world = build(60)
    client = Client(HTTP_HOST="localhost")  # an allowed host of the settings
    client.force_login(world.specialists["spine_surgery"])
    url = f"/api/v1/meetings/{world.meeting.pk}/agenda/"

    def agenda() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()) == 60

    def floor() -> None:
        with connection.cursor() as cursor:
            for sql in AGENDA_SQL:
                cursor.execute(sql, [world.meeting.pk])
                cursor.fetchall()

    agenda()
    endpoint_ms, floor_ms = median_ms(agenda, args.rounds), median_ms(floor, args.rounds)
    print(
        f"agenda, 60 cases: endpoint {endpoint_ms:.1f} ms ({queries_of(agenda)} queries), "
        f"hand-written SQL {floor_ms:.1f} ms ({len(AGENDA_SQL)} statements): "
        f"ratio {endpoint_ms / floor_ms:.1f}×"
    )

    # 2. The packet of a 40-case meeting: HTML, then the PDF of that HTML.
    packet_world = build(40)
    meeting = packet_world.meeting
    html_ms = median_ms(lambda: documents.packet_html(meeting), args.rounds)
    html = documents.packet_html(meeting)[0]
    pdf_rounds = max(3, args.rounds // 5)
    pdf_ms = median_ms(lambda: documents.html_to_pdf(html), pdf_rounds)
    print(
        f"packet, 40 cases: HTML {html_ms:.0f} ms "
        f"({queries_of(lambda: documents.packet_html(meeting))} queries, "
        f"{len(html) // 1024} KiB); PDF {pdf_ms:.0f} ms (median of {pdf_rounds})"
    )

    # 3. The reminder sweep at 72 h before a 40-case meeting, 7 specialties expected (the
    # 60-case meeting is taken out of it).
    from meetings.models import Meeting

    Meeting.objects.filter(pk=world.meeting.pk).update(status="cancelled")
    at = meeting.starts_at - timezone.timedelta(hours=71)

    def sweep_first() -> int:
        from notifications.models import Notification

        Notification.objects.filter(kind__startswith="meeting_").delete()
        return reminders_send_due(now=at)

    created = sweep_first()
    first_ms = median_ms(sweep_first, args.rounds)
    again_ms = median_ms(lambda: reminders_send_due(now=at), args.rounds)
    print(
        f"reminder sweep, 40 cases × 7 specialties: {first_ms:.1f} ms writing {created} "
        f"reminders ({queries_of(sweep_first)} queries); {again_ms:.1f} ms when already sent "
        f"({queries_of(lambda: reminders_send_due(now=at))} queries)"
    )


if __name__ == "__main__":
    main()
