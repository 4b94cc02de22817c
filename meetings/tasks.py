"""Celery tasks of the meetings app: thin, one service call, idempotent."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import series_extend_all

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}, ignore_result=True
)
def extend_series() -> int:
    """Keep every active series' occurrences created up to the horizon (daily, from beat).
    Idempotent: occurrences are unique per (series, original start)."""
    return series_extend_all()
