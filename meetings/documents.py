"""The board's documents: the decision letter to the referring physician, the plain-language
summary for the patient, and the pre-meeting packet.

Each document is a Django template (``templates/meetings/``, translatable: ``{% translate %}``
and ``{% blocktranslate %}``, no English sentence is built here) rendered to HTML, and from that
HTML to PDF by WeasyPrint. Python only gathers the facts and resolves stored keys to the labels
the models and calculators already carry (a plan's technique, an ESCC grade, a SINS item), so a
document never shows a raw key.

The packet's facts are loaded by ``packet_items`` with a fixed number of queries whatever the
length of the agenda (``tests/meetings/test_packets.py`` counts them with 1 and 40 items).
WeasyPrint fetches nothing: every URL in a document (an image viewer link a user typed) is
refused, so rendering never reaches the network or the file system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from cases.assessment_schemas import SCHEMAS
from cases.models import (
    AssessmentStatus,
    Case,
    ClinicalStatus,
    RadiotherapyTechnique,
    ScoreRecord,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from cases.selectors.records import current_clinical_status
from cases.selectors.scores import chase_list, suggestions
from scoring.domain import CALCULATORS
from scoring.domain.vocabulary import LabelledEnum, Radiosensitivity, TomitaGrowth

from .models import AgendaItem, Decision, DecisionAction, FastTrack, Meeting, MeetingStatus

# --- Shared helpers ----------------------------------------------------------------------------


def person(user: User | None) -> str:
    """How a user is named on a document: their full name, else their username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _label(enum: type[LabelledEnum], value: str | None) -> str:
    if not value:
        return ""
    try:
        return enum(value).label
    except ValueError:
        return value


def _humanize(key: str) -> str:
    """A last resort for a key no vocabulary labels (never expected; better than a raw key)."""
    return key.replace("_", " ").capitalize()


def _levels(values: Any) -> str:
    if isinstance(values, list | tuple):
        return ", ".join(str(v) for v in values)
    return str(values or "")


def age_on(born: dt.date, on: dt.date) -> int:
    """Completed years on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def board_zone(board: Any) -> ZoneInfo:
    return ZoneInfo(board.timezone)


# --- Scores: labels of components and categories -----------------------------------------------


def _field_labels(calculator: str) -> dict[str, str]:
    calc = CALCULATORS.get(calculator)
    return {spec.key: spec.label for spec in calc.fields} if calc else {}


def _calculator_title(calculator: str) -> str:
    calc = CALCULATORS.get(calculator)
    return calc.title if calc else _humanize(calculator)


def _components(calculator: str, components: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    labels = _field_labels(calculator)
    rows = []
    for component in components:
        key = str(component.get("key", ""))
        rows.append(
            {
                "name": labels.get(key) or _humanize(key),
                "value": component.get("label") or _humanize(str(component.get("option") or "")),
                "points": component.get("points"),
            }
        )
    return rows


def score_view(record: ScoreRecord) -> dict[str, Any]:
    """A stored score as a document shows it: title, lesion, total, category (its label),
    what it means (the severity), each component by name with the option's label and points,
    and the missing components by name."""
    result = record.result if isinstance(record.result, dict) else {}
    labels = _field_labels(record.calculator)
    return {
        "title": _calculator_title(record.calculator),
        "calculator": record.calculator,
        "lesion": record.lesion.level_label if record.lesion_id and record.lesion else "",
        "status": record.status,
        "total": result.get("total", record.total),
        "category": result.get("category_label") or "",
        "interpretation": result.get("interpretation") or "",
        "components": _components(record.calculator, result.get("components") or []),
        "missing": [labels.get(key) or _humanize(key) for key in result.get("missing") or []],
        "notes": list(result.get("notes") or []),
        "version": record.version,
    }


def shown_score_view(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of ``Decision.scores_shown`` (copied from the stored scores when signed) as the
    letter shows it. Tolerant of the snapshot's shape: the score's name under ``calculator`` or
    ``score``, its value under ``total`` or ``value``, its breakdown under ``breakdown`` or
    ``components``, the category label under ``category_label`` (or in ``result``)."""
    calculator = str(entry.get("calculator") or entry.get("score") or "")
    raw = entry.get("result")
    result: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    lesion = entry.get("lesion_levels") or entry.get("lesion_label") or entry.get("lesion")
    if isinstance(lesion, Mapping):
        lesion = lesion.get("levels") or lesion.get("level_label") or ""
    if not isinstance(lesion, str):
        lesion = ""  # an id only: the levels are in another key or not kept
    category = (
        entry.get("category_label")
        or result.get("category_label")
        or _humanize(str(entry.get("category") or ""))
    )
    breakdown = entry.get("breakdown") or entry.get("components") or result.get("components")
    total = entry.get("total", entry.get("value", result.get("total")))
    return {
        "title": entry.get("title") or _calculator_title(calculator),
        "lesion": lesion,
        "total": total,
        "category": category,
        "interpretation": entry.get("interpretation") or result.get("interpretation") or "",
        "components": _components(calculator, breakdown if isinstance(breakdown, list) else []),
        "status": entry.get("status") or result.get("status") or "",
    }


