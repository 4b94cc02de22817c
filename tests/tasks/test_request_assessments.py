"""The assessment-request job: who is asked, idempotency, after-commit, a real worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Notification, Specialty
from cases.notifications import assessment_requests_send
from cases.tasks import request_assessments
from tests.conftest import World, make_case, make_user
from tumorboard.celery import app


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process even when a broker is configured (CI)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_accepting_asks_the_quorum_specialists_after_commit(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_transition(by=world.coordinator, case=case, transition="accept")
        assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    # Quorum: spine surgery, radiation oncology, medical oncology, radiology. Not the
    # coordinator, the attending, or the other board's specialists.
    assert recipients() == {
        "surgeon@example.org",
        "radonc@example.org",
        "medonc@example.org",
        "radiologist@example.org",
    }
    subject = mail.outbox[0].subject
    assert subject == f"[Spine Tumor Board] Assessment requested: case #{case.pk}"
    assert Notification.objects.filter(case=case, sent_at__isnull=False).count() == 4


def test_a_failed_transition_enqueues_nothing(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(world, status="in_workup")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.case_transition(by=world.coordinator, case=case, transition="accept")
    assert callbacks == []
    assert mail.outbox == []


def test_specialties_already_submitted_are_not_asked(world: World) -> None:
    case = make_case(world, status="in_workup")
    assessment = services.assessment_create(
        by=world.radiologist,
        case=case,
        specialty=world.specialties[Specialty.RADIOLOGY],
        details={"imaging_findings": "x", "escc_grade": "0"},
        opinion="ok",
    )
    services.assessment_change_status(
        by=world.radiologist, assessment=assessment, transition="submit"
    )
    sent = assessment_requests_send(case_id=case.pk, presentation_round=1)
    assert sent == 3
    assert "radiologist@example.org" not in recipients()


def test_running_twice_sends_once(world: World) -> None:
    case = make_case(world, status="in_workup")
    assert assessment_requests_send(case_id=case.pk, presentation_round=1) == 4
    assert assessment_requests_send(case_id=case.pk, presentation_round=1) == 0
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4


def test_a_superseded_round_sends_nothing(world: World) -> None:
    case = make_case(world, status="discussed")
    services.case_transition(by=world.coordinator, case=case, transition="re_present", reason="x")
    assert assessment_requests_send(case_id=case.pk, presentation_round=1) == 0
    assert assessment_requests_send(case_id=case.pk, presentation_round=2) == 4


def test_a_specialist_with_two_quorum_specialties_gets_one_mail(world: World) -> None:
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=world.surgeon,
        role="specialist",
        specialty=world.specialties[Specialty.RADIOLOGY],
    )
    case = make_case(world, status="in_workup")
    assessment_requests_send(case_id=case.pk, presentation_round=1)
    to_surgeon = [m for m in mail.outbox if m.to == ["surgeon@example.org"]]
    assert len(to_surgeon) == 1
    assert "Spine surgery, Radiology" in to_surgeon[0].body


def test_inactive_users_and_users_without_address_are_skipped(world: World) -> None:
    world.surgeon.is_active = False
    world.surgeon.save()
    world.radonc.email = ""
    world.radonc.save()
    case = make_case(world, status="in_workup")
    assert assessment_requests_send(case_id=case.pk, presentation_round=1) == 2
    assert recipients() == {"medonc@example.org", "radiologist@example.org"}


def test_a_stale_claim_is_retried_but_a_fresh_one_is_not(world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    case = make_case(world, status="in_workup")
    for name in ("surgeon", "radonc", "medonc"):
        Notification.objects.create(
            kind="assessment_request",
            case=case,
            presentation_round=1,
            recipient=world.users[name],
            claimed_at=timezone.now(),  # another worker is sending these right now
        )
    Notification.objects.create(
        kind="assessment_request",
        case=case,
        presentation_round=1,
        recipient=world.radiologist,
        claimed_at=timezone.now() - dt.timedelta(hours=1),  # that worker died
    )
    assert assessment_requests_send(case_id=case.pk, presentation_round=1) == 1
    assert recipients() == {"radiologist@example.org"}


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


def wait_for(predicate: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_real_worker_sends_requests_once(world: World, celery_worker: Any) -> None:
    case = make_case(world)
    # Commits for real (transactional_db): on commit, the task goes to Redis, and the
    # worker thread picks it up and writes to the same database.
    services.case_transition(by=world.coordinator, case=case, transition="accept")
    assert wait_for(lambda: Notification.objects.filter(sent_at__isnull=False).count() == 4)
    # The same job again, through the broker: idempotent.
    result = request_assessments.delay(case.pk, 1)
    assert wait_for(lambda: result.ready()) if app.conf.result_backend else True
    time.sleep(1)
    assert Notification.objects.filter(sent_at__isnull=False).count() == 4
    assert len([m for m in mail.outbox if f"case #{case.pk}" in m.subject]) == 4


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_real_worker_skips_submitted_specialties(world: World, celery_worker: Any) -> None:
    late = make_user("late-joiner")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=late,
        role="specialist",
        specialty=world.specialties[Specialty.MEDICAL_ONCOLOGY],
    )
    case = make_case(world, status="in_workup")
    request_assessments.delay(case.pk, 1)
    assert wait_for(lambda: Notification.objects.filter(sent_at__isnull=False).count() == 5)
    assert Notification.objects.filter(recipient=late).exists()
