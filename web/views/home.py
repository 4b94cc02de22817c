"""Home: what the signed-in user has to do now, by role (several roles: several sections).

* Coordinator: the next meetings with how complete their agendas are, the referrals waiting to
  be accepted (emergencies first, with their age), the fast-track queue, the letters not yet
  sent to the referrers.
* Specialist: the worklist — the cases whose assessment the specialist's specialty still owes
  (in work-up or ready, the board expects the specialty), soonest meeting first.
* Attending: the next meetings, the decisions waiting for a signature, the fast-track queue.

A fixed number of queries whatever the data size and however many boards and specialties the
user has: each section is one queryset and its prefetches. Every case shown is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone
from django.views.generic import TemplateView

from cases import selectors as case_selectors
from cases.audit import audit_reads
from cases.models import (
    AssessmentStatus,
    AuditAction,
    Board,
    Case,
    CaseStatus,
    Membership,
    Role,
    SpecialtyAssessment,
)
from meetings import selectors as meeting_selectors
from meetings.models import MeetingStatus

from ..context import memberships as shell_memberships

#: How many rows each section shows (the full lists are a click away).
SECTION_ROWS = 10
#: Cases a specialist's assessment can be written for.
ASSESSABLE = (CaseStatus.IN_WORKUP, CaseStatus.READY)
UPCOMING = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        memberships = shell_memberships(self.request)
        roles = {m.role for m in memberships}
        shown: list[Any] = []
        context["roles"] = roles
        context["now"] = now
        if roles & {Role.COORDINATOR, Role.ATTENDING}:
            context["meetings"] = list(
                meeting_selectors.meetings_for_user(user)
                .filter(status__in=UPCOMING, starts_at__gte=now - dt.timedelta(hours=12))
                .annotate(
                    items=Count("agenda_items", distinct=True),
                    late=Count("agenda_items", filter=Q(agenda_items__late=True), distinct=True),
                )
                .order_by("starts_at", "id")[:3]
            )
            context["fast_tracks"] = meeting_selectors.fast_track_queue(user, now=now)[
                :SECTION_ROWS
            ]
            shown += [track.case for track in context["fast_tracks"]]
        if Role.COORDINATOR in roles:
            referrals = list(
                case_selectors.cases_for_user(user).filter(status=CaseStatus.REFERRED)[
                    :SECTION_ROWS
                ]
            )
            for case in referrals:
                case.age_days = (now.date() - case.referred_on).days  # type: ignore[attr-defined]
            context["referrals"] = referrals
            shown += referrals
            letters = meeting_selectors.decisions_awaiting_communication(user, now)
            context["letters"] = letters[:SECTION_ROWS]
            shown += [d.case for d in context["letters"]]
        if Role.ATTENDING in roles:
            context["to_sign"] = list(
                meeting_selectors.decisions_for_user(user)
                .filter(signed_at__isnull=True)
                .order_by("created_at", "id")[:SECTION_ROWS]
            )
            shown += [d.case for d in context["to_sign"]]
        worklist = _worklist(user, memberships, now=now)
        shown += [case for _, rows in worklist for case in rows]
        context["worklist"] = worklist
        audit_reads(user=user, action=AuditAction.LIST, objects=_unique(shown))
        return context


def _owed(membership: Membership) -> Q:
    """Cases of the membership's board whose current presentation still lacks the
    specialty's submitted assessment, where the board expects that specialty."""
    submitted = SpecialtyAssessment.objects.filter(
        case=OuterRef("pk"),
        presentation=OuterRef("current_presentation"),
        specialty=membership.specialty,
        status=AssessmentStatus.SUBMITTED,
    )
    expected = Board.expected_specialties.through.objects.filter(
        board_id=OuterRef("board_id"), specialty=membership.specialty
    )
    return Q(board_id=membership.board_id) & Exists(expected) & ~Exists(submitted)


def _worklist(
    user: Any, memberships: list[Membership], *, now: dt.datetime
) -> list[tuple[Membership, list[Case]]]:
    """Per specialist membership, the cases its specialty owes an assessment, soonest meeting
    first, then the most urgent: one query for all the user's specialties (and the two
    prefetches of ``cases_for_user``), grouped here."""
    specialist = [m for m in memberships if m.role == Role.SPECIALIST and m.specialty_id]
    if not specialist:
        return []
    owed = Q()
    for membership in specialist:
        owed |= _owed(membership)
    upcoming = Q(
        current_presentation__agenda_items__meeting__status__in=UPCOMING,
        current_presentation__agenda_items__meeting__starts_at__gte=now,
    )
    cases: list[Case] = list(
        case_selectors.cases_for_user(user)
        .filter(owed, status__in=ASSESSABLE)
        .annotate(
            next_meeting=Min(
                "current_presentation__agenda_items__meeting__starts_at", filter=upcoming
            )
        )
        .order_by(  # type: ignore[misc]  # (urgency_level: annotated by the selector)
            F("next_meeting").asc(nulls_last=True), "-urgency_level", "referred_on", "id"
        )[: SECTION_ROWS * len(specialist)]
    )
    return [
        (
            membership,
            [
                case
                for case in cases
                if case.board_id == membership.board_id
                and membership.specialty_id
                in {s.pk for s in case_selectors.missing_specialties(case)}
            ][:SECTION_ROWS],
        )
        for membership in specialist
    ]


def _unique(cases: list[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for case in cases:
        seen.setdefault(case.pk, case)
    return list(seen.values())
