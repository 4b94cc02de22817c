"""Pre-meeting packets: built once per agenda version, rebuilt on demand by a coordinator.

Idempotency is the row: ``MeetingPacket`` is unique per (meeting, agenda version, revision).
The scheduled build claims revision 0 of the meeting's current agenda version and does nothing
when a ready row exists or one is being built, so a retry, a duplicate delivery or two workers
build it once; a failed build, or one left ``building`` by a dead worker (``STALE_BUILD``), is
retried by the next sweep as the next revision. A
coordinator's rebuild takes the next revision of the same version. The claim commits before
the (slow) rendering, so no lock is held while WeasyPrint works; the packet is then stored
``ready`` (with the notification to the board's members, in that transaction) or ``failed``
with a short error naming no patient.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.audit import audit_record
from cases.exceptions import Conflict
from cases.models import AuditAction
from cases.permissions import Perm
from cases.services.common import lock, require
from notifications.services import notify

from .. import documents
from ..models import AgendaItem, Attendance, Meeting, MeetingPacket, MeetingStatus, PacketStatus

logger = logging.getLogger(__name__)

#: The notification kind (dedupe key ``packet:<id>``).
PACKET_READY = "meeting_packet"
#: The largest ``Board.packet_offset_hours`` (its validator): how far ahead ``packets_due`` looks.
MAX_OFFSET = dt.timedelta(hours=24 * 7)
#: A meeting lasts at most this long (``Meeting.duration_minutes``' validator).
MAX_DURATION = dt.timedelta(minutes=600)
#: Meetings whose packet may be (re)built on demand.
PACKET_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


#: A build still "building" after this long belongs to a worker that died: it is retried.
STALE_BUILD = dt.timedelta(minutes=15)


def _live() -> Q:
    """Packet rows that count as built for their agenda version: ready, or being built now."""
    return Q(status=PacketStatus.READY) | Q(
        status=PacketStatus.BUILDING, created_at__gt=timezone.now() - STALE_BUILD
    )


def _claim(*, meeting: Meeting, requested_by: User | None) -> MeetingPacket | None:
    """Create the packet's row (status ``building``) for the meeting's current agenda version,
    or answer None when the scheduled build's row exists already (another run has it)."""
    if requested_by is not None:
        require(requested_by, Perm.MANAGE_MEETINGS, meeting)
    with transaction.atomic():
        lock(meeting)  # the agenda version cannot move while the row is claimed
        if requested_by is not None:
            if meeting.status not in PACKET_STATUSES:
                raise ValidationError(
                    {"status": f"The meeting is {meeting.status}: its packet is not rebuilt."}
                )
            if not AgendaItem.objects.filter(meeting=meeting).exists():
                raise ValidationError({"agenda": "The agenda is empty: there is no packet."})
            last = MeetingPacket.objects.filter(
                meeting=meeting, agenda_version=meeting.agenda_version
            ).aggregate(last=Max("revision"))["last"]
            revision = 0 if last is None else last + 1
        else:
            if meeting.status not in PACKET_STATUSES:
                return None
            rows = MeetingPacket.objects.filter(
                meeting=meeting, agenda_version=meeting.agenda_version
            )
            if rows.filter(_live()).exists():
                return None  # built, or being built by a live worker
            last = rows.aggregate(last=Max("revision"))["last"]
            # A failed build, or one whose worker died, is retried as the next revision.
            revision = 0 if last is None else last + 1
        try:
            with transaction.atomic():
                packet = MeetingPacket.objects.create(
                    meeting=meeting,
                    agenda_version=meeting.agenda_version,
                    revision=revision,
                    requested_by=requested_by,
                )
        except IntegrityError:
            if requested_by is None:
                return None  # another worker claimed the scheduled build: it is theirs
            raise Conflict(
                "Another rebuild of this packet started at the same moment.", field="packet"
            ) from None
        if requested_by is not None:
            audit_record(
                user=requested_by,
                action=AuditAction.CREATE,
                obj=packet,
                detail=f"packet rebuild requested (agenda v{packet.agenda_version})",
            )
    return packet


