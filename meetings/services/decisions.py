"""The board's decisions: drafted, signed by an attending, amended, communicated.

Who (README "Role model"): an attending of the board (``sign_decision``) records and edits a
draft; a fast-track decision (a cord compression outside the weekly meeting) may also be
recorded by a specialist whose specialty is one of the board's on-call specialties. Only an
attending signs, and a signed decision is never changed (the model and a database trigger
refuse it): a correction is an amendment, a new version with a reason, signed like any draft.

Every write locks the case row first (the concurrency rule of ``cases.services.common``),
writes the decision's row history attributed to the user and an audit row (a decision names a
patient's case) in the same transaction.

Signing numbers the decision per board and calendar year (in the board's time zone) from
``DecisionCounter`` under its row lock; an amendment keeps the number of what it amends. It
snapshots the case's current scores, records whether the meeting was quorate, marks the case
discussed (the system transition ``record_discussion``), and puts a decision that needs
ratification (fast track, or signed at an inquorate meeting) on the board's next scheduled
meeting as a ratification item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.audit import audit_record
from cases.exceptions import Conflict
from cases.models import AuditAction, Case, CaseStatus, Membership, Presentation, Specialty
from cases.permissions import Perm, has_perm, specialty_ids
from cases.selectors import current_scores
from cases.services import case_move
from cases.services.common import (
    NOT_ALLOWED,
    check_version,
    lock,
    lock_case,
    require,
    require_open,
    save_record,
)

from .. import rules
from ..decision_plan import validate_plan
from ..models import (
    AgendaItem,
    AgendaKind,
    Decision,
    DecisionAction,
    DecisionCommunication,
    DecisionCounter,
    DecisionKind,
    FastTrack,
    Meeting,
    MeetingStatus,
    StandardPathway,
)
from .agenda import _agenda, _agenda_changed, _insert, _renumber
from .attendance import RECORDERS, STARTED, attendance_init, meeting_quorum, require_any


class ActionInput(TypedDict, total=False):
    kind: str
    description: str
    owner: User | None
    owner_text: str
    due_on: dt.date


class DissentInput(TypedDict):
    author: User
    opinion: str


class DecisionFields(TypedDict, total=False):
    intent: str
    no_treatment_reason: str
    plan: dict[str, Any]
    rationale: str
    follows_noms: bool | None
    noms_deviation_reason: str
    dissent: list[DissentInput]
    patient_preferences: str
    trial_considered: bool
    trial_notes: str
    actions: list[ActionInput]


#: The structured fields of a draft (``actions`` is written as a whole, beside them).
DECISION_EDITABLE = frozenset(DecisionFields.__annotations__) - {"actions"}
#: Copied from a signed version into its amendment.
_COPIED = (*sorted(DECISION_EDITABLE), "kind", "board_id", "case_id", "presentation_id")
#: Case statuses a signed decision moves on (``record_discussion``).
DISCUSSABLE = frozenset({CaseStatus.IN_WORKUP, CaseStatus.READY})


# --- Permissions ------------------------------------------------------------------------------


def on_call(user: Any, board_id: int) -> bool:
    """Whether ``user`` is a specialist of one of the board's on-call specialties."""
    mine = specialty_ids(user, board_id)
    return bool(mine) and (
        Specialty.objects.filter(pk__in=mine, on_call_of_boards=board_id).exists()
    )


def require_drafter(user: Any, *, kind: str, case: Case) -> None:
    """Recording and editing a draft: an attending of the board; for a fast track, also an
    on-call specialist of the board."""
    if has_perm(user, Perm.SIGN_DECISION, case):
        return
    if (
        kind == DecisionKind.FAST_TRACK
        and has_perm(user, Perm.VIEW, case)
        and (user.is_superuser or on_call(user, case.board_id))
    ):
        return
    raise PermissionDenied(NOT_ALLOWED)


# --- Validation -------------------------------------------------------------------------------


