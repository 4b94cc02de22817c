"""What every write service shares (the cases app's, and the apps above it): permission re-checks,
validation, locking, and saving only what changed with the row history attributed to the user.

The concurrency rule (README "Concurrent edits"): a service that writes any record of a case
locks the case row first (``lock_case``), then re-reads the record it changes, checks the
version the client read (``check_version``), and saves only the fields that were sent
(``save_record(..., changed=...)``). Two people editing different fields of one record both keep
their edit; an edit based on an outdated version is refused (StaleVersion), never applied
over the newer one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models

from .. import permissions
from ..exceptions import Conflict, StaleVersion
from ..models import Case
from ..models.base import Versioned
from ..permissions import Perm
from ..workflow import (
    FINAL_STATUSES,
)

M = TypeVar("M", bound=models.Model)

NOT_ALLOWED = "You do not have permission to do this on this board."


def require(user: Any, perm: Perm, obj: object) -> None:
    if not permissions.has_perm(user, perm, obj):
        raise PermissionDenied(NOT_ALLOWED)


def require_open(case: Case) -> None:
    """Clinical data of a closed, declined or withdrawn case is no longer changed."""
    if case.status in FINAL_STATUSES:
        raise ValidationError({"case": f"The case is {case.status}; re-present it first."})


def require_owned_fields(user: Any, obj: object, fields: Mapping[str, Any]) -> None:
    """A specialist's judgement is set only by that specialty (cases.permissions.FIELD_OWNERS).

    Only fields whose value changes count, so a client may send back what it read.
    """
    changing = [name for name, value in fields.items() if getattr(obj, name, None) != value]
    denied = permissions.fields_not_owned(user, obj, changing)
    if denied:
        owners = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in denied.items())
        raise PermissionDenied(f"Only these specialties may set these components: {owners}.")


def save_record(obj: M, *, by: Any, changed: Sequence[str] | None = None) -> M:
    """Validate fully, then save with the history row attributed to ``by``.

    For an existing row, ``changed`` names the fields to write (nothing else is written, so a
    concurrent change of another field survives) and the version is raised.
    """
    obj.full_clean()
    obj._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    update_fields: list[str] | None = None
    if changed is not None and not obj._state.adding:
        update_fields = list(changed)
        if isinstance(obj, Versioned):
            obj.version += 1
            update_fields.append("version")
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update_fields.append("updated_at")
    try:
        obj.save(update_fields=update_fields)
    except IntegrityError as exc:  # a race past full_clean's uniqueness check
        raise Conflict() from exc
    return obj


def lock(obj: M) -> M:
    """Lock the row for this transaction and reload ``obj`` (the caller's instance) from it."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()
    obj.refresh_from_db()
    return obj


def lock_case(case: Case) -> Case:
    """Lock the case row: every writer of the case's records queues here, so the scores they
    recompute and the records they re-read are the previous writer's committed ones."""
    return lock(case)


def check_version(obj: Versioned, expected: int | None) -> None:
    """Refuse a change made on an older version than the record now has (None: not checked)."""
    if expected is not None and expected != obj.version:
        raise StaleVersion(current=obj.version)


def apply_fields(obj: M, fields: Mapping[str, Any], editable: AbstractSet[str]) -> list[str]:
    """Set ``fields`` on ``obj`` and return the names that really changed."""
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
