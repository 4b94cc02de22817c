"""The pages' own reads, composed from the selectors of ``cases`` (so the scoping to the user's
boards is the API's, never re-implemented here)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet

from cases import selectors
from cases.models import CaseStatus, Patient

#: The fewest characters a patient search takes: one letter would list half the hospital.
SEARCH_MIN_LENGTH = 2
#: A case in one of these is over: listed after the patient's open cases.
FINISHED = (CaseStatus.CLOSED, CaseStatus.DECLINED, CaseStatus.WITHDRAWN)


def _name_matches(text: str) -> Q | None:
    """Family or given name containing ``text``, case-insensitive. "Family, Given" narrows
    to both; otherwise every word must appear in the family or the given name, so "Anna
    Lindqvist", "Lindqvist Anna" and "van der Berg" all find their patient."""
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        parts = []
        if family:
            parts.append(Q(family_name__icontains=family))
        if given:
            parts.append(Q(given_name__icontains=given))
    else:
        parts = [Q(family_name__icontains=w) | Q(given_name__icontains=w) for w in text.split()]
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition


def patients_matching(user: Any, query: str) -> QuerySet[Patient]:
    """The user's boards' patients (``cases.selectors.patients_for_user``: registered at, linked
    to or referred to one of them) whose MRN is ``query`` (exact, case-insensitive, trimmed) or
    whose name matches it (``_name_matches``), by family name.

    Each patient carries ``board_cases``: its cases on the user's boards only (a case at
    another board stays invisible even when the patient is shared), board joined, open ones
    before closed, declined and withdrawn, newest first. Two queries whatever the number of
    patients and cases. Callers check the length (``SEARCH_MIN_LENGTH``) and slice.
    """
    text = query.strip()
    condition = Q(mrn__iexact=text)
    by_name = _name_matches(text)
    if by_name is not None:
        condition |= by_name
    # Open cases first (what a clinician looking a patient up is after), then newest first
    # (``models.Case`` is SQL's CASE; the referral model is ``cases.models.Case``.)
    finished = models.Case(
        models.When(status__in=FINISHED, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )
    cases = (
        selectors.case_headers_for_user(user)
        .annotate(finished=finished)
        .order_by("finished", "-referred_on", "-id")
    )
    return (
        selectors.patients_for_user(user)
        .filter(condition)
        .order_by("family_name", "given_name", "id")
        .prefetch_related(Prefetch("cases", queryset=cases, to_attr="board_cases"))
    )
