"""What every service of the cases app shares: permission re-checks, validation, saving with
the row history attributed to the user, locking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models

from .. import permissions
from ..models import (
    Case,
)
from ..permissions import Perm
from ..workflow import (
    FINAL_STATUSES,
)

M = TypeVar("M", bound=models.Model)

NOT_ALLOWED = "You do not have permission to do this on this board."


def _require(user: Any, perm: Perm, obj: object) -> None:
    if not permissions.has_perm(user, perm, obj):
        raise PermissionDenied(NOT_ALLOWED)


def _require_open(case: Case) -> None:
    """Clinical data of a closed, declined or withdrawn case is no longer changed."""
    if case.status in FINAL_STATUSES:
        raise ValidationError({"case": f"The case is {case.status}; re-present it first."})


def _require_owned_fields(user: Any, obj: object, fields: Mapping[str, Any]) -> None:
    """A specialist's judgement is set only by that specialty (cases.permissions.FIELD_OWNERS).

    Only fields whose value changes count, so a client may send back what it read.
    """
    changing = [name for name, value in fields.items() if getattr(obj, name, None) != value]
    denied = permissions.fields_not_owned(user, obj, changing)
    if denied:
        owners = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in denied.items())
        raise PermissionDenied(f"Only these specialties may set these components: {owners}.")


def _save(obj: M, *, by: Any, exclude: list[str] | None = None) -> M:
    """Validate fully, then save with the history row attributed to ``by``."""
    obj.full_clean(exclude=exclude)
    obj._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    try:
        obj.save()
    except IntegrityError as exc:  # a race past full_clean's uniqueness check
        raise ValidationError({"non_field_errors": "This record conflicts with another."}) from exc
    return obj


def _lock(obj: M) -> M:
    """Lock the row for this transaction and reload ``obj`` (the caller's instance) from it."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()
    obj.refresh_from_db()
    return obj


def _apply(obj: M, fields: Mapping[str, Any], editable: set[str]) -> list[str]:
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
