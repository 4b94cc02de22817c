"""Celery tasks of the meetings app: thin, one service call, idempotent."""

from typing import Any

from celery import shared_task
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError

from .models import Meeting
from .services import reminders_send_due, series_extend_all
from .services.packets import packet_build, packet_build_due

TRANSIENT = (OperationalError, InterfaceError)
#: Every task of the app: acknowledged late (a task lost with its worker is delivered again;
#: each is idempotent), retried with backoff on transient database errors only.
JOB: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 3},
    "ignore_result": True,
}


@shared_task(**JOB)
def extend_series() -> int:
    """Keep every active series' occurrences created up to the horizon (daily, from beat).
    Idempotent: occurrences are unique per (series, original start)."""
    return series_extend_all()


@shared_task(**JOB)
def send_reminders() -> int:
    """Meeting reminders, escalations and unsigned-decision reminders that are due (every 5
    minutes, from beat). Idempotent, so acks_late is safe: a task redelivered after a lost
    worker, or delivered twice, writes no second row (the outbox's unique dedupe keys)."""
    return reminders_send_due()


@shared_task(**JOB)
def build_due_packets() -> int:
    """Build the pre-meeting packets that are due (every 5 minutes, from beat). Idempotent, so
    acks_late is safe: a packet is claimed once per (meeting, agenda version), so a redelivered
    or duplicated task builds nothing twice."""
    return packet_build_due()


@shared_task(**JOB)
def build_packet(meeting_id: int, requested_by_id: int | None = None) -> int | None:
    """Build one meeting's packet now: the scheduled build (revision 0, once) without
    ``requested_by_id``, a coordinator's rebuild (the next revision) with it. Answers the
    packet's id (None: already built, or the meeting is gone)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return None
    by = User.objects.get(pk=requested_by_id) if requested_by_id is not None else None
    packet = packet_build(meeting=meeting, requested_by=by)
    return packet.pk if packet is not None else None