def packet_recipients(meeting: Meeting) -> list[User]:
    """Who is told that the packet is ready: the board's members and the meeting's guests."""
    guests = Attendance.objects.filter(meeting=meeting).values("user_id")
    return list(
        User.objects.filter(
            Q(board_memberships__board_id=meeting.board_id) | Q(pk__in=guests), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def _notify_ready(packet: MeetingPacket, meeting: Meeting) -> int:
    """One outbox row per recipient (dedupe ``packet:<id>``): the board and the meeting's date,
    a link to the packet; no patient is named."""
    starts = timezone.localtime(meeting.starts_at, documents.board_zone(meeting.board))
    context = {"meeting": meeting, "board": meeting.board, "starts_at": starts, "packet": packet}
    url = reverse("meeting-packet", args=[meeting.pk]) + "?format=pdf"
    return notify(
        kind=PACKET_READY,
        dedupe_key=f"packet:{packet.pk}",
        recipients=packet_recipients(meeting),
        subject=f"Pre-meeting packet ready: {meeting.board.name}, {starts:%Y-%m-%d %H:%M}",
        body=render_to_string("emails/meeting_packet.txt", context),
        url=url,
        board_id=meeting.board_id,
    )


def packet_build(
    *, meeting: Meeting, requested_by: User | None = None, now: dt.datetime | None = None
) -> MeetingPacket | None:
    """Build the meeting's packet for its current agenda version (HTML and PDF) and tell the
    board's members it is ready.

    Without ``requested_by`` (the scheduled build): revision 0, and None when that row exists
    already (idempotent under retries, duplicate deliveries and concurrent workers) or the
    meeting is neither scheduled nor in progress. With ``requested_by`` (a coordinator,
    ``manage_meetings``; re-checked here): the next revision of the version. A rendering error
    leaves the packet ``failed`` with a short error naming no patient (the log names only the
    packet and the kind of error).
    """
    meeting = Meeting.objects.select_related("board", "chair").get(pk=meeting.pk)
    packet = _claim(meeting=meeting, requested_by=requested_by)
    if packet is None:
        return None
    # The agenda of the version just claimed (lock() refreshed the meeting).
    meeting = Meeting.objects.select_related("board", "chair").get(pk=meeting.pk)
    try:
        html, count, patient_ids = documents.packet_html(meeting)
        pdf = documents.html_to_pdf(html)
    except Exception as exc:  # any failure: the row must not stay "building"
        kind = type(exc).__name__
        logger.error("Packet %s of meeting %s failed: %s", packet.pk, meeting.pk, kind)
        MeetingPacket.objects.filter(pk=packet.pk).update(
            status=PacketStatus.FAILED,
            error=f"Building the packet failed ({kind}). Rebuild it; if it fails again, "
            f"the server log names packet {packet.pk}.",
        )
        packet.refresh_from_db()
        return packet
    ready = {
        "status": PacketStatus.READY,
        "html": html,
        "pdf": pdf,
        "cases": count,
        "patient_ids": patient_ids,
        "built_at": now or timezone.now(),
    }
    with transaction.atomic():
        MeetingPacket.objects.filter(pk=packet.pk).update(**ready)
        for name, value in ready.items():
            setattr(packet, name, value)
        _notify_ready(packet, meeting)
    return packet


def packets_due(now: dt.datetime | None = None) -> list[Meeting]:
    """Scheduled meetings, not yet over, with something on the agenda, whose board's
    ``packet_offset_hours`` before the start has passed and whose current agenda version has no
    ready (or live) packet yet: a packet built before the agenda changed, or a failed build,
    makes the meeting due again."""
    now = now or timezone.now()
    has_items = AgendaItem.objects.filter(meeting=OuterRef("pk"))
    built = MeetingPacket.objects.filter(
        _live(), meeting=OuterRef("pk"), agenda_version=OuterRef("agenda_version")
    )
    candidates = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__lte=now + MAX_OFFSET,
            starts_at__gt=now - MAX_DURATION,
        )
        .filter(Exists(has_items))
        .exclude(Exists(built))
        .select_related("board")
        .order_by("starts_at", "pk")
    )
    return [
        meeting
        for meeting in candidates
        if meeting.ends_at > now
        and meeting.starts_at - dt.timedelta(hours=meeting.board.packet_offset_hours) <= now
    ]


def packet_build_due(now: dt.datetime | None = None) -> int:
    """Build every due packet (the periodic sweep); returns how many were built ready."""
    built = 0
    for meeting in packets_due(now):
        packet = packet_build(meeting=meeting, now=now)
        if packet is not None and packet.status == PacketStatus.READY:
            built += 1
    return built
