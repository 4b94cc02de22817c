"""The one place where "may this user do this to this object?" is decided.

Rights are guardian object permissions on a Board (derived from Membership rows by
``cases.services``); every other object is judged through its board. The DRF permission class
(``tumorboard.api.BoardPermission``), the pages and the admin all call ``has_perm`` /
``board_ids``; services call them again before writing.

Lookups are per request, never per object: ``board_ids`` costs one query per (user, permission)
and is cached on the user instance, which Django builds anew for every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from guardian.shortcuts import get_objects_for_user

from .models import (
    Board,
    Case,
    ClinicalStatus,
    Membership,
    Patient,
    Role,
    SpecialtyAssessment,
    SpinalLesion,
)
from .score_inputs import CASE, LESION, SCORE_INPUTS, STATUS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


class Perm(StrEnum):
    VIEW = "view_board"
    MANAGE_CASES = "manage_cases"
    EDIT_CLINICAL_DATA = "edit_clinical_data"
    AUTHOR_ASSESSMENT = "author_assessment"
    SIGN_DECISION = "sign_decision"
    MANAGE_MEETINGS = "manage_meetings"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    # Coordinators run the workflow but author no clinical opinion and sign nothing.
    Role.COORDINATOR: frozenset(
        {Perm.VIEW, Perm.MANAGE_CASES, Perm.EDIT_CLINICAL_DATA, Perm.MANAGE_MEETINGS}
    ),
    Role.SPECIALIST: frozenset({Perm.VIEW, Perm.EDIT_CLINICAL_DATA, Perm.AUTHOR_ASSESSMENT}),
    Role.ATTENDING: frozenset({Perm.VIEW, Perm.EDIT_CLINICAL_DATA, Perm.SIGN_DECISION}),
}

# Scoring inputs that are a specialist's clinical judgement, and the specialties that own them
# (from the one table, ``cases.score_inputs``): only a specialist of an owning specialty on the
# case's board may set them (whatever their other roles). Everything else in the clinical
# record is open to EDIT_CLINICAL_DATA.
_RECORD_MODELS: dict[str, type] = {LESION: SpinalLesion, STATUS: ClinicalStatus, CASE: Case}
FIELD_OWNERS: dict[type, dict[str, frozenset[str]]] = {}
for _input in SCORE_INPUTS:
    if _input.owners:
        FIELD_OWNERS.setdefault(_RECORD_MODELS[_input.record], {})[_input.field] = _input.owners

_CACHE_ATTR = "_tumorboard_perm_cache"


def _cache(user: Any) -> dict[Any, Any]:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def invalidate(user: Any) -> None:
    """Forget what was looked up for this user object (after its memberships changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def board_ids(user: AnyUser, perm: Perm) -> frozenset[int]:
    """Ids of the boards on which ``user`` holds ``perm`` (superusers: every board)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = _cache(user)
    if perm not in cache:
        boards = get_objects_for_user(user, f"cases.{perm}", klass=Board, accept_global_perms=False)
        cache[perm] = frozenset(boards.values_list("pk", flat=True))
    return cache[perm]


def _specialties(user: AnyUser, board_id: int) -> frozenset[tuple[int, str]]:
    """(id, code) of the specialties ``user`` practises as a specialist on the board.

    One query per request for all boards, cached on the user instance.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = _cache(user)
    if "specialties" not in cache:
        by_board: dict[int, set[tuple[int, str]]] = {}
        rows = Membership.objects.filter(user=user, role=Role.SPECIALIST).values_list(
            "board_id", "specialty_id", "specialty__code"
        )
        for row_board, specialty_id, code in rows:
            by_board.setdefault(row_board, set()).add((specialty_id, code))
        cache["specialties"] = {k: frozenset(v) for k, v in by_board.items()}
    return cache["specialties"].get(board_id, frozenset())


def specialty_ids(user: AnyUser, board_id: int) -> frozenset[int]:
    """Ids of the specialties ``user`` practises as a specialist on the board."""
    return frozenset(specialty_id for specialty_id, _ in _specialties(user, board_id))


def specialty_codes(user: AnyUser, board_id: int) -> frozenset[str]:
    """Codes of the specialties ``user`` practises as a specialist on the board."""
    return frozenset(code for _, code in _specialties(user, board_id))


def fields_not_owned(user: AnyUser, obj: object, fields: Iterable[str]) -> dict[str, list[str]]:
    """The owned scoring components among ``fields`` that ``user`` may not set on ``obj``,
    each with the specialties that may (empty when every field is the user's to set).
    """
    owners = FIELD_OWNERS.get(type(obj), {})
    owned = [name for name in fields if name in owners]
    if not owned or user.is_superuser:
        return {}
    mine = specialty_codes(user, board_id_of(obj))
    return {name: sorted(owners[name]) for name in owned if not owners[name] & mine}


def board_id_of(obj: object) -> int:
    """The board an object belongs to: its own, or its case's (patients: see ``has_perm``)."""
    if isinstance(obj, Board):
        return obj.pk
    if isinstance(obj, Case):
        return obj.board_id
    if getattr(obj, "case_id", None) is not None:  # lesions, statuses, assessments, scores…
        return obj.case.board_id  # type: ignore[attr-defined]
    board_id = getattr(obj, "board_id", None)
    if board_id is None:
        raise TypeError(f"{type(obj).__name__} is not scoped to a board")
    return int(board_id)


def has_perm(user: AnyUser, perm: Perm, obj: object) -> bool:
    """Whether ``user`` holds ``perm`` for ``obj``, judged on the object's board.

    A patient is judged on every board that registered it, was linked to it (a matching
    registration at another board of the institution: ``PatientBoardLink``) or was referred
    it. Authoring an assessment additionally requires being a specialist of the assessment's
    specialty on that board: a specialist writes only their own specialty's assessment.
    """
    allowed = board_ids(user, perm)
    if isinstance(obj, Patient):
        if obj.registered_board_id in allowed:
            return True
        if not allowed:
            return False
        return (
            obj.cases.filter(board_id__in=allowed).exists()
            or obj.board_links.filter(board_id__in=allowed).exists()
        )
    board_id = board_id_of(obj)
    if board_id not in allowed:
        return False
    if perm is Perm.AUTHOR_ASSESSMENT and isinstance(obj, SpecialtyAssessment):
        return user.is_superuser or obj.specialty_id in specialty_ids(user, board_id)
    return True
