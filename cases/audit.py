"""The audit log writer. Call it inside the transaction of the change it records.

Request facts (address, user agent, path) come from ``tumorboard.middleware.RequestContext``,
so services need no request argument; in Celery tasks they are simply empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .models import AuditAction, AuditEvent, Case, Patient


@dataclass(frozen=True)
class RequestFacts:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


# RequestFacts is a frozen dataclass, so sharing the default instance is safe.
request_facts: ContextVar[RequestFacts] = ContextVar(
    "request_facts",
    default=RequestFacts(),  # noqa: B039
)


def _patient_id(obj: Any) -> int | None:
    if isinstance(obj, Patient):
        return obj.pk
    if isinstance(obj, Case):
        return obj.patient_id
    case = getattr(obj, "case", None)
    if case is not None:
        return case.patient_id
    return getattr(obj, "patient_id", None)  # e.g. a PatientBoardLink


def _board_id(obj: Any) -> int | None:
    if isinstance(obj, Patient):
        return obj.registered_board_id
    if isinstance(obj, Case):
        return obj.board_id
    case = getattr(obj, "case", None)
    if case is not None:
        return case.board_id
    return getattr(obj, "board_id", None)


def _event(
    user: Any, action: str, obj: Any, changed_fields: Sequence[str], detail: str
) -> AuditEvent:
    facts = request_facts.get()
    return AuditEvent(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        patient_id=_patient_id(obj),
        board_id=_board_id(obj),
        changed_fields=list(changed_fields),
        detail=detail[:200],
        ip_address=facts.ip_address,
        user_agent=facts.user_agent[:300],
        request_path=facts.path[:300],
    )


def audit_record(
    *,
    user: Any,
    action: AuditAction | str,
    obj: Any,
    changed_fields: Sequence[str] = (),
    detail: str = "",
) -> AuditEvent:
    """Record one action on one object."""
    event = _event(user, action, obj, changed_fields, detail)
    event.save()
    return event


def audit_reads(*, user: Any, action: AuditAction | str, objects: Iterable[Any]) -> None:
    """Record that ``user`` was shown ``objects``: one row per object, one INSERT in all."""
    events = [_event(user, action, obj, (), "") for obj in objects]
    if events:
        AuditEvent.objects.bulk_create(events)


def audit_patient_event(
    *,
    user: Any,
    action: AuditAction | str,
    patient_id: int | None,
    board_id: int | None,
    detail: str,
) -> AuditEvent:
    """Record an action about a patient that names no object the user was shown: a look-up
    that found nothing (no patient id), a refused registration (the existing patient's id)."""
    facts = request_facts.get()
    event = AuditEvent(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=Patient._meta.label_lower,
        object_id="" if patient_id is None else str(patient_id),
        patient_id=patient_id,
        board_id=board_id,
        detail=detail[:200],
        ip_address=facts.ip_address,
        user_agent=facts.user_agent[:300],
        request_path=facts.path[:300],
    )
    event.save()
    return event


def audit_lookup(*, user: Any, found: Sequence[Patient], what: str = "MRN look-up") -> None:
    """Record a look-up of patients (an MRN look-up, a search by name): one row per patient it
    showed, or one row with no patient id when it found none (what was typed is never
    stored)."""
    if found:
        audit_reads(user=user, action=AuditAction.LOOKUP, objects=found)
    else:
        audit_patient_event(
            user=user,
            action=AuditAction.LOOKUP,
            patient_id=None,
            board_id=None,
            detail=f"{what}: no patient found",
        )
