"""Celery tasks: ids in, one service call. Sent only after commit (``delay_on_commit``)."""

from smtplib import SMTPException

from celery import shared_task

from .notifications import assessment_requests_send


@shared_task(
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def request_assessments(case_id: int, presentation_round: int) -> int:
    return assessment_requests_send(case_id=case_id, presentation_round=presentation_round)
