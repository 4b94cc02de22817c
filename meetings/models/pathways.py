"""The board's library of standard pathways: protocol recommendations its attendings approved,
each with criteria written against the case's scores and data (``meetings.domain.criteria``).

A pathway version is never edited: a change is a new version of the same ``code`` (the old one
is kept, so a ratification always names the exact version it used) and retiring one stops it
from being offered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Intent(models.TextChoices):
    PALLIATIVE = "palliative", "Palliative"
    CURATIVE = "curative", "Curative"
    NO_TREATMENT = "no_treatment", "No anti-cancer treatment"


class StandardPathway(models.Model):
    """One approved version of a standard pathway of a board."""

    board = models.ForeignKey(
        "cases.Board", on_delete=models.PROTECT, related_name="standard_pathways"
    )
    code = models.SlugField(max_length=60, help_text="Stable name of the pathway across versions.")
    version = models.PositiveSmallIntegerField(editable=False)
    title = models.CharField(max_length=200)
    recommendation = models.TextField(
        help_text="The recommendation prefilled in a ratification's decision."
    )
    intent = models.CharField(max_length=20, choices=Intent.choices, default=Intent.PALLIATIVE)
    plan = models.JSONField(default=dict, blank=True, help_text="The decision's plan, prefilled.")
    criteria = models.JSONField(
        help_text='All must hold, e.g. [{"fact": "sins_max", "op": "lt", "value": 7}].'
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "code", "version"], name="pathway_unique_version"
            ),
            models.UniqueConstraint(
                fields=["board", "code"],
                condition=Q(retired_at__isnull=True),
                name="pathway_one_live_version",
                violation_error_message="A live version of this pathway exists already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"
