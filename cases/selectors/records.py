"""Every read of the cases app, scoped to the user's boards from the first line.

An object outside the user's boards is simply not in the queryset, so callers answer 404
exactly as for an object that does not exist. Each selector joins or prefetches what its
callers show, so a page of 1 or 50 rows costs the same number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from ..models import (
    AssessmentStatus,
    AuditEvent,
    Board,
    Case,
    ClinicalStatus,
    Membership,
    Patient,
    PatientBoardLink,
    Presentation,
    PriorRadiotherapy,
    Role,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
    Urgency,
)
from ..permissions import Perm, board_ids, has_perm
from ..workflow import Transition, transitions_from

#: Clinical order of urgency, higher = more urgent (not alphabetical): ``-urgency_level`` puts
#: emergencies first. Exposed to the API's ``?ordering=urgency`` / ``-urgency``.
URGENCY_LEVEL = {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.EMERGENCY: 2}
#: The default order of every list of cases: most urgent first, then newest first.
CASE_ORDER = ("-urgency_level", "-created_at", "-id")


def _visible(user: Any) -> frozenset[int]:
    return board_ids(user, Perm.VIEW)


def boards_for_user(user: Any) -> QuerySet[Board]:
    if not user.is_authenticated:
        return Board.objects.none()
    return (
        Board.objects.filter(pk__in=_visible(user))
        .select_related("institution")
        .prefetch_related(
            "quorum_specialties",
            "expected_specialties",
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(user=user).select_related("specialty"),
                to_attr="my_memberships",
            ),
        )
    )


def memberships_for_user(user: Any) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, board__in=_visible(user)).select_related(
        "board", "specialty"
    )


def patients_for_user(user: Any) -> QuerySet[Patient]:
    """Patients registered by, linked to (``PatientBoardLink``) or referred to the user's
    boards."""
    boards = _visible(user)
    referred_here = Case.objects.filter(patient=OuterRef("pk"), board_id__in=boards)
    linked_here = PatientBoardLink.objects.filter(patient=OuterRef("pk"), board_id__in=boards)
    return Patient.objects.filter(
        Q(registered_board_id__in=boards) | Exists(referred_here) | Exists(linked_here)
    ).select_related("institution", "registered_board")


def _urgency_level() -> models.Case:
    """``Case``/``When`` over the urgency (``models.Case``: ``Case`` is the referral model)."""
    return models.Case(
        *(
            models.When(urgency=urgency, then=models.Value(level))
            for urgency, level in URGENCY_LEVEL.items()
        ),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def cases_for_user(user: Any) -> QuerySet[Case]:
    """The cases of the user's boards, most urgent first (emergency, urgent, routine), then
    newest first; ``urgency_level`` is annotated for ordering."""
    return (
        Case.objects.filter(board_id__in=_visible(user))
        .annotate(urgency_level=_urgency_level())
        .order_by(*CASE_ORDER)
        .select_related("patient", "board", "created_by", "current_presentation")
        .prefetch_related(
            "board__expected_specialties",
            Prefetch(
                "assessments",
                queryset=SpecialtyAssessment.objects.filter(status=AssessmentStatus.SUBMITTED).only(
                    "id", "case_id", "specialty_id", "presentation_id", "status"
                ),
                to_attr="submitted_assessments",
            ),
        )
    )


def case_headers_for_user(user: Any) -> QuerySet[Case]:
    """The cases of the user's boards with their board and patient only: for endpoints that
    show something else of a case (its scores, its status history)."""
    return Case.objects.filter(board_id__in=_visible(user)).select_related("board", "patient")


def missing_specialties(case: Case) -> list[Specialty]:
    """Specialties the board expects to assess, with no submitted assessment for the current
    presentation.

    Works on a case from ``cases_for_user`` without further queries.
    """
    done = {
        a.specialty_id
        for a in case.submitted_assessments  # type: ignore[attr-defined]
        if a.presentation_id == case.current_presentation_id
    }
    return [s for s in case.board.expected_specialties.all() if s.pk not in done]


def cases_missing_specialty(cases: QuerySet[Case], specialty_code: str) -> QuerySet[Case]:
    """Cases whose board expects ``specialty_code`` to assess and whose current presentation
    still lacks its submitted assessment."""
    submitted = SpecialtyAssessment.objects.filter(
        case=OuterRef("pk"),
        presentation=OuterRef("current_presentation"),
        specialty__code=specialty_code,
        status=AssessmentStatus.SUBMITTED,
    )
    expected = Board.expected_specialties.through.objects.filter(
        board_id=OuterRef("board_id"), specialty__code=specialty_code
    )
    return cases.filter(Exists(expected)).exclude(Exists(submitted))


def _case_children(model: Any, user: Any) -> QuerySet[Any]:
    return model.objects.filter(case__board_id__in=_visible(user)).select_related(
        "case__patient", "case__board", "recorded_by"
    )


def clinical_statuses_for_user(user: Any) -> QuerySet[ClinicalStatus]:
    return _case_children(ClinicalStatus, user)


def lesions_for_user(user: Any) -> QuerySet[SpinalLesion]:
    return _case_children(SpinalLesion, user)


def prior_radiotherapy_for_user(user: Any) -> QuerySet[PriorRadiotherapy]:
    return _case_children(PriorRadiotherapy, user)


def presentations_for_user(user: Any) -> QuerySet[Presentation]:
    return Presentation.objects.filter(case__board_id__in=_visible(user)).select_related(
        "case__patient", "case__board", "opened_by"
    )


def assessment_visibility(user: Any) -> Q:
    """The row rule of independent opinions (``Board.independent_opinions``), as one filter.

    On a board that asks for independent opinions a specialist sees another specialty's
    assessment of a presentation only once they have submitted their own specialty's
    assessment of that presentation (ever: once submitted, reopening it does not hide again
    what they have seen) or once its discussion has started
    (``Presentation.discussion_started_at``, set when a meeting with it on the agenda starts).
    Their own specialty's assessments they always see. Attendings and coordinators of the
    board see every assessment: they run the meeting and chase what is missing. Superusers
    see all (staff, like the admin).

    Subqueries only (``Exists``), no per-row Python: a list costs the same number of queries
    with or without the rule.
    """
    if getattr(user, "is_superuser", False):
        return Q()
    mine = Membership.objects.filter(user_id=user.pk, board_id=OuterRef("case__board_id"))
    runs_meeting = mine.filter(role__in=[Role.ATTENDING, Role.COORDINATOR])
    same_specialty = mine.filter(role=Role.SPECIALIST, specialty_id=OuterRef("specialty_id"))
    own_submitted = SpecialtyAssessment.objects.filter(
        presentation_id=OuterRef("presentation_id"),
        submitted_at__isnull=False,
        specialty_id__in=Membership.objects.filter(
            user_id=user.pk, role=Role.SPECIALIST, board_id=OuterRef("case__board_id")
        ).values("specialty_id"),
    )
    return (
        Q(case__board__independent_opinions=False)
        | Q(presentation__discussion_started_at__isnull=False)
        | Q(Exists(runs_meeting))
        | Q(Exists(same_specialty))
        | Q(Exists(own_submitted))
    )


def visible_assessments(user: Any) -> QuerySet[SpecialtyAssessment]:
    """The assessments of the user's boards the user may read (independent opinions applied),
    plain: for a ``Prefetch`` of a case's or presentation's assessments (the case page)."""
    return SpecialtyAssessment.objects.filter(case__board_id__in=_visible(user)).filter(
        assessment_visibility(user)
    )


def assessments_for_user(user: Any) -> QuerySet[SpecialtyAssessment]:
    """The assessments the user may read (``assessment_visibility``): a hidden one is a 404,
    like one of another board."""
    return (
        visible_assessments(user)
        .select_related("case__patient", "case__board", "presentation", "specialty", "author")
        # The owned score inputs shown with each assessment live on these.
        .prefetch_related("case__lesions", "case__clinical_statuses")
    )


def audit_events_for_patient(patient: Patient) -> QuerySet[AuditEvent]:
    """Who has read or changed this patient's records (for staff and privacy officers)."""
    return AuditEvent.objects.filter(patient_id=patient.pk)


def current_clinical_status(case: Case) -> ClinicalStatus | None:
    """The latest dated clinical status (ties: the one recorded last)."""
    statuses = getattr(case, "_prefetched_objects_cache", {}).get("clinical_statuses")
    if statuses is not None:
        ordered = sorted(statuses, key=lambda s: (s.recorded_on, s.pk), reverse=True)
        return ordered[0] if ordered else None
    return case.clinical_statuses.order_by("-recorded_on", "-id").first()


def allowed_transitions(user: Any, case: Case) -> list[Transition]:
    """The transitions the user may ask for on the case now (system moves never): from the
    per-request cache of the user's boards, so no query per case."""
    return [
        t
        for t in transitions_from(case.status)
        if t.permission is not None and has_perm(user, t.permission, case)
    ]
