"""Writes of the outbox: create notifications, deliver their e-mails, mark them read.

**No patient data, ever.** A notification's subject, body and url are shown in lists and sent
by e-mail, in the clear, to mailboxes outside the product: callers name the case number and
link to the product (where the reader logs in), never a patient's name, MRN, birth date or
clinical details. Nothing here can check that; every caller must.

The delivery contract (house style, convention 5):

* ``notify`` writes the rows in the caller's transaction, the one that makes the change the
  notification is about: if that rolls back, no notification exists, and none is sent.
* After commit a best-effort *kick* sends the delivery task. If the broker is down the kick
  only logs: the user's change has committed and the periodic ``sweep`` delivers later.
* ``deliver_pending`` sends each e-mail exactly once, however many workers run it at the same
  time, by claiming each row with a conditional UPDATE before sending.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from .models import EMAIL_PENDING, Notification

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: the row is sent again.
STALE_CLAIM = timedelta(minutes=10)
# E-mail attempts before a row is given up (email_failed_at).
MAX_ATTEMPTS = 5

_KIND_MAX = Notification._meta.get_field("kind").max_length or 0
_KEY_MAX = Notification._meta.get_field("dedupe_key").max_length or 0
_SUBJECT_MAX = Notification._meta.get_field("subject").max_length or 0
_URL_MAX = Notification._meta.get_field("url").max_length or 0
_ERROR_MAX = Notification._meta.get_field("email_last_error").max_length or 0


def _email_address(user: AbstractBaseUser) -> str:
    return str(getattr(user, user.get_email_field_name(), "") or "")


def _check(*, kind: str, dedupe_key: str, subject: str, url: str) -> None:
    """Refuse at notify time what could never be delivered, rather than fail five times later.

    These are programming errors of the caller, not user input: ValueError, not a 400.
    """
    if not kind or len(kind) > _KIND_MAX:
        raise ValueError(f"kind must be 1 to {_KIND_MAX} characters.")
    if not dedupe_key or len(dedupe_key) > _KEY_MAX:
        raise ValueError(f"dedupe_key must be 1 to {_KEY_MAX} characters.")
    if not subject or len(subject) > _SUBJECT_MAX:
        raise ValueError(f"subject must be 1 to {_SUBJECT_MAX} characters.")
    if "\n" in subject or "\r" in subject:
        raise ValueError("subject must be one line (it becomes an e-mail header).")
    # A path inside the product only: the e-mail link is always SITE_URL + url, so a caller
    # can never make the product send a link to another site ("//elsewhere" included).
    if url and (not url.startswith("/") or url.startswith("//") or len(url) > _URL_MAX):
        raise ValueError(f"url must be a path inside the product ('/...'), at most {_URL_MAX}.")


def notify(
    *,
    kind: str,
    dedupe_key: str,
    recipients: Iterable[AbstractBaseUser],
    subject: str,
    body: str,
    url: str = "",
    board_id: int | None = None,
) -> int:
    """Create one notification per active recipient; returns the number of rows inserted.

    Must be called inside the caller's transaction (RuntimeError otherwise), so the rows
    exist exactly when the change that causes them does. Idempotent: a (kind, dedupe_key,
    recipient) that exists already is left as it is (not updated, not sent again). Inactive
    users are skipped; users without an e-mail address get the in-app row only. One delivery
    kick is registered per transaction, however often notify is called in it.

    The count is exact unless another transaction inserts the same key at the same moment;
    then both may count that row, but only one row exists and it is sent once.
    """
    _check(kind=kind, dedupe_key=dedupe_key, subject=subject, url=url)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError(
            "notify() must run inside the transaction of the change it reports "
            "(transaction.atomic), so a rolled-back change notifies no one."
        )
    by_pk = {user.pk: user for user in recipients if user.is_active}
    if not by_pk:
        return 0
    existing = set(
        Notification.objects.filter(
            kind=kind, dedupe_key=dedupe_key, recipient_id__in=by_pk
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Notification(
            kind=kind,
            dedupe_key=dedupe_key,
            recipient_id=pk,
            board_id=board_id,
            subject=subject,
            body=body,
            url=url,
            email=bool(_email_address(user)),
        )
        for pk, user in sorted(by_pk.items())
        if pk not in existing
    ]
    if not rows:
        return 0
    # ignore_conflicts: a concurrent transaction that inserted the same key first wins; the
    # unique constraint, not the read above, is what guarantees one row.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email for row in rows):
        _register_kick(connection)
    return len(rows)


def _register_kick(connection: BaseDatabaseWrapper) -> None:
    """One kick per transaction. The pending callbacks are the source of truth (not a flag):
    a callback registered in a savepoint that rolled back is gone, and is registered again.
    """
    # Entries are (savepoint ids, callback, robust); indexed, as django-stubs still types
    # them as pairs.
    if any(entry[1] is kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(kick)


def kick() -> None:
    """Ask a worker to deliver now. Best effort: never raises, and gives up fast.

    Runs after commit: the change is saved whatever happens here, and the periodic sweep
    delivers anything a lost kick leaves pending. So a dead broker only costs a warning, and
    must not cost the user's request the ~6 s kombu spends retrying by default: a connection
    of its own (from the broker URL configured now, not the cached producer pool), no
    connection retry (max_retries 0), 2 s socket timeouts, no publish retry. Measured: a
    refused port fails in well under 0.1 s, a host that accepts and never answers in ~2 s.
    """
    from .tasks import deliver  # here: tasks imports this module

    try:
        with deliver.app.connection_for_write(
            transport_options={
                "max_retries": 0,
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
            }
        ) as connection:
            # connection= is a documented apply_async option that celery-types leaves out.
            deliver.apply_async(connection=connection, retry=False)  # type: ignore[call-arg]
    except Exception:
        # Not only broker errors: with tasks run in-process (no broker configured) this runs
        # the delivery itself, and a failure there must not fail the committed request either.
        logger.warning("Notification kick failed; the periodic sweep will deliver.", exc_info=True)


def deliver_pending(*, limit: int = 200) -> int:
    """Send the pending e-mails (at most ``limit`` per run); returns the number sent.

    Exactly once: each row is claimed with a conditional UPDATE first; when the update touches
    nothing, another worker has the row (or sent it) and this run skips it. A claim left by a
    worker that died is taken over after STALE_CLAIM. A failure to send releases the claim and
    records the error; after MAX_ATTEMPTS the row is given up (email_failed_at). One bad
    address never holds up the others. Runs in autocommit: each claim is visible at once.
    """
    now = timezone.now()
    stale = now - STALE_CLAIM
    # A worker lost during the last allowed attempt left a claim that nobody may take again.
    Notification.objects.filter(
        EMAIL_PENDING, email_attempts__gte=MAX_ATTEMPTS, email_claimed_at__lt=stale
    ).update(
        email_claimed_at=None,
        email_failed_at=now,
        email_last_error="The worker was lost during the last attempt.",
    )
    claimable = (
        EMAIL_PENDING
        & Q(email_attempts__lt=MAX_ATTEMPTS)
        & (Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
    )
    candidates = list(
        Notification.objects.filter(claimable).select_related("recipient").order_by("pk")[:limit]
    )
    sent = 0
    for note in candidates:
        claimed = Notification.objects.filter(claimable, pk=note.pk).update(
            email_claimed_at=timezone.now(), email_attempts=F("email_attempts") + 1
        )
        if not claimed:
            continue  # another worker is sending it, has sent it or has given it up
        if _deliver_one(note):
            sent += 1
    return sent


def _deliver_one(note: Notification) -> bool:
    """Send one claimed row; True when sent. Never raises for a send failure."""
    recipient = note.recipient
    address = _email_address(recipient)
    if not recipient.is_active or not address:
        # Deactivated, or the address was removed, since notify(): nobody to send to.
        Notification.objects.filter(pk=note.pk).update(
            email_claimed_at=None,
            email_failed_at=timezone.now(),
            email_last_error="The recipient is inactive or has no e-mail address.",
        )
        return False
    message = note.body
    if note.url:
        message = f"{message}\n\n{settings.SITE_URL.rstrip('/')}{note.url}"
    try:
        send_mail(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{note.subject}",
            message=message,
            from_email=None,
            recipient_list=[address],
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
        # Give up once this (already counted) attempt was the last one: decided in the
        # database, from the count the claim wrote, not from a value read earlier.
        Notification.objects.filter(pk=note.pk).update(
            email_claimed_at=None,
            email_last_error=error,
            email_failed_at=Case(
                When(
                    email_attempts__gte=MAX_ATTEMPTS,
                    then=Value(timezone.now(), output_field=DateTimeField()),
                ),
                default=None,
            ),
        )
        logger.warning("Notification %s: e-mail not sent (%s).", note.pk, type(exc).__name__)
        return False
    Notification.objects.filter(pk=note.pk).update(email_sent_at=timezone.now())
    return True


def notification_mark_read(*, user: AbstractBaseUser, notification: Notification) -> Notification:
    """Mark the user's own notification read. Idempotent: the first reading time is kept."""
    if notification.recipient_id != user.pk:
        # Callers find the row through selectors.notifications_for_user; this is the re-check.
        raise PermissionDenied("Not your notification.")
    now = timezone.now()
    updated = Notification.objects.filter(
        pk=notification.pk, recipient_id=user.pk, read_at__isnull=True
    ).update(read_at=now)
    if updated:
        notification.read_at = now
    elif notification.read_at is None:  # read meanwhile, elsewhere: show that time
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Mark all the user's unread notifications read; returns how many were unread."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
