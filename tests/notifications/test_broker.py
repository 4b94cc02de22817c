"""The outbox against the real Redis and a real Celery worker (CI runs this; never skipped
there). A dead broker costs the user nothing; the sweep delivers once it is back, once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import sweep
from tests.celery_support import BrokerSwitch, wait_for
from tests.conftest import make_user
from tumorboard.celery import app

REQUEST = {
    "kind": "assessment_request",
    "subject": "Assessment requested: case #12",
    "body": "Please add your specialty's assessment of case #12.",
    "url": "/cases/12/",
}


def delivered() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def sent_rows() -> int:
    return Notification.objects.filter(email_sent_at__isnull=False).count()


def run_sweep_and_wait() -> None:
    """Send the periodic task through the broker and wait until the worker has run it."""
    # The tasks store no result; this one does, so the test knows when it has finished.
    result = sweep.apply_async(ignore_result=False)
    assert result.get(timeout=30) >= 0


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_a_dead_broker_loses_nothing_and_the_sweep_delivers_once(
    celery_worker: Any, broker: BrokerSwitch, caplog: pytest.LogCaptureFixture
) -> None:
    assert app.conf.result_backend, "CI sets REDIS_URL: the result backend"
    users = [make_user(name) for name in ("surgeon", "radonc", "medonc")]

    # Redis is down while a coordinator's change commits.
    broker.dead()
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        transaction.atomic(),  # commits for real (the worker fixture: transactional_db)
    ):
        notify(dedupe_key="presentation:12", recipients=users, **REQUEST)
    assert time.monotonic() - started < 2.0  # the refused kick did not hold up the commit
    assert "the periodic sweep will deliver" in caplog.text
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 3
    # A worker is running, but the kick never reached it: nothing is delivered.
    time.sleep(1)
    assert mail.outbox == []
    assert sent_rows() == 0

    # Redis is back: the periodic sweep, run by the real worker, delivers everything once.
    broker.restore()
    run_sweep_and_wait()
    assert sent_rows() == 3
    run_sweep_and_wait()
    assert sent_rows() == 3
    assert delivered() == Counter({user.email: 1 for user in users})

    # And the kick works again: the next change's e-mail goes out without waiting for a sweep.
    with transaction.atomic():
        notify(dedupe_key="presentation:13", recipients=users[:1], **REQUEST)
    assert wait_for(lambda: sent_rows() == 4)
    assert delivered() == Counter({"surgeon@example.org": 2, **{u.email: 1 for u in users[1:]}})
