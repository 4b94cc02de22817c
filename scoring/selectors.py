"""Reads of stored scores, scoped to the user's boards like every clinical read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.models import Case
from cases.permissions import Perm, board_ids
from scoring.domain import suggest_radiosensitivity, suggest_tomita_growth
from scoring.domain.vocabulary import PrimaryTumor

from .models import ScoreRecord


def score_records_for_user(user: Any) -> QuerySet[ScoreRecord]:
    return ScoreRecord.objects.filter(case__board_id__in=board_ids(user, Perm.VIEW)).select_related(
        "lesion", "case__patient", "case__board"
    )


def current_scores(case: Case) -> list[ScoreRecord]:
    """The case's current scores: patient-level first, then lesion by lesion."""
    records = ScoreRecord.objects.filter(case=case, is_current=True).select_related("lesion")
    return sorted(
        records,
        key=lambda r: (r.lesion_id is not None, r.lesion_id or 0, r.calculator),
    )


def suggestions(case: Case) -> dict[str, dict[str, str | None]]:
    """Histology-based suggestions for inputs a specialist must confirm (never applied)."""
    primary = PrimaryTumor(case.primary_tumor)
    growth = suggest_tomita_growth(primary)
    sensitivity = suggest_radiosensitivity(primary)
    return {
        "tumor_growth": {
            "suggested": growth.value if growth else None,
            "confirmed": case.tumor_growth or None,
            "owner": "medical_oncology",
        },
        "radiosensitivity": {
            "suggested": sensitivity.value if sensitivity else None,
            "confirmed": case.radiosensitivity or None,
            "owner": "radiation_oncology",
        },
    }
