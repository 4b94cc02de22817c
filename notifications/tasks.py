"""Celery tasks: thin, no arguments, one service call. Both are idempotent (claims), so a
duplicated kick or two overlapping sweeps never send an e-mail twice.

``deliver`` is the kick sent after a commit (``services.kick``); ``sweep`` runs every minute
from beat (settings.CELERY_BEAT_SCHEDULE) and delivers whatever a lost kick left pending.
Send failures are handled row by row in ``deliver_pending`` (counted, given up after
MAX_ATTEMPTS); only a lost database connection fails a task, and that is retried.
Results are not stored: nobody waits for them, and the kick then never touches the result
backend.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import deliver_pending

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}, ignore_result=True
)
def deliver() -> int:
    return deliver_pending()


@shared_task(
    autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}, ignore_result=True
)
def sweep() -> int:
    return deliver_pending()
