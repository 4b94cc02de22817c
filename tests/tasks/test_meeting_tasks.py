"""The meetings app's periodic reminder task: thin, safe to redeliver (acks_late, idempotent),
scheduled by beat with an expiry; run in-process here and by a real worker through the real
broker in CI."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from meetings import services
from meetings.tasks import send_reminders
from notifications.models import Notification
from tests.celery_support import wait_for
from tests.conftest import World, make_case

QUORUM = {"surgeon", "radonc", "medonc", "radiologist"}


def meeting_in(world: World, hours: float) -> Any:
    """A meeting of ``world.board`` starting ``hours`` from now, one case in work-up on it."""
    meeting = services.meeting_create(
        by=world.coordinator,
        board=world.board,
        starts_at=timezone.now() + dt.timedelta(hours=hours),
    )
    case = make_case(world, status="in_workup")
    services.agenda_item_add(
        by=world.coordinator,
        meeting=meeting,
        presentation=case.current_presentation,
        late_reason="Added for the test",
    )
    return meeting


def reminded() -> Counter[str]:
    rows = Notification.objects.filter(kind="meeting_reminder")
    return Counter(rows.values_list("recipient__username", flat=True))


def test_the_task_is_safe_to_redeliver_and_retries_transient_errors_only() -> None:
    assert send_reminders.acks_late is True
    assert set(send_reminders.autoretry_for) == {OperationalError, InterfaceError}
    assert send_reminders.retry_backoff is True
    assert send_reminders.name == "meetings.tasks.send_reminders"


def test_beat_runs_it_every_five_minutes_with_an_expiry() -> None:
    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in ("meetings.tasks.send_reminders", "meetings.tasks.build_due_packets"):
        assert entries[task]["schedule"] == 300.0
        # Expires before the next run: after an outage the backlog is one run, not many.
        assert 0 < entries[task]["options"]["expires"] < 300


def test_in_process_the_task_writes_the_reminders_once(world: World, eager: None) -> None:
    now = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        meeting_in(world, 48)  # the 72-hour offset is reached
        assert send_reminders.delay().get() == 4
        assert send_reminders.delay().get() == 0
    assert reminded() == Counter(dict.fromkeys(QUORUM, 1))


# --- With the real broker and a real worker (CI) ---------------------------------------------


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_real_worker_writes_the_reminders_once_even_when_delivered_twice(
    world: World, celery_worker: Any
) -> None:
    meeting = meeting_in(world, 48)
    mail.outbox.clear()
    # The same periodic task delivered twice (a beat duplicate, a redelivery after a lost
    # ack): both run on the worker, one after the other; the second finds everything sent.
    first = send_reminders.apply_async(ignore_result=False)
    second = send_reminders.apply_async(ignore_result=False)
    results = sorted([first.get(timeout=30), second.get(timeout=30)])
    assert results == [0, 4]
    assert reminded() == Counter(dict.fromkeys(QUORUM, 1))
    keys = set(Notification.objects.filter(kind="meeting_reminder").values_list("dedupe_key"))
    assert keys == {(f"meeting:{meeting.pk}:offset:72",)}
    # The kick after the sweep's commit delivers the e-mails, once each.
    assert wait_for(
        lambda: (
            Notification.objects.filter(
                kind="meeting_reminder", email_sent_at__isnull=False
            ).count()
            == 4
        )
    )
    to = Counter(m.to[0] for m in mail.outbox if "Assessments missing" in m.subject)
    assert to == Counter({f"{name}@example.org": 1 for name in QUORUM})


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_real_worker_builds_a_due_packet_once_even_when_delivered_twice(
    world: World, celery_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meetings import documents
    from meetings.models import MeetingPacket
    from meetings.tasks import build_due_packets

    # The worker runs in this process (a thread): the stub is its renderer too.
    monkeypatch.setattr(documents, "html_to_pdf", lambda html: b"%PDF-1.7 stub")
    meeting = meeting_in(world, 12)  # within the board's 24-hour packet offset
    first = build_due_packets.apply_async(ignore_result=False)
    second = build_due_packets.apply_async(ignore_result=False)
    assert sorted([first.get(timeout=60), second.get(timeout=60)]) == [0, 1]
    packet = MeetingPacket.objects.get(meeting=meeting)
    assert (packet.status, packet.revision, bytes(packet.pdf)) == ("ready", 0, b"%PDF-1.7 stub")
    members = Notification.objects.filter(kind="meeting_packet", dedupe_key=f"packet:{packet.pk}")
    assert members.count() == 6  # the board's members, once each