def _members(board_id: int, users: Sequence[User | None]) -> set[int]:
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return set()
    return set(
        Membership.objects.filter(board_id=board_id, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )


def _dissent(board_id: int, dissent: Sequence[DissentInput]) -> list[dict[str, Any]]:
    members = _members(board_id, [row["author"] for row in dissent])
    errors: dict[str, str] = {}
    out = []
    for i, row in enumerate(dissent):
        opinion = row["opinion"].strip()
        if row["author"].pk not in members:
            errors[f"dissent[{i}].author"] = "The author must be a member of the board."
        if not opinion:
            errors[f"dissent[{i}].opinion"] = "Write the dissenting opinion."
        out.append({"author": row["author"].pk, "opinion": opinion})
    if errors:
        raise ValidationError(errors)
    return out


def _actions(board_id: int, actions: Sequence[ActionInput]) -> list[DecisionAction]:
    members = _members(board_id, [row.get("owner") for row in actions])
    errors: dict[str, str] = {}
    for i, row in enumerate(actions):
        owner, owner_text = row.get("owner"), row.get("owner_text", "").strip()
        if owner is not None and owner.pk not in members:
            errors[f"actions[{i}].owner"] = "The owner must be a member of the board."
        elif owner is None and not owner_text:
            errors[f"actions[{i}].owner"] = "Name an owner: a member of the board or owner_text."
        if not row.get("description", "").strip():
            errors[f"actions[{i}].description"] = "Describe the action."
        if row.get("due_on") is None:
            errors[f"actions[{i}].due_on"] = "Give the date it is due."
    if errors:
        raise ValidationError(errors)
    return [
        DecisionAction(
            position=i + 1,
            kind=row.get("kind", ""),
            description=row.get("description", "").strip(),
            owner=row.get("owner"),
            owner_text=row.get("owner_text", "").strip(),
            due_on=row["due_on"],
        )
        for i, row in enumerate(actions)
    ]


def _facts(decision: Decision) -> rules.DecisionFacts:
    return rules.DecisionFacts(
        intent=decision.intent,
        no_treatment_reason=decision.no_treatment_reason,
        rationale=decision.rationale,
        follows_noms=decision.follows_noms,
        noms_deviation_reason=decision.noms_deviation_reason,
    )


def _apply(decision: Decision, fields: dict[str, Any]) -> list[str]:
    """Set the structured fields sent (validated) and return those that changed."""
    unknown = set(fields) - DECISION_EDITABLE
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    if "plan" in fields:
        fields["plan"] = validate_plan(fields["plan"])
    if "dissent" in fields:
        fields["dissent"] = _dissent(decision.board_id, fields["dissent"])
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(decision, name) != value:
            setattr(decision, name, value)
            changed.append(name)
    errors = rules.inconsistencies(_facts(decision))
    if errors:
        raise ValidationError(errors)
    return changed


def _write_actions(decision: Decision, actions: list[DecisionAction]) -> None:
    """Replace the draft's actions as a whole (the database refuses it once signed)."""
    DecisionAction.objects.filter(decision=decision).delete()
    for action in actions:
        action.decision = decision
        action.full_clean()
    DecisionAction.objects.bulk_create(actions)


def _action_inputs(decision: Decision) -> list[ActionInput]:
    return [
        ActionInput(
            kind=a.kind,
            description=a.description,
            owner=a.owner,
            owner_text=a.owner_text,
            due_on=a.due_on,
        )
        for a in decision.actions.select_related("owner").order_by("position", "id")
    ]


# --- Drafts -----------------------------------------------------------------------------------


def _to_ratify(presentation: Presentation) -> Decision | None:
    """The signed, current decision of the presentation that waits for ratification."""
    return (
        Decision.objects.filter(
            presentation=presentation,
            signed_at__isnull=False,
            needs_ratification=True,
            amended_by__isnull=True,
        )
        .order_by("-signed_at", "-id")
        .first()
    )


def _prefill(decision: Decision, pathway: StandardPathway, *, plan_sent: bool) -> None:
    """A ratification of a standard pathway starts from the pathway's recommendation."""
    decision.pathway = pathway
    decision.intent = pathway.intent
    decision.rationale = pathway.recommendation
    if not plan_sent:
        try:
            decision.plan = validate_plan(pathway.plan)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "plan": f"The plan of pathway {pathway} does not fit the decision's plan "
                    f"({'; '.join(exc.messages)}): send the plan."
                }
            ) from exc


