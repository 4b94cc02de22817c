"""A real Celery worker for tests, and a polling helper. CI runs these against the real Redis
and PostgreSQL; import the fixture into a test package's conftest.py to use it there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tumorboard.celery import app


@pytest.fixture
def celery_worker(transactional_db: Any, worker_id: str) -> Iterator[Any]:
    """A real Celery worker (solo pool, in a thread) consuming the real broker.

    It listens on a queue of its own per test process (pytest-xdist runs several, each with
    its own test database), so it never picks up a task meant for another database.
    """
    from celery.contrib.testing.worker import start_worker

    assert not app.conf.task_always_eager, "the worker test needs a real broker"
    queue = f"tests-{worker_id}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
    except Exception:  # noqa: S110 (the queue does not exist yet: nothing to purge)
        pass
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[queue]
        ) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = previous


def wait_for(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll until ``predicate()`` is true; False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
DEAD_BROKER = "redis://127.0.0.1:1/0"


class BrokerSwitch:
    """Points the Celery app at another broker URL, and back.

    Celery reads the environment's CELERY_BROKER_URL before its own configuration (Settings.
    broker_url), so both are switched; the kick opens its connection from what they say now.
    """

    def __init__(self) -> None:
        self._env = os.environ.get("CELERY_BROKER_URL")
        self._conf = app.conf.broker_url
        self._eager = app.conf.task_always_eager

    def dead(self) -> None:
        os.environ["CELERY_BROKER_URL"] = DEAD_BROKER
        app.conf.broker_url = DEAD_BROKER
        app.conf.task_always_eager = False  # publish for real, even without a broker locally

    def restore(self) -> None:
        if self._env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = self._env
        app.conf.broker_url = self._conf
        app.conf.task_always_eager = self._eager


@pytest.fixture
def broker() -> Iterator[BrokerSwitch]:
    switch = BrokerSwitch()
    try:
        yield switch
    finally:
        switch.restore()
