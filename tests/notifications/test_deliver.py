"""deliver_pending(): every pending e-mail exactly once, failures counted and contained."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.services import MAX_ATTEMPTS, deliver_pending, notify
from tests.conftest import make_user
from tests.notifications.backends import REFUSED
from tests.notifications.conftest import People

REQUEST = {
    "kind": "assessment_request",
    "dedupe_key": "presentation:12",
    "subject": "Assessment requested: case #12",
    "body": "Please add your specialty's assessment of case #12.",
}


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.SITE_URL = "https://tumorboard.example/"


def recipients() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def test_each_email_is_delivered_exactly_once_by_repeated_runs(people: People) -> None:
    people.stranger.email = ""  # in-app only
    people.stranger.save()
    everyone = [people.owner, people.colleague, people.stranger]
    notify(recipients=everyone, url="/cases/12/", **REQUEST)

    assert deliver_pending() == 2
    assert deliver_pending() == 0
    assert deliver_pending() == 0

    assert recipients() == Counter({"owner@example.org": 1, "colleague@example.org": 1})
    message = next(m for m in mail.outbox if m.to == ["owner@example.org"])
    assert message.subject == "[Spine Tumor Board] Assessment requested: case #12"
    assert message.body == (
        "Please add your specialty's assessment of case #12.\n\n"
        "https://tumorboard.example/cases/12/"
    )
    assert message.from_email == "tumorboard@localhost"
    sent = Notification.objects.filter(email_sent_at__isnull=False)
    assert sorted(sent.values_list("recipient__username", "email_attempts")) == [
        ("colleague", 1),
        ("owner", 1),
    ]
    in_app = Notification.objects.get(recipient=people.stranger)
    assert (in_app.email, in_app.email_sent_at, in_app.email_attempts) == (False, None, 0)


def test_without_url_the_body_has_no_link(people: People) -> None:
    notify(recipients=[people.owner], **REQUEST)
    assert deliver_pending() == 1
    assert mail.outbox[0].body == "Please add your specialty's assessment of case #12."


def test_a_run_sends_at_most_limit(people: People) -> None:
    notify(recipients=[people.owner, people.colleague, people.stranger], **REQUEST)
    assert deliver_pending(limit=2) == 2
    assert deliver_pending(limit=2) == 1
    assert len(mail.outbox) == 3


def test_a_stale_claim_is_retried_but_a_fresh_one_is_not(people: People) -> None:
    notify(recipients=[people.owner, people.colleague, people.stranger], **REQUEST)
    now = timezone.now()
    claims = {
        people.owner: now,  # another worker is sending this right now
        people.colleague: now - dt.timedelta(minutes=9),  # slow, but still alive
        people.stranger: now - dt.timedelta(minutes=11),  # that worker died
    }
    for user, claimed_at in claims.items():
        Notification.objects.filter(recipient=user).update(email_claimed_at=claimed_at)

    assert deliver_pending() == 1

    assert recipients() == Counter({"stranger@example.org": 1})
    assert list(
        Notification.objects.filter(email_sent_at__isnull=False).values_list(
            "recipient__username", flat=True
        )
    ) == ["stranger"]


def test_a_failing_address_is_counted_given_up_after_five_and_never_blocks_others(
    people: People, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    bounce = make_user("bounce")
    assert bounce.email == REFUSED
    # Created in this order, so the bad row sits between two good ones in every run.
    notify(recipients=[people.owner, bounce, people.colleague], **REQUEST)
    row = Notification.objects.filter(recipient=bounce)

    assert deliver_pending() == 2  # the others went out in the same run
    failing = row.get()
    assert failing.email_attempts == 1
    assert failing.email_last_error == (
        "SMTPRecipientsRefused: {'bounce@example.org': (550, b'5.1.1 No such user')}"
    )
    assert (failing.email_claimed_at, failing.email_sent_at, failing.email_failed_at) == (
        None,
        None,
        None,
    )

    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert deliver_pending() == 0
        assert row.get().email_attempts == attempt
    failed = row.get()
    assert failed.email_failed_at is not None
    assert failed.email_sent_at is None

    # Given up: later runs leave it alone.
    assert deliver_pending() == 0
    assert row.get().email_attempts == MAX_ATTEMPTS
    assert recipients() == Counter({"owner@example.org": 1, "colleague@example.org": 1})

    # And a later notification to someone else still goes out.
    notify(recipients=[people.stranger], **{**REQUEST, "dedupe_key": "presentation:13"})
    assert deliver_pending() == 1


def test_a_worker_lost_during_the_last_attempt_gives_the_row_up(people: People) -> None:
    notify(recipients=[people.owner], **REQUEST)
    Notification.objects.update(
        email_attempts=MAX_ATTEMPTS, email_claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert deliver_pending() == 0
    row = Notification.objects.get()
    assert row.email_failed_at is not None
    assert row.email_last_error == "The worker was lost during the last attempt."
    assert row.email_attempts == MAX_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.parametrize("change", ["address removed", "deactivated"])
def test_a_recipient_unreachable_since_notify_is_given_up(people: People, change: str) -> None:
    notify(recipients=[people.owner], **REQUEST)
    if change == "address removed":
        people.owner.email = ""
    else:
        people.owner.is_active = False
    people.owner.save()

    assert deliver_pending() == 0

    row = Notification.objects.get()
    assert row.email_failed_at is not None
    assert row.email_last_error == "The recipient is inactive or has no e-mail address."
    assert mail.outbox == []


def test_the_current_address_is_used(people: People) -> None:
    notify(recipients=[people.owner], **REQUEST)
    people.owner.email = "owner.new@example.org"
    people.owner.save()
    assert deliver_pending() == 1
    assert recipients() == Counter({"owner.new@example.org": 1})


@pytest.mark.postgres  # concurrent claims need PostgreSQL's row locks
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_deliver_each_email_exactly_once(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    # The commit below is real: keep its kick from reaching the broker, where no worker of
    # this test listens. The two runs below are the only deliveries.
    monkeypatch.setattr(services, "kick", lambda: None)
    users = [make_user(f"specialist-{i:02d}") for i in range(30)]
    with transaction.atomic():
        notify(recipients=users, **REQUEST)

    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(deliver_pending())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) != [0, 30], "the runs did not overlap; the test proves nothing"
    assert sum(results) == 30
    assert recipients() == Counter({user.email: 1 for user in users})
    # Each row was claimed once: a second claim would have counted a second attempt.
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 0
