"""notify(): rows written in the caller's transaction, idempotent, one kick per transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Notification
from notifications.services import notify
from tests.conftest import make_user
from tests.notifications.conftest import People

REQUEST = {
    "kind": "assessment_request",
    "subject": "Assessment requested: case #12",
    "body": "Please add your specialty's assessment of case #12.",
    "url": "/cases/12/",
    "board_id": 7,
}


class Boom(Exception):
    pass


def test_one_row_per_active_recipient(people: People) -> None:
    without_address = make_user("no-address")
    without_address.email = ""
    without_address.save()
    retired = make_user("retired", is_active=False)

    created = notify(
        dedupe_key="presentation:12",
        recipients=[people.owner, people.colleague, without_address, retired, people.owner],
        **REQUEST,
    )

    assert created == 3
    rows = Notification.objects.order_by("recipient__username")
    assert [(r.recipient.username, r.email) for r in rows] == [
        ("colleague", True),
        ("no-address", False),  # in-app only
        ("owner", True),
    ]
    row = rows[2]
    assert (row.kind, row.dedupe_key, row.subject, row.url, row.board_id) == (
        "assessment_request",
        "presentation:12",
        "Assessment requested: case #12",
        "/cases/12/",
        7,
    )
    assert (row.read_at, row.email_sent_at, row.email_attempts) == (None, None, 0)


def test_notify_is_idempotent_per_kind_key_and_recipient(people: People) -> None:
    assert notify(dedupe_key="presentation:12", recipients=[people.owner], **REQUEST) == 1
    # The same again, with a changed text: nothing new, the first row is kept as it was.
    again = {**REQUEST, "subject": "Changed"}
    assert notify(dedupe_key="presentation:12", recipients=[people.owner], **again) == 0
    # A new recipient for the same key gets a row; the known one does not get a second.
    both = [people.owner, people.colleague]
    assert notify(dedupe_key="presentation:12", recipients=both, **REQUEST) == 1
    # Another key (the next presentation round) or another kind is another notification.
    assert notify(dedupe_key="presentation:13", recipients=[people.owner], **REQUEST) == 1
    other_kind = {**REQUEST, "kind": "meeting_reminder"}
    assert notify(dedupe_key="presentation:12", recipients=[people.owner], **other_kind) == 1

    assert Notification.objects.count() == 4
    assert set(Notification.objects.values_list("subject", flat=True)) == {
        "Assessment requested: case #12"
    }


def test_no_recipient_left_writes_nothing_and_registers_no_kick(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    retired = make_user("retired", is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert notify(dedupe_key="k", recipients=[retired], **REQUEST) == 0
        assert notify(dedupe_key="k", recipients=[], **REQUEST) == 0
    assert callbacks == []
    assert Notification.objects.count() == 0


def test_in_app_only_rows_register_no_kick(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    people.owner.email = ""
    people.owner.save()
    with django_capture_on_commit_callbacks() as callbacks:
        assert notify(dedupe_key="k", recipients=[people.owner], **REQUEST) == 1
    assert callbacks == []  # nothing to deliver by e-mail


def test_rows_vanish_with_the_callers_rollback_and_no_kick_is_sent(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notify(dedupe_key="presentation:12", recipients=[people.owner], **REQUEST)
        raise Boom  # the caller's change fails after notify()
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_one_kick_per_transaction(people: People, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notify(dedupe_key="presentation:12", recipients=[people.owner], **REQUEST)
        notify(dedupe_key="presentation:13", recipients=[people.colleague], **REQUEST)
        notify(dedupe_key="meeting:3", recipients=[people.owner, people.stranger], **REQUEST)
    assert callbacks == [services.kick]
    assert Notification.objects.count() == 4


class KickRecorder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def kicks(monkeypatch: pytest.MonkeyPatch) -> KickRecorder:
    recorder = KickRecorder()
    monkeypatch.setattr(services, "kick", recorder)
    return recorder


# The same rules with real commits and rollbacks (no test transaction around them).


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_kicks_once(kicks: KickRecorder) -> None:
    owner, colleague = make_user("owner"), make_user("colleague")
    with transaction.atomic():
        notify(dedupe_key="presentation:12", recipients=[owner], **REQUEST)
        notify(dedupe_key="presentation:13", recipients=[owner, colleague], **REQUEST)
        assert kicks.calls == 0  # not before the commit
    assert kicks.calls == 1
    assert Notification.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_row_and_no_kick(kicks: KickRecorder) -> None:
    owner = make_user("owner")
    with pytest.raises(Boom), transaction.atomic():
        notify(dedupe_key="presentation:12", recipients=[owner], **REQUEST)
        raise Boom
    assert kicks.calls == 0
    assert Notification.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_kick_lost_with_a_rolled_back_savepoint_is_registered_again(
    kicks: KickRecorder,
) -> None:
    owner = make_user("owner")
    with transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            notify(dedupe_key="presentation:12", recipients=[owner], **REQUEST)
            raise Boom  # the savepoint, its row and its kick are gone
        notify(dedupe_key="presentation:13", recipients=[owner], **REQUEST)
    assert kicks.calls == 1
    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == ["presentation:13"]


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused(kicks: KickRecorder) -> None:
    owner = make_user("owner")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify(dedupe_key="presentation:12", recipients=[owner], **REQUEST)
    assert Notification.objects.count() == 0
    assert kicks.calls == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "https://elsewhere.example/", "url must be a path"),
        ("url", "//elsewhere.example/", "url must be a path"),
        ("url", "cases/12/", "url must be a path"),
        ("subject", "Case #12\nBcc: everyone@example.org", "one line"),
        ("subject", "", "subject must be"),
        ("subject", "x" * 201, "subject must be"),
        ("kind", "", "kind must be"),
    ],
)
def test_what_could_never_be_delivered_is_refused(
    people: People, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        notify(dedupe_key="k", recipients=[people.owner], **{**REQUEST, field: value})
    assert Notification.objects.count() == 0


def test_an_empty_dedupe_key_is_refused(people: People) -> None:
    with pytest.raises(ValueError, match="dedupe_key must be"):
        notify(dedupe_key="", recipients=[people.owner], **REQUEST)