# --- The decision letter and the patient's summary ---------------------------------------------


def decisions_for_documents(queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    """A decisions selector's queryset with what the documents show besides: the actions in
    order with their owners, and the case's board (for its time zone)."""
    return queryset.select_related("case__board").prefetch_related(
        Prefetch(
            "actions",
            queryset=DecisionAction.objects.select_related("owner").order_by("position", "id"),
        )
    )


def plan_view(plan: Any) -> dict[str, Any]:
    """``Decision.plan`` (``meetings.decision_plan``) with its keys resolved to what a reader
    needs: level lists as text, the radiotherapy technique by its label."""
    if not isinstance(plan, Mapping):
        return {}
    view: dict[str, Any] = {}
    surgery = plan.get("surgery")
    if isinstance(surgery, Mapping):
        view["surgery"] = {
            "procedure": surgery.get("procedure", ""),
            "levels": _levels(surgery.get("levels")),
        }
    radiotherapy = plan.get("radiotherapy")
    if isinstance(radiotherapy, Mapping):
        technique = radiotherapy.get("technique") or ""
        view["radiotherapy"] = {
            "technique": dict(RadiotherapyTechnique.choices).get(technique, _humanize(technique)),
            "dose_gy": radiotherapy.get("dose_gy"),
            "fractions": radiotherapy.get("fractions"),
            "target_levels": _levels(radiotherapy.get("target_levels")),
        }
    for key in ("systemic", "pain_interventions", "palliative_care", "rehabilitation"):
        part = plan.get(key)
        if isinstance(part, Mapping):
            view[key] = dict(part)
    weeks = plan.get("follow_up_imaging_weeks")
    if weeks:
        view["follow_up_imaging_weeks"] = weeks
    return view


def _dissent(decision: Decision) -> list[dict[str, str]]:
    entries = [d for d in decision.dissent or [] if isinstance(d, Mapping)]
    ids = {d["author"] for d in entries if isinstance(d.get("author"), int)}
    names = {u.pk: person(u) for u in User.objects.filter(pk__in=ids)} if ids else {}
    return [
        {"author": names.get(d.get("author") or 0, ""), "opinion": str(d.get("opinion", ""))}
        for d in entries
    ]


def _actions(decision: Decision) -> list[dict[str, Any]]:
    return [
        {
            "kind": action.get_kind_display(),
            "kind_key": action.kind,
            "description": action.description,
            "owner": person(action.owner) if action.owner_id else action.owner_text,
            "due_on": action.due_on,
        }
        for action in decision.actions.all()
    ]


def _signed_successor(decision: Decision) -> Decision | None:
    """The signed amendment that replaces this version, if any (a draft does not yet)."""
    try:
        successor: Decision = decision.amended_by
    except Decision.DoesNotExist:
        return None
    return successor if successor.is_signed else None


def decision_context(decision: Decision) -> dict[str, Any]:
    """What the letter and the summary show of a signed decision."""
    case: Case = decision.case
    patient = case.patient
    zone = board_zone(decision.board)
    signed_at = timezone.localtime(decision.signed_at, zone) if decision.signed_at else None
    meeting = decision.agenda_item.meeting if decision.agenda_item else None
    amends = decision.amends if decision.amends_id else None
    return {
        "decision": decision,
        "board": decision.board,
        "case": case,
        "patient": patient,
        "patient_name": patient.display_name,
        "patient_sex": patient.get_sex_display(),
        "presentation": decision.presentation,
        "meeting_at": timezone.localtime(meeting.starts_at, zone) if meeting else None,
        "number": decision.number,
        "revision": decision.revision,
        "kind": decision.get_kind_display(),
        "signed_at": signed_at,
        "signed_by": person(decision.signed_by),
        "intent": decision.intent,
        "intent_label": decision.get_intent_display() if decision.intent else "",
        "no_treatment_reason": decision.get_no_treatment_reason_display()
        if decision.no_treatment_reason
        else "",
        "plan": plan_view(decision.plan),
        "primary": case.get_primary_tumor_display(),
        "dissent": _dissent(decision),
        "actions": _actions(decision),
        "scores": [shown_score_view(s) for s in decision.scores_shown or [] if isinstance(s, dict)],
        "amends": amends,
        "amends_signed_at": timezone.localtime(amends.signed_at, zone)
        if amends and amends.signed_at
        else None,
        "superseded_by": _signed_successor(decision),
    }


def letter_html(decision: Decision) -> str:
    """The decision letter for the referring physician (HTML)."""
    with timezone.override(board_zone(decision.board)):
        return render_to_string("meetings/letter.html", decision_context(decision))


def patient_summary_html(decision: Decision) -> str:
    """The plain-language summary for the patient (HTML)."""
    with timezone.override(board_zone(decision.board)):
        return render_to_string("meetings/patient_summary.html", decision_context(decision))


def document_filename(decision: Decision, document: str, extension: str) -> str:
    """A file name naming the decision's number only (never the patient)."""
    number = decision.number.replace(" ", "-") or f"draft-{decision.pk}"
    return f"decision-{number}-{document}.{extension}"


# --- PDF ---------------------------------------------------------------------------------------


def html_to_pdf(html: str) -> bytes:
    """Render a document's HTML to PDF. Nothing is fetched: every URL is refused."""
    # Imported here: loading WeasyPrint loads Pango, which only the document paths need.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    return bytes(pdf or b"")


# --- The pre-meeting packet --------------------------------------------------------------------


@dataclass
class PacketEntry:
    """One agenda item of the packet, with every fact it shows (no query left to run)."""

    item: AgendaItem
    case: Case
    age: int
    status: ClinicalStatus | None
    lesions: list[SpinalLesion]
    scores: list[dict[str, Any]]
    noms: list[dict[str, Any]]
    assessments: list[dict[str, Any]]
    missing: list[str]
    chase: list[dict[str, Any]]
    suggestions: list[dict[str, str]]
    fast_track: FastTrack | None
    details: dict[str, Any] = field(default_factory=dict)


def packet_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda with everything the packet shows, in order: five queries whatever
    its length (items with presentation, case, patient, board, presenter, pathway and fast
    track joined; the cases' lesions, clinical statuses and current scores; the
    presentations' assessments with specialty and author). A read by the system for the
    meeting's own packet: the packet endpoint scopes who may read the result."""
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position", "id")
        .select_related(
            "presentation__case__patient",
            "presentation__case__board",
            "presentation__case__fast_track",
            "presenter",
            "pathway",
        )
        .prefetch_related(
            Prefetch("presentation__case__lesions", queryset=SpinalLesion.objects.order_by("id")),
            "presentation__case__clinical_statuses",
            Prefetch(
                "presentation__case__score_records",
                queryset=ScoreRecord.objects.filter(is_current=True).select_related("lesion"),
                to_attr="current_score_records",
            ),
            Prefetch(
                "presentation__assessments",
                queryset=SpecialtyAssessment.objects.select_related("specialty", "author"),
            ),
        )
    )


def _details(assessment: SpecialtyAssessment) -> list[tuple[str, str]]:
    """An assessment's structured fields by their labels, choices by their labels."""
    form = SCHEMAS.get(assessment.specialty.code)
    rows = []
    for key, value in (assessment.details or {}).items():
        spec = form.base_fields.get(key) if form else None
        label = str(spec.label) if spec is not None and spec.label else _humanize(key)
        choices = dict(getattr(spec, "choices", []) or [])
        rows.append((label, str(choices.get(value, value))))
    return rows


def _fast_track(case: Case) -> FastTrack | None:
    try:
        return case.fast_track
    except FastTrack.DoesNotExist:
        return None


def _entry(
    item: AgendaItem,
    on: dt.date,
    expected: list[Specialty],
    specialty_names: Mapping[str, str],
) -> PacketEntry:
    presentation = item.presentation
    case = presentation.case
    records = sorted(
        case.current_score_records,  # type: ignore[attr-defined]
        key=lambda r: (r.lesion_id is not None, r.lesion_id or 0, r.calculator),
    )
    for record in records:
        record.case = case
    scores = [score_view(r) for r in records]
    assessments = sorted(
        presentation.assessments.all(), key=lambda a: (a.specialty.display_order, a.specialty.name)
    )
    by_specialty = {a.specialty_id: a for a in assessments}
    columns = list(expected) + [
        a.specialty for a in assessments if a.specialty_id not in {s.pk for s in expected}
    ]
    side_by_side = []
    for specialty in columns:
        assessment = by_specialty.get(specialty.pk)
        submitted = assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
        side_by_side.append(
            {
                "specialty": specialty.name,
                "state": "submitted" if submitted else ("draft" if assessment else "none"),
                "author": person(assessment.author) if assessment else "",
                "submitted_at": assessment.submitted_at if submitted and assessment else None,
                "opinion": assessment.opinion if submitted and assessment else "",
                "details": _details(assessment) if submitted and assessment else [],
            }
        )
    submitted_ids = {a.specialty_id for a in assessments if a.status == AssessmentStatus.SUBMITTED}
    chase = [
        {
            "label": entry["label"],
            "lesion": entry["lesion_levels"] or "",
            "owners": ", ".join(specialty_names.get(code, code) for code in entry["owners"]),
            "needed_by": ", ".join(entry["needed_by"]),
        }
        for entry in chase_list(records)
    ]
    hints = suggestions(case)
    suggested = []
    for key, enum in (("tumor_growth", TomitaGrowth), ("radiosensitivity", Radiosensitivity)):
        hint = hints[key]
        suggested.append(
            {
                "key": key,
                "suggested": _label(enum, hint["suggested"]),
                "confirmed": _label(enum, hint["confirmed"]),
                "owner": specialty_names.get(hint["owner"] or "", hint["owner"] or ""),
            }
        )
    return PacketEntry(
        item=item,
        case=case,
        age=age_on(case.patient.date_of_birth, on),
        status=current_clinical_status(case),
        lesions=list(case.lesions.all()),
        scores=scores,
        noms=[s for s in scores if s["calculator"] == "noms"],
        assessments=side_by_side,
        missing=[s.name for s in expected if s.pk not in submitted_ids],
        chase=chase,
        suggestions=suggested,
        fast_track=_fast_track(case),
    )


def packet_context(meeting: Meeting) -> dict[str, Any]:
    """Everything the packet shows: seven queries whatever the number of items (the agenda's
    five, the board's expected specialties, the specialties' names)."""
    board = meeting.board
    zone = board_zone(board)
    items = list(packet_items(meeting))
    expected = list(board.expected_specialties.order_by("display_order", "name"))
    specialty_names = dict(Specialty.objects.values_list("code", "name"))
    on = timezone.localtime(meeting.starts_at, zone).date()
    entries = [_entry(item, on, expected, specialty_names) for item in items]
    return {
        "meeting": meeting,
        "board": board,
        "starts_at": timezone.localtime(meeting.starts_at, zone),
        "chair": person(meeting.chair) if meeting.chair_id else "",
        "entries": entries,
        "patient_ids": sorted({e.case.patient_id for e in entries}),
        "generated_at": timezone.localtime(timezone.now(), zone),
        # Independent opinions: the packet goes to every member before the meeting, so it
        # shows which assessments are in, not what they say (the meeting shows them).
        "opinions_withheld": board.independent_opinions
        and meeting.status == MeetingStatus.SCHEDULED,
    }


def packet_html(meeting: Meeting) -> tuple[str, int, list[int]]:
    """The packet's HTML, the number of agenda items it shows and the ids of their patients
    (stored with the packet, so that reading it is audited once per patient)."""
    context = packet_context(meeting)
    with timezone.override(board_zone(meeting.board)):
        html = render_to_string("meetings/packet.html", context)
    return html, len(context["entries"]), context["patient_ids"]
