"""E-mails to board members. No patient name or MRN ever goes into an e-mail: the message
names the case number and links to the product, where the reader logs in.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import AssessmentStatus, Case, Membership, Notification, Role

# A claim older than this is taken to belong to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


def assessment_requests_send(*, case_id: int, presentation_round: int) -> int:
    """Ask each specialist of the board's quorum specialties that have not yet submitted for
    this round to assess the case. Returns the number of e-mails sent.

    Idempotent: one Notification row per (case, round, recipient), claimed with a conditional
    UPDATE before sending, so concurrent or repeated runs never send the same e-mail twice.
    """
    case = Case.objects.select_related("board", "current_presentation").get(pk=case_id)
    current = case.current_presentation
    if current is None or current.number != presentation_round:
        return 0  # superseded by a later round
    submitted = set(
        case.assessments.filter(
            presentation=current, status=AssessmentStatus.SUBMITTED
        ).values_list("specialty_id", flat=True)
    )
    wanted = set(case.board.quorum_specialties.values_list("pk", flat=True)) - submitted
    memberships = (
        Membership.objects.filter(
            board=case.board, role=Role.SPECIALIST, specialty_id__in=wanted, user__is_active=True
        )
        .select_related("user", "specialty")
        .order_by("user_id", "specialty__display_order")
    )
    specialties_by_user: dict[int, list[str]] = {}
    users = {}
    for membership in memberships:
        name = membership.specialty.name if membership.specialty else ""
        specialties_by_user.setdefault(membership.user_id, []).append(name)
        users[membership.user_id] = membership.user

    sent = 0
    for user_id, specialty_names in specialties_by_user.items():
        user = users[user_id]
        if not user.email:
            continue
        note, _ = Notification.objects.get_or_create(
            kind=Notification.Kind.ASSESSMENT_REQUEST,
            case=case,
            presentation_round=presentation_round,
            recipient=user,
        )
        now = timezone.now()
        claimed = Notification.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM),
            pk=note.pk,
            sent_at__isnull=True,
        ).update(claimed_at=now)
        if not claimed:
            continue  # sent already, or another worker is sending it right now
        context = {
            "case": case,
            "user": user,
            "specialties": specialty_names,
            "url": settings.SITE_URL + reverse("pages:case-detail", args=[case.pk]),
        }
        try:
            send_mail(
                subject=f"{settings.EMAIL_SUBJECT_PREFIX}Assessment requested: case #{case.pk}",
                message=render_to_string("emails/assessment_request.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        except Exception:
            Notification.objects.filter(pk=note.pk).update(claimed_at=None)  # let a retry send
            raise
        Notification.objects.filter(pk=note.pk).update(sent_at=timezone.now())
        sent += 1
    return sent
