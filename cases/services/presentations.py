"""Presentations of a case to the board: opened by accepting a referral or re-presenting."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Max

from ..models import Case, Presentation, PresentationKind
from ._common import _save


def presentation_open(*, case: Case, by: User | None, reason: str = "") -> Presentation:
    """Open the case's next presentation (1 at acceptance, then +1 at each re-presentation).

    Called by ``case_move`` inside its transaction, with the case row locked, so two openings
    of the same case cannot take the same number.
    """
    last = case.presentations.aggregate(last=Max("number"))["last"] or 0
    presentation = Presentation(
        case=case,
        number=last + 1,
        kind=PresentationKind.FIRST if last == 0 else PresentationKind.RE_PRESENTATION,
        reason=reason.strip(),
        opened_by=by,
    )
    return _save(presentation, by=by)