def decision_create(
    *,
    by: User,
    agenda_item: AgendaItem | None = None,
    case: Case | None = None,
    kind: str = "",
    **fields: Unpack[DecisionFields],
) -> Decision:
    """Record a draft decision: for an agenda item (kind ``board``, or ``ratification`` for a
    ratification item, which names the decision it ratifies and is prefilled from the item's
    standard pathway), or, with ``kind="fast_track"``, for a case on the fast track. One draft
    per item (and per fast-tracked presentation): a second is refused; edit the draft, or
    amend it once signed."""
    data: dict[str, Any] = dict(fields)
    actions = data.pop("actions", None)
    if agenda_item is not None and case is None:
        item = AgendaItem.objects.select_related("meeting", "presentation__case", "pathway").get(
            pk=agenda_item.pk
        )
        derived = (
            DecisionKind.RATIFICATION
            if item.kind == AgendaKind.RATIFICATION
            else DecisionKind.BOARD
        )
        if kind and kind != derived:
            raise ValidationError(
                {"kind": f"A decision for this agenda item is of kind {derived}."}
            )
        kind = derived
        case, presentation = item.presentation.case, item.presentation
        require_drafter(by, kind=kind, case=case)
        if item.meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError({"agenda_item": "The meeting was cancelled."})
    elif case is not None and agenda_item is None and kind == DecisionKind.FAST_TRACK:
        item = None
        require_drafter(by, kind=kind, case=case)
        if not FastTrack.objects.filter(case=case).exists():
            raise ValidationError({"case": "The case is not on the fast track."})
        if case.current_presentation_id is None:
            raise ValidationError({"case": "The case has not been accepted for the board."})
        presentation = Presentation.objects.get(pk=case.current_presentation_id)
    else:
        raise ValidationError(
            {
                "agenda_item": "Name the agenda item decided (or, for a fast track, the case "
                'with kind "fast_track", and no agenda item).'
            }
        )
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        same = Decision.objects.filter(amends__isnull=True, presentation=presentation)
        same = same.filter(agenda_item=item) if item else same.filter(kind=kind)
        if same.exists():
            raise ValidationError(
                {
                    "agenda_item" if item else "case": "It has a decision already: edit its "
                    "draft, or amend it once signed."
                }
            )
        decision = Decision(
            board_id=case.board_id,
            case=case,
            presentation=presentation,
            agenda_item=item,
            kind=kind,
            recorded_by=by,
        )
        if kind == DecisionKind.RATIFICATION and item is not None:
            decision.ratifies = _to_ratify(presentation)
            if item.pathway is not None:
                _prefill(decision, item.pathway, plan_sent="plan" in data)
        _apply(decision, data)
        rows = _actions(case.board_id, actions) if actions is not None else []
        save_record(decision, by=by)
        _write_actions(decision, rows)
        audit_record(
            user=by,
            action=AuditAction.CREATE,
            obj=decision,
            detail=f"{kind} decision draft" + (f", agenda item {item.pk}" if item else ""),
        )
        return decision


def decision_update(
    *,
    by: User,
    decision: Decision,
    expected_version: int | None = None,
    **fields: Unpack[DecisionFields],
) -> Decision:
    """Edit a draft (If-Match): only the fields sent change; ``actions``, when sent, replace
    the draft's actions as a whole. A signed decision is refused (Conflict, 409): amend it."""
    require_drafter(by, kind=decision.kind, case=decision.case)
    data: dict[str, Any] = dict(fields)
    actions = data.pop("actions", None)
    with transaction.atomic():
        lock_case(decision.case)
        lock(decision)
        if decision.is_signed:
            raise Conflict("A signed decision is never changed: amend it.")
        check_version(decision, expected_version)
        changed = _apply(decision, data)
        if actions is not None:
            _write_actions(decision, _actions(decision.board_id, actions))
            changed.append("actions")
        if not changed:
            return decision
        save_record(decision, by=by, changed=[name for name in changed if name != "actions"])
        audit_record(user=by, action=AuditAction.UPDATE, obj=decision, changed_fields=changed)
        return decision


