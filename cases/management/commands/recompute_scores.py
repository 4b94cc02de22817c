"""Bring every case's stored scores in line with its records and the current calculators.

Run it after a calculator's version changes (a deployment that fixes or extends a score):
each case whose inputs or calculator versions differ gets new current rows; the old rows stay
as history. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.models import Case, ScoreRecord
from cases.services import case_scores_recompute


class Command(BaseCommand):
    help = "Recompute the stored scores of every case (or of the given case ids)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("case_ids", nargs="*", type=int, help="Only these cases.")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = Case.objects.order_by("pk")
        if options["case_ids"]:
            cases = cases.filter(pk__in=options["case_ids"])
        before = ScoreRecord.objects.count()
        count = 0
        for case in cases.iterator(chunk_size=200):
            case_scores_recompute(case=case)  # one transaction per case
            count += 1
        written = ScoreRecord.objects.count() - before
        self.stdout.write(f"{count} case(s) checked, {written} new score version(s) stored.")
