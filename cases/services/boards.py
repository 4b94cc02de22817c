"""Memberships, and the guardian object permissions derived from them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .. import permissions
from ..audit import audit_record
from ..models import (
    AuditAction,
    Board,
    BoardUserObjectPermission,
    Membership,
    Specialty,
)
from .common import (
    save_record,
)

# --- Memberships and the guardian permissions derived from them --------------------------


def _sync_board_permissions(board: Board, user: User) -> None:
    """Make the user's guardian permissions on ``board`` exactly those of their roles.

    Set-based on guardian's direct foreign-key table (a handful of queries, not a few per
    permission as ``assign_perm``/``remove_perm`` would take).
    """
    wanted: set[str] = set()
    for role in Membership.objects.filter(board=board, user=user).values_list("role", flat=True):
        wanted |= {str(perm) for perm in permissions.ROLE_PERMISSIONS[role]}
    held = BoardUserObjectPermission.objects.filter(user=user, content_object=board)
    have = set(held.values_list("permission__codename", flat=True))
    if wanted - have:
        by_codename = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(Board), codename__in=wanted - have
            )
        }
        BoardUserObjectPermission.objects.bulk_create(
            BoardUserObjectPermission(user=user, content_object=board, permission=by_codename[c])
            for c in sorted(wanted - have)
        )
    if have - wanted:
        held.filter(permission__codename__in=have - wanted).delete()
    permissions.invalidate(user)


@transaction.atomic
def membership_grant(
    *,
    by: Any,
    board: Board,
    user: User,
    role: str,
    specialty: Specialty | None = None,
) -> Membership:
    """Give ``user`` a role on ``board`` (idempotent). Staff only, through the admin or seeding."""
    existing = Membership.objects.filter(
        board=board, user=user, role=role, specialty=specialty
    ).first()
    if existing is not None:
        return existing
    membership = save_record(
        Membership(board=board, user=user, role=role, specialty=specialty), by=by
    )
    _sync_board_permissions(board, user)
    audit_record(user=by, action=AuditAction.PERMISSION, obj=membership, detail=f"grant {role}")
    return membership


@transaction.atomic
def membership_revoke(*, by: Any, membership: Membership) -> None:
    board, user, role = membership.board, membership.user, membership.role
    audit_record(user=by, action=AuditAction.PERMISSION, obj=membership, detail=f"revoke {role}")
    membership._history_user = by  # type: ignore[attr-defined]
    membership.delete()
    _sync_board_permissions(board, user)
