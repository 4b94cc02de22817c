"""The guardian grants derived from memberships, and the field-ownership rule."""

from __future__ import annotations

import pytest

from cases import permissions, services
from cases.models import BoardUserObjectPermission, Case, Role, Specialty
from cases.permissions import Perm
from tests.conftest import World, make_case, make_user


def granted(world: World, user: object) -> set[str]:
    return set(
        BoardUserObjectPermission.objects.filter(user=user, content_object=world.board).values_list(
            "permission__codename", flat=True
        )
    )


def test_roles_grant_exactly_their_permissions_and_revoking_removes_them(world: World) -> None:
    user = make_user("multi")
    coordinator = services.membership_grant(
        by=world.admin, board=world.board, user=user, role=Role.COORDINATOR
    )
    assert granted(world, user) == {str(p) for p in permissions.ROLE_PERMISSIONS[Role.COORDINATOR]}
    services.membership_grant(
        by=world.admin,
        board=world.board,
        user=user,
        role=Role.SPECIALIST,
        specialty=world.specialties[Specialty.RADIOLOGY],
    )
    both = (
        permissions.ROLE_PERMISSIONS[Role.COORDINATOR]
        | permissions.ROLE_PERMISSIONS[Role.SPECIALIST]
    )
    assert granted(world, user) == {str(p) for p in both}
    services.membership_revoke(by=world.admin, membership=coordinator)
    assert granted(world, user) == {str(p) for p in permissions.ROLE_PERMISSIONS[Role.SPECIALIST]}
    assert (
        BoardUserObjectPermission.objects.filter(
            user=user, content_object=world.other_board
        ).count()
        == 0
    )


def test_granting_twice_is_idempotent(world: World) -> None:
    before = BoardUserObjectPermission.objects.count()
    again = services.membership_grant(
        by=world.admin, board=world.board, user=world.coordinator, role=Role.COORDINATOR
    )
    assert again.pk == world.coordinator.board_memberships.get().pk
    assert BoardUserObjectPermission.objects.count() == before


def test_board_ids_come_from_guardian(world: World) -> None:
    assert permissions.board_ids(world.coordinator, Perm.MANAGE_CASES) == {world.board.pk}
    assert permissions.board_ids(world.surgeon, Perm.MANAGE_CASES) == frozenset()
    assert permissions.board_ids(world.outsider, Perm.VIEW) == frozenset()
    assert permissions.board_ids(world.admin, Perm.VIEW) == {world.board.pk, world.other_board.pk}


def test_a_specialist_membership_needs_a_specialty(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.membership_grant(
            by=world.admin, board=world.board, user=make_user("x"), role=Role.SPECIALIST
        )
    with pytest.raises(ValidationError):
        services.membership_grant(
            by=world.admin,
            board=world.board,
            user=make_user("y"),
            role=Role.COORDINATOR,
            specialty=world.specialties[Specialty.RADIOLOGY],
        )


@pytest.mark.parametrize(
    ("user", "field", "allowed"),
    [
        ("radiologist", "escc_grade", True),
        ("surgeon", "escc_grade", False),
        ("surgeon", "mechanical_status", True),
        ("coordinator", "level_from", True),
        ("coordinator", "sins_pain", False),
        ("admin", "sins_pain", True),
    ],
)
def test_field_ownership(world: World, user: str, field: str, allowed: bool) -> None:
    case: Case = make_case(world, status="in_workup")
    lesion = services.lesion_add(by=world.coordinator, case=case, level_from="T2", level_to="T2")
    denied = permissions.fields_not_owned(world.users[user], lesion, [field])
    assert (denied == {}) is allowed
