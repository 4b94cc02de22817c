"""Standard pathways (approve a version, retire it) and the triage of agenda items to them.

A pathway version is approved by an attending of the board (``sign_decision``: the board's
attendings approve its protocols) and never edited: a change is the next version of the same
``code``, and approving it retires the live version in the same transaction. Its criteria are
validated by ``meetings.criteria`` (a 400 naming ``criteria[2].fact``…).

Triage: a coordinator (``manage_meetings``) turns an agenda item into a short ratification of
a live pathway of the meeting's board whose criteria the case meets now (otherwise a 400 with
the reasons). Untriage turns it back into a full discussion: a coordinator, or an attending
(who may want the case discussed in full, before or during the meeting).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.audit import audit_record
from cases.models import AuditAction, Board
from cases.permissions import Perm, has_perm
from cases.services.common import NOT_ALLOWED, check_version, lock, require, save_record

from .. import criteria as rules
from .. import readiness
from ..models import AgendaItem, AgendaKind, Intent, MeetingStatus, StandardPathway
from .agenda import _agenda_changed
from .scheduling import require_status

#: Minutes a ratification takes on the agenda (the board confirms the pathway's plan).
RATIFICATION_MINUTES = 3
#: Minutes of a full discussion (the agenda item's default).
FULL_DISCUSSION_MINUTES = 10


def _check_criteria(value: Any) -> None:
    errors = rules.validate(value)
    if errors:
        raise ValidationError(errors)


def standard_pathway_approve(
    *,
    by: User,
    board: Board,
    code: str,
    title: str,
    recommendation: str,
    criteria: list[dict[str, Any]],
    intent: str = Intent.PALLIATIVE,
    plan: dict[str, Any] | None = None,
) -> StandardPathway:
    """Approve a pathway on ``board`` (an attending, ``sign_decision``): version 1 of a new
    ``code``, or the next version of an existing one, whose live version is retired in the
    same transaction (the board row is locked, so two approvals of one code queue)."""
    require(by, Perm.SIGN_DECISION, board)
    _check_criteria(criteria)
    if plan is not None and not isinstance(plan, dict):
        raise ValidationError({"plan": "The plan is an object (per modality)."})
    with transaction.atomic():
        lock(board)
        versions = StandardPathway.objects.filter(board=board, code=code)
        last = versions.aggregate(last=Max("version"))["last"] or 0
        now = timezone.now()
        for live in versions.select_for_update().filter(retired_at__isnull=True):
            live.retired_at, live.retired_by = now, by
            save_record(live, by=by, changed=["retired_at", "retired_by"])
        pathway = StandardPathway(
            board=board,
            code=code,
            version=last + 1,
            title=title,
            recommendation=recommendation,
            intent=intent,
            plan=plan or {},
            criteria=criteria,
            approved_by=by,
        )
        return save_record(pathway, by=by)


def standard_pathway_retire(*, by: User, pathway: StandardPathway) -> StandardPathway:
    """Retire a live version (an attending): it is no longer offered for triage. Items
    already triaged to it keep naming it; their readiness shows it retired."""
    require(by, Perm.SIGN_DECISION, pathway)
    with transaction.atomic():
        lock(pathway)
        if pathway.retired_at is not None:
            raise ValidationError({"pathway": "This version is retired already."})
        pathway.retired_at, pathway.retired_by = timezone.now(), by
        return save_record(pathway, by=by, changed=["retired_at", "retired_by"])


def _set_kind(
    item: AgendaItem,
    *,
    by: User,
    kind: str,
    pathway: StandardPathway | None,
    minutes: int,
    detail: str,
) -> AgendaItem:
    """Write an item's kind, pathway and minutes (the caller holds the meeting's and the
    item's locks): a new agenda version and an audit row."""
    item.kind = kind
    item.pathway = pathway
    item.minutes_allotted = minutes
    changed = ["kind", "pathway", "minutes_allotted"]
    save_record(item, by=by, changed=changed)
    _agenda_changed(item.meeting)
    audit_record(
        user=by, action=AuditAction.UPDATE, obj=item, changed_fields=changed, detail=detail
    )
    return item


def agenda_item_triage(
    *,
    by: User,
    item: AgendaItem,
    pathway: StandardPathway,
    expected_version: int | None = None,
) -> AgendaItem:
    """Make ``item`` a ratification of ``pathway`` (coordinators, ``manage_meetings``) while
    its meeting is scheduled or in progress. The pathway must be a live version of the
    meeting's board and the case must meet its criteria now: otherwise a 400 on ``pathway``
    with the reasons. The item gets the ratification's minutes; the agenda version is raised."""
    require(by, Perm.MANAGE_MEETINGS, item.meeting)
    with transaction.atomic():
        lock(item.meeting)
        lock(item)
        check_version(item, expected_version)
        require_status(item.meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        pathway.refresh_from_db()
        if pathway.board_id != item.meeting.board_id:
            raise ValidationError({"pathway": "The pathway is of another board."})
        if pathway.retired_at is not None:
            live = readiness.live_pathways(pathway.board_id).filter(code=pathway.code).first()
            hint = f" The live version is {live.pk} (v{live.version})." if live else ""
            raise ValidationError({"pathway": f"This version is retired.{hint}"})
        facts = readiness.item_case_facts(by, item.pk)
        matches, reasons = rules.evaluate(pathway.criteria, facts)
        if not matches:
            raise ValidationError(
                {"pathway": [f"The case does not meet {pathway.title}: {r}." for r in reasons]}
            )
        return _set_kind(
            item,
            by=by,
            kind=AgendaKind.RATIFICATION,
            pathway=pathway,
            minutes=RATIFICATION_MINUTES,
            detail=f"triaged to pathway {pathway.code} v{pathway.version}",
        )


def agenda_item_untriage(
    *, by: User, item: AgendaItem, expected_version: int | None = None
) -> AgendaItem:
    """Turn a ratification back into a full discussion (kind full, no pathway, the default
    minutes): a coordinator (``manage_meetings``) or an attending (``sign_decision``), while
    the meeting is scheduled or in progress. Idempotent on a full-discussion item."""
    if not (
        has_perm(by, Perm.MANAGE_MEETINGS, item.meeting)
        or has_perm(by, Perm.SIGN_DECISION, item.meeting)
    ):
        raise PermissionDenied(NOT_ALLOWED)
    with transaction.atomic():
        lock(item.meeting)
        lock(item)
        check_version(item, expected_version)
        require_status(item.meeting, MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
        if item.kind == AgendaKind.FULL and item.pathway_id is None:
            return item
        return _set_kind(
            item,
            by=by,
            kind=AgendaKind.FULL,
            pathway=None,
            minutes=FULL_DISCUSSION_MINUTES,
            detail="untriaged: full discussion",
        )