def decision_amend(
    *, by: User, decision: Decision, reason: str, **fields: Unpack[DecisionFields]
) -> Decision:
    """Start the amendment of a signed, current version: a new draft copying it (its actions
    too), with ``amends`` set, the next revision and the reason, then the fields sent. One
    amendment per version (Conflict, 409, for a second one: amend the current version)."""
    require_drafter(by, kind=decision.kind, case=decision.case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the decision is amended."})
    data: dict[str, Any] = dict(fields)
    actions = data.pop("actions", None)
    with transaction.atomic():
        lock_case(decision.case)
        lock(decision)
        if not decision.is_signed:
            raise ValidationError(
                {"non_field_errors": "Only a signed decision is amended: edit the draft."}
            )
        if Decision.objects.filter(amends=decision).exists():
            raise Conflict("This version has been amended already: amend the current version.")
        new = Decision(
            **{name: getattr(decision, name) for name in _COPIED},
            agenda_item_id=decision.agenda_item_id,
            pathway_id=decision.pathway_id,
            ratifies_id=decision.ratifies_id,
            amends=decision,
            revision=decision.revision + 1,
            amendment_reason=reason,
            recorded_by=by,
        )
        _apply(new, data)
        rows = _actions(
            decision.board_id, actions if actions is not None else _action_inputs(decision)
        )
        save_record(new, by=by)
        _write_actions(new, rows)
        audit_record(
            user=by, action=AuditAction.CREATE, obj=new, detail=f"amends {decision.number}"
        )
        return new


# --- Signing ----------------------------------------------------------------------------------


def scores_snapshot(case: Case) -> list[dict[str, Any]]:
    """The case's current stored scores as the board saw them (kept with the signed decision)."""
    return [
        {
            "score": record.calculator,
            "lesion": record.lesion_id,
            "lesion_levels": record.lesion.level_label if record.lesion else None,
            "status": record.status,
            "total": record.result.get("total", record.total),
            "category": record.category,
            "category_label": record.result.get("category_label"),
            "breakdown": record.result.get("components", []),
            "details": record.result.get("details"),
            "calculator_version": record.version,
            "computed_at": record.computed_at.isoformat(),
        }
        for record in current_scores(case)
    ]


def _number(decision: Decision, *, now: dt.datetime) -> tuple[int, int]:
    """(year, serial): the amended version's, or the next of the board's year, counted under
    the counter's row lock (two attendings signing at once never get the same number)."""
    if decision.amends_id is not None:
        year, serial = Decision.objects.values_list("year", "serial").get(pk=decision.amends_id)
        if year is None or serial is None:  # the model and the trigger make it impossible
            raise Conflict("The version amended is not signed.")
        return year, serial
    year = now.astimezone(ZoneInfo(decision.board.timezone)).year
    counter, _ = DecisionCounter.objects.select_for_update().get_or_create(
        board_id=decision.board_id, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return year, counter.last


def _ratification_item(*, by: User, decision: Decision, after: dt.datetime) -> AgendaItem | None:
    """Put the decision's presentation on the board's next scheduled meeting as a ratification
    item. A system placement, not a coordinator's: no ``manage_meetings`` check and the case
    need not be in work-up (it has just been discussed). Nothing when there is no such meeting
    (the decision stays listed as needing ratification) or the presentation is already on it."""
    meeting = (
        Meeting.objects.filter(
            board_id=decision.board_id, status=MeetingStatus.SCHEDULED, starts_at__gt=after
        )
        .order_by("starts_at", "id")
        .first()
    )
    if meeting is None:
        return None
    lock(meeting)
    if (
        meeting.status != MeetingStatus.SCHEDULED
        or AgendaItem.objects.filter(
            meeting=meeting, presentation_id=decision.presentation_id
        ).exists()
    ):
        return None
    items = _agenda(meeting)
    presentation = Presentation.objects.select_related("case").get(pk=decision.presentation_id)
    late = after > meeting.submission_cutoff_at
    item = AgendaItem(
        meeting=meeting,
        presentation=presentation,
        position=len(items) + 1,
        kind=AgendaKind.RATIFICATION,
        late=late,
        late_reason=f"Ratification of decision {decision.number}" if late else "",
        added_by=by,
    )
    save_record(item, by=by)
    _insert(item, items)
    _renumber(items)
    _agenda_changed(meeting)
    audit_record(
        user=by,
        action=AuditAction.CREATE,
        obj=item,
        detail=f"ratification of decision {decision.number}",
    )
    return item


def decision_sign(
    *,
    by: User,
    decision: Decision,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Sign a complete draft (an attending of the board; If-Match). A board or ratification
    decision is signed once its meeting has started; a ratification only at a quorate meeting.
    See the module's docstring for everything signing sets and moves."""
    require(by, Perm.SIGN_DECISION, decision)
    now = now or timezone.now()
    with transaction.atomic():
        case = lock_case(decision.case)
        lock(decision)
        if decision.is_signed:
            raise Conflict("This decision is signed already.")
        check_version(decision, expected_version)
        missing = rules.missing_for_signing(_facts(decision))
        if missing:
            raise ValidationError(missing)
        if decision.agenda_item_id is not None:
            meeting = Meeting.objects.get(agenda_items=decision.agenda_item_id)
            if meeting.status not in STARTED:
                raise ValidationError(
                    {
                        "meeting": f"The meeting is {meeting.status}: a board decision is signed "
                        "once its meeting has started."
                    }
                )
            attendance_init(meeting=meeting, by=by)
            quorum = meeting_quorum(meeting)
            if decision.kind == DecisionKind.RATIFICATION and not quorum.quorate:
                raise ValidationError(
                    {
                        "meeting": "A ratification needs a quorate meeting; no one present "
                        f"for: {', '.join(quorum.missing_specialties)}."
                    }
                )
            decision.quorate = quorum.quorate
        decision.needs_ratification = decision.kind == DecisionKind.FAST_TRACK or (
            decision.kind == DecisionKind.BOARD and decision.quorate is False
        )
        decision.year, decision.serial = _number(decision, now=now)
        decision.scores_shown = scores_snapshot(case)
        decision.signed_by, decision.signed_at = by, now
        save_record(
            decision,
            by=by,
            changed=[
                "quorate",
                "needs_ratification",
                "year",
                "serial",
                "scores_shown",
                "signed_by",
                "signed_at",
            ],
        )
        audit_record(
            user=by,
            action=AuditAction.UPDATE,
            obj=decision,
            changed_fields=["signed_at"],
            detail=f"signed {decision.number}",
        )
        if case.status in DISCUSSABLE and case.current_presentation_id == decision.presentation_id:
            case_move(by=by, case=case, transition="record_discussion")
        if decision.kind == DecisionKind.FAST_TRACK:
            track = lock(FastTrack.objects.get(case=case))
            if track.plan_agreed_at is None:
                track.plan_agreed_at = now
                save_record(track, by=by, changed=["plan_agreed_at"])
        if decision.needs_ratification:
            _ratification_item(by=by, decision=decision, after=now)
        return decision


# --- Communication ----------------------------------------------------------------------------


def decision_communicated(
    *,
    by: User,
    decision: Decision,
    sent_at: dt.datetime,
    method: str,
    recipient: str,
    now: dt.datetime | None = None,
) -> DecisionCommunication:
    """Record that the signed, current version's letter was sent (coordinators and attendings
    of the board). Once per version (Conflict, 409, for a second time)."""
    require_any(by, RECORDERS, decision)
    now = now or timezone.now()
    with transaction.atomic():
        lock_case(decision.case)
        lock(decision)
        if decision.signed_at is None:
            raise ValidationError(
                {"non_field_errors": "Only a signed decision is communicated: sign it first."}
            )
        if Decision.objects.filter(amends=decision).exists():
            raise ValidationError(
                {"non_field_errors": "This version was amended: communicate the current one."}
            )
        if DecisionCommunication.objects.filter(decision=decision).exists():
            raise Conflict("This decision is recorded as communicated already.")
        if sent_at > now:
            raise ValidationError({"sent_at": "The letter cannot be sent in the future."})
        if decision.signed_at is None or sent_at < decision.signed_at:
            raise ValidationError({"sent_at": "The letter cannot be sent before the signature."})
        communication = DecisionCommunication(
            decision=decision,
            sent_at=sent_at,
            method=method,
            recipient=recipient.strip(),
            recorded_by=by,
        )
        save_record(communication, by=by)
        audit_record(
            user=by,
            action=AuditAction.UPDATE,
            obj=decision,
            changed_fields=["communication"],
            detail=f"communicated by {method}",
        )
        return communication
