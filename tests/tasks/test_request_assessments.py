"""Asking the specialists for their assessment: outbox rows written with the transition,
delivered after commit (in-process, or by a real worker through the real broker in CI)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Specialty
from notifications.models import Notification
from notifications.services import deliver_pending
from notifications.tasks import sweep
from tests.celery_support import BrokerSwitch, wait_for
from tests.conftest import World, client_for, make_case, make_user

QUORUM = {"surgeon", "radonc", "medonc", "radiologist"}


def delivered() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def requests_for(case: Any) -> set[str]:
    rows = Notification.objects.filter(kind="assessment_request", board_id=case.board_id)
    return set(rows.values_list("recipient__username", flat=True))


def test_accepting_writes_the_requests_and_sends_them_after_commit(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_transition(by=world.coordinator, case=case, transition="accept")
        # The rows exist in the transition's transaction; nothing is sent before commit.
        assert requests_for(case) == QUORUM
        assert mail.outbox == []
    assert len(callbacks) == 1  # one kick for the whole transaction
    callbacks[0]()
    # Quorum: spine surgery, radiation oncology, medical oncology, radiology. Not the
    # coordinator, the attending, or the other board's specialists.
    assert delivered() == Counter({f"{name}@example.org": 1 for name in QUORUM})
    message = mail.outbox[0]
    assert message.subject == f"[Spine Tumor Board] Assessment requested: case #{case.pk}"
    assert f"/cases/{case.pk}/" in message.body
    assert case.patient.family_name not in message.body + message.subject
    assert case.patient.mrn not in message.body + message.subject
    dedupe = {n.dedupe_key for n in Notification.objects.all()}
    case.refresh_from_db()
    assert dedupe == {f"presentation:{case.current_presentation_id}"}


def test_a_failed_transition_writes_and_sends_nothing(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(world, status="in_workup")
    Notification.objects.all().delete()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.case_transition(by=world.coordinator, case=case, transition="accept")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_re_presenting_asks_again_for_the_new_presentation(world: World, eager: None) -> None:
    case = make_case(world, status="discussed")
    before = Notification.objects.count()
    services.case_transition(by=world.coordinator, case=case, transition="re_present", reason="x")
    case.refresh_from_db()
    new = Notification.objects.filter(dedupe_key=f"presentation:{case.current_presentation_id}")
    assert set(new.values_list("recipient__username", flat=True)) == QUORUM
    assert Notification.objects.count() == before + 4


def test_asking_twice_for_one_presentation_adds_nothing(world: World, eager: None) -> None:
    case = make_case(world, status="in_workup")
    from django.db import transaction

    from cases.services.presentations import assessment_requests_notify

    with transaction.atomic():
        assert assessment_requests_notify(presentation=case.current_presentation) == 0
    assert Notification.objects.count() == 4
    assert deliver_pending() == 4
    assert deliver_pending() == 0


def test_a_specialist_with_two_specialties_gets_one_request_naming_both(
    world: World, eager: None
) -> None:
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=world.surgeon,
        role="specialist",
        specialty=world.specialties[Specialty.RADIOLOGY],
    )
    make_case(world, status="in_workup")
    deliver_pending()
    to_surgeon = [m for m in mail.outbox if m.to == ["surgeon@example.org"]]
    assert len(to_surgeon) == 1
    assert "Spine surgery, Radiology" in to_surgeon[0].body


def test_inactive_users_and_users_without_address(world: World, eager: None) -> None:
    world.surgeon.is_active = False
    world.surgeon.save()
    world.radonc.email = ""
    world.radonc.save()
    case = make_case(world, status="in_workup")
    deliver_pending()
    assert delivered() == Counter({"medonc@example.org": 1, "radiologist@example.org": 1})
    # Without an address: still told in the product.
    assert requests_for(case) == {"radonc", "medonc", "radiologist"}


# --- With the real broker and a real worker (CI) ---------------------------------------------


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_real_worker_delivers_the_requests_once(world: World, celery_worker: Any) -> None:
    case = make_case(world)
    # Commits for real (transactional_db): the kick goes to Redis after commit, and the worker
    # thread delivers from the same database.
    services.case_transition(by=world.coordinator, case=case, transition="accept")
    assert wait_for(lambda: Notification.objects.filter(email_sent_at__isnull=False).count() == 4)
    # The sweep, through the broker: nothing is sent twice.
    assert sweep.apply_async(ignore_result=False).get(timeout=30) == 0
    assert delivered() == Counter({f"{name}@example.org": 1 for name in QUORUM})


@pytest.mark.broker
@pytest.mark.xdist_group("broker")
def test_with_the_broker_down_accepting_succeeds_and_nothing_is_lost(
    world: World, celery_worker: Any, broker: BrokerSwitch
) -> None:
    """Reproduced before the outbox: a 500 although the change was saved, no e-mail ever, and
    the retry refused. Now: the accept succeeds, and the sweep delivers once Redis is back."""
    late = make_user("late-joiner")
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=late,
        role="specialist",
        specialty=world.specialties[Specialty.MEDICAL_ONCOLOGY],
    )
    case = make_case(world)
    broker.dead()
    response = client_for(world.coordinator).post(
        f"/api/v1/cases/{case.pk}/transition/", {"transition": "accept"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_workup"
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 5
    assert mail.outbox == []

    broker.restore()
    assert sweep.apply_async(ignore_result=False).get(timeout=30) == 5
    assert sweep.apply_async(ignore_result=False).get(timeout=30) == 0
    assert delivered() == Counter({f"{name}@example.org": 1 for name in [*QUORUM, "late-joiner"]})
