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
    return case.patient_id if case is not None else None


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
