"""Stored score results: what was computed, from which inputs, by which calculator version.

A row is never changed except to mark it superseded: when a case's inputs change, the
service stores a new current row and the old one stays as history.
"""

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from scoring.domain import CALCULATORS


class ScoreRecord(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="score_records")
    lesion = models.ForeignKey(
        "cases.SpinalLesion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_records",
        help_text="Set for per-lesion scores (SINS, ESCC, NOMS).",
    )
    calculator = models.CharField(max_length=40)
    status = models.CharField(max_length=30)
    total = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=60, blank=True)
    inputs = models.JSONField(help_text="Exactly what the calculator was given.")
    inputs_digest = models.CharField(max_length=64)
    result = models.JSONField(help_text="The calculator's full result, with its breakdown.")
    version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    observed = models.JSONField(
        default=dict,
        blank=True,
        help_text="For each dated input, the ISO date its value was observed.",
    )

    class Meta:
        # The table keeps the name it had when scores lived in the scoring app.
        db_table = "scoring_scorerecord"
        ordering = ["case", "lesion", "calculator", "-computed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "lesion", "calculator"],
                condition=Q(is_current=True, lesion__isnull=False),
                name="score_one_current_per_lesion",
            ),
            models.UniqueConstraint(
                fields=["case", "calculator"],
                condition=Q(is_current=True, lesion__isnull=True),
                name="score_one_current_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "is_current"], name="scoring_sco_case_id_b30ce5_idx")
        ]

    def __str__(self) -> str:
        return f"{self.calculator} of case #{self.case_id}: {self.status} {self.total}"

    @property
    def title(self) -> str:
        calculator = CALCULATORS.get(self.calculator)
        return calculator.title if calculator else self.calculator

    def input_ages(self, *, today: dt.date, stale_after_days: int) -> list[dict[str, Any]]:
        """The age of each dated input on ``today``, flagged ``stale`` when older than the
        board's limit (``Board.stale_input_days``)."""
        ages = []
        for param, iso in sorted(self.observed.items()):
            age = (today - dt.date.fromisoformat(iso)).days
            ages.append(
                {
                    "input": param,
                    "observed_on": iso,
                    "age_days": age,
                    "stale": age > stale_after_days,
                }
            )
        return ages

    @property
    def ages(self) -> list[dict[str, Any]]:
        """``input_ages`` today, against the case's board's limit (load the case and board
        with the record: selectors do)."""
        board = self.case.board
        return self.input_ages(today=timezone.localdate(), stale_after_days=board.stale_input_days)
