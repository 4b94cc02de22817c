"""Presentations of a case to the board: opened by accepting a referral or re-presenting."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify

from ..audit import audit_record
from ..models import (
    AssessmentStatus,
    AuditAction,
    Case,
    Membership,
    Presentation,
    PresentationKind,
    Role,
)
from .common import save_record

# The outbox kind of "please assess this case" (one per presentation and specialist).
ASSESSMENT_REQUEST = "assessment_request"


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
    save_record(presentation, by=by)
    assessment_requests_notify(presentation=presentation)
    return presentation


def presentations_discussion_start(
    *, presentations: Iterable[Presentation], by: User, detail: str
) -> int:
    """Mark the presentations' discussion as started now (a meeting with them on its agenda
    opened): under the board's independent opinions every specialist sees every assessment
    from then on. One already started keeps its time. Called inside the caller's transaction;
    returns how many were marked."""
    now = timezone.now()
    marked = 0
    for presentation in presentations:
        if presentation.discussion_started_at is not None:
            continue
        presentation.discussion_started_at = now
        save_record(presentation, by=by, changed=["discussion_started_at"])
        audit_record(
            user=by,
            action=AuditAction.UPDATE,
            obj=presentation,
            changed_fields=["discussion_started_at"],
            detail=detail,
        )
        marked += 1
    return marked


def assessment_requests_notify(*, presentation: Presentation) -> int:
    """Ask each specialist of the specialties the board expects to assess, who has not yet
    submitted for this presentation, for their assessment: one outbox row per specialist
    (naming all their specialties), written in the caller's transaction and delivered after
    commit. Idempotent per presentation and specialist. Returns the number of new rows.
    """
    case = presentation.case
    submitted = presentation.assessments.filter(status=AssessmentStatus.SUBMITTED).values(
        "specialty_id"
    )
    memberships = (
        Membership.objects.filter(
            board_id=case.board_id,
            role=Role.SPECIALIST,
            specialty__in=case.board.expected_specialties.all(),
            user__is_active=True,
        )
        .exclude(specialty_id__in=submitted)
        .select_related("user", "specialty")
        .order_by("user_id", "specialty__display_order")
    )
    by_user: dict[int, tuple[User, list[str]]] = {}
    for membership in memberships:
        name = membership.specialty.name if membership.specialty else ""
        by_user.setdefault(membership.user_id, (membership.user, []))[1].append(name)
    url = reverse("pages:case-detail", args=[case.pk])
    created = 0
    for user, specialties in by_user.values():
        context = {"case": case, "presentation": presentation, "specialties": specialties}
        created += notify(
            kind=ASSESSMENT_REQUEST,
            dedupe_key=f"presentation:{presentation.pk}",
            recipients=[user],
            subject=f"Assessment requested: case #{case.pk}",
            body=render_to_string("emails/assessment_request.txt", context),
            url=url,
            board_id=case.board_id,
        )
    return created
