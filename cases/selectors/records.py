"""Every read of the cases app, scoped to the user's boards from the first line.

An object outside the user's boards is simply not in the queryset, so callers answer 404
exactly as for an object that does not exist. Each selector joins or prefetches what its
callers show, so a page of 1 or 50 rows costs the same number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from ..models import (
    AssessmentStatus,
    AuditEvent,
    Board,
    Case,
    ClinicalStatus,
    Membership,
    Patient,
    Presentation,
    PriorRadiotherapy,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from ..permissions import Perm, board_ids


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
    boards = _visible(user)
    referred_here = Case.objects.filter(patient=OuterRef("pk"), board_id__in=boards)
    return Patient.objects.filter(
        Q(registered_board_id__in=boards) | Exists(referred_here)
    ).select_related("institution", "registered_board")


def cases_for_user(user: Any) -> QuerySet[Case]:
    return (
        Case.objects.filter(board_id__in=_visible(user))
        .select_related("patient", "board", "created_by", "current_presentation")
        .prefetch_related(
            "board__quorum_specialties",
            Prefetch(
                "assessments",
                queryset=SpecialtyAssessment.objects.filter(status=AssessmentStatus.SUBMITTED).only(
                    "id", "case_id", "specialty_id", "presentation_id", "status"
                ),
                to_attr="submitted_assessments",
            ),
        )
    )


def missing_specialties(case: Case) -> list[Specialty]:
    """Quorum specialties with no submitted assessment for the current presentation.

    Works on a case from ``cases_for_user`` without further queries.
    """
    done = {
        a.specialty_id
        for a in case.submitted_assessments  # type: ignore[attr-defined]
        if a.presentation_id == case.current_presentation_id
    }
    return [s for s in case.board.quorum_specialties.all() if s.pk not in done]


def cases_missing_specialty(cases: QuerySet[Case], specialty_code: str) -> QuerySet[Case]:
    """Cases whose current presentation still lacks a submitted ``specialty_code`` assessment."""
    submitted = SpecialtyAssessment.objects.filter(
        case=OuterRef("pk"),
        presentation=OuterRef("current_presentation"),
        specialty__code=specialty_code,
        status=AssessmentStatus.SUBMITTED,
    )
    return cases.filter(board__quorum_specialties__code=specialty_code).exclude(Exists(submitted))


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


def assessments_for_user(user: Any) -> QuerySet[SpecialtyAssessment]:
    return SpecialtyAssessment.objects.filter(case__board_id__in=_visible(user)).select_related(
        "case__patient", "case__board", "presentation", "specialty", "author"
    )


def audit_events_for_patient(patient: Patient) -> QuerySet[AuditEvent]:
    """Who has read or changed this patient's records (for staff and privacy officers)."""
    return AuditEvent.objects.filter(patient_id=patient.pk)
