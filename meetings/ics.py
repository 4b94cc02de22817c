"""iCalendar (RFC 5545 / 5546) for meetings: one meeting as an invitation, or a user's feed.

What a calendar shows leaves the product (phones, mail servers, shared calendars), so an event
names the board and where and how to join, never a patient: no name, MRN or diagnosis.
Each meeting has a stable UID and its ``sequence`` as SEQUENCE, so a move or cancellation
replaces the calendar's copy instead of adding one.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting, MeetingStatus

PRODID = "-//Spine Tumor Board//Meetings//EN"


def uid(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meeting-{meeting.pk}@{host}"


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/meetings/{meeting.pk}/"


def _event(meeting: Meeting) -> Event:
    zone = ZoneInfo(meeting.board.timezone)
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.board.name)
    if meeting.place:
        event.add("location", meeting.place)
    lines = [f"Meeting: {meeting_url(meeting)}"]
    if meeting.place:
        lines.append(f"Place: {meeting.place}")
    if meeting.video_link:
        lines.append(f"Video: {meeting.video_link}")
        event.add("url", meeting.video_link)
    event.add("description", "\n".join(lines))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add(
        "organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}", parameters={"CN": "Tumor board"}
    )
    return event


def _calendar(method: str, meetings: Iterable[Meeting]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    for meeting in meetings:
        cal.add_component(_event(meeting))
    cal.add_missing_timezones()  # a VTIMEZONE for every TZID used
    return cal.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    """One meeting as an invitation (METHOD:REQUEST), or its cancellation (METHOD:CANCEL)."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return _calendar(method, [meeting])


def feed_ics(meetings: Iterable[Meeting]) -> bytes:
    """A published calendar (METHOD:PUBLISH); cancelled meetings stay, STATUS:CANCELLED."""
    return _calendar("PUBLISH", meetings)
