"""The after-commit kick: delivers at once when it can, never fails the committed change.

These need no running broker: a dead one is a refused port. The full story with Redis and a
real worker is in test_broker.py.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import kick, notify
from tests.celery_support import BrokerSwitch
from tests.conftest import make_user
from tests.notifications.conftest import People

REQUEST = {
    "kind": "assessment_request",
    "dedupe_key": "presentation:12",
    "subject": "Assessment requested: case #12",
    "body": "Please add your specialty's assessment of case #12.",
    "url": "/cases/12/",
}
# Far above the milliseconds a refused connection takes, far below the ~6 s kombu spends
# retrying by default: the bound that keeps a dead broker from stalling a user's request.
FAST = 2.0


def test_after_commit_the_kick_delivers(
    people: People, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[people.owner, people.colleague], **REQUEST)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.org", "owner@example.org"]
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 0


def test_with_a_dead_broker_the_kick_only_warns_and_fails_fast(
    db: None, broker: BrokerSwitch, caplog: pytest.LogCaptureFixture
) -> None:
    broker.dead()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        kick()  # must not raise
    assert time.monotonic() - started < FAST
    messages = [r.getMessage() for r in caplog.records if r.name == "notifications.services"]
    assert messages == ["Notification kick failed; the periodic sweep will deliver."]


@pytest.mark.django_db(transaction=True)
def test_with_a_dead_broker_the_change_commits_and_the_rows_wait(
    broker: BrokerSwitch, caplog: pytest.LogCaptureFixture
) -> None:
    owner, colleague = make_user("owner"), make_user("colleague")
    broker.dead()
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        transaction.atomic(),  # the caller's change; the kick runs as it commits
    ):
        notify(recipients=[owner, colleague], **REQUEST)
    assert time.monotonic() - started < FAST
    assert Notification.objects.filter(email=True, email_sent_at__isnull=True).count() == 2
    assert mail.outbox == []
    assert "the periodic sweep will deliver" in caplog.text
