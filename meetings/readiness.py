"""Is each case on an agenda ready for the board? Reads (selectors), scoped to the user's boards.

Per agenda item:

* ``missing_specialties``: the board's expected specialties without a submitted assessment of
  the item's presentation;
* ``missing_inputs``: the chase list of the case's current scores (``cases.selectors.chase_list``:
  each missing score input once, where it is entered and who owns it);
* ``lesions_without_imaging``: lesions lacking the imaging modality, date or the link to the
  study in the image viewer;
* ``referral_missing``: the referral's minimum data not there (clinical question, referring
  physician, primary tumor, at least one lesion, a clinical status);
* ``late``: added after the submission cut-off (shown, does not make an item unready);
* ``surgical_opinion_needed``: a lesion's SINS is 7 or more (potentially unstable: surgical
  consultation recommended) and spine surgery has not submitted an assessment;
* ``pathway``: for a ratification, its pathway version, whether it is still live and whether
  the case still meets its criteria (with the reasons it does not);
* ``ready``: none of the above is missing or needed (``late`` aside).

Every function works on items loaded with ``with_case_data``: a fixed number of queries (six
prefetches) whatever the number of items, lesions, statuses or assessments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from cases.models import (
    AssessmentStatus,
    Case,
    ScoreRecord,
    Specialty,
    SpecialtyAssessment,
)
from cases.selectors import chase_list
from cases.selectors.records import current_clinical_status

from . import criteria, selectors
from .models import AgendaItem, AgendaKind, Meeting, StandardPathway

#: The SINS from which a lesion is potentially unstable: surgical consultation recommended.
SINS_SURGICAL_OPINION = 7
#: What a lesion needs for the board to see its imaging.
IMAGING_FIELDS = ("imaging_modality", "imaging_date", "image_viewer_url")
STATUS_FACT_FIELDS = (
    "neurological_deficit",
    "ambulatory_status",
    "frankel_grade",
    "karnofsky",
    "ecog",
    "systemic_disease_status",
)


def case_prefetches(prefix: str = "") -> list[Any]:
    """The prefetches of a case's records that facts and readiness read (``prefix``: the path
    from the queried model to the case, e.g. ``presentation__case__``)."""
    return [
        f"{prefix}lesions",
        f"{prefix}clinical_statuses",
        f"{prefix}prior_radiotherapy",
        Prefetch(
            f"{prefix}score_records",
            queryset=ScoreRecord.objects.filter(is_current=True).select_related("lesion"),
            to_attr="current_score_records",
        ),
    ]


def with_case_data(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """Agenda items with everything readiness and pathway matching read, in six prefetches."""
    return items.select_related("pathway").prefetch_related(
        "meeting__board__expected_specialties",
        Prefetch(
            "presentation__assessments",
            queryset=SpecialtyAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)
            .select_related("specialty")
            .only("id", "presentation_id", "specialty_id", "status", "specialty__code"),
            to_attr="submitted_assessments",
        ),
        *case_prefetches("presentation__case__"),
    )


def _records(case: Case) -> list[ScoreRecord]:
    records = getattr(case, "current_score_records", None)
    if records is None:  # not prefetched: one query
        records = list(
            ScoreRecord.objects.filter(case=case, is_current=True).select_related("lesion")
        )
    return records


def case_data(case: Case) -> criteria.CaseData:
    """The case's records as ``criteria.derive_facts`` reads them (from the prefetches of
    ``case_prefetches``; without them, a few queries)."""
    records = _records(case)
    sins = {r.lesion_id: r for r in records if r.calculator == "sins" and r.status == "complete"}
    tokuhashi = next(
        (
            r.total
            for r in records
            if r.calculator == "tokuhashi_revised"
            and r.lesion_id is None
            and r.status == "complete"
        ),
        None,
    )
    status = current_clinical_status(case)
    return criteria.CaseData(
        urgency=case.urgency,
        primary_tumor=case.primary_tumor,
        radiosensitivity=case.radiosensitivity,
        expected_survival=case.expected_survival,
        able_to_tolerate_surgery=case.able_to_tolerate_surgery,
        lesions=tuple(
            criteria.LesionData(
                level_from=lesion.level_from,
                level_to=lesion.level_to,
                escc_grade=lesion.escc_grade,
                sins_total=sins[lesion.pk].total if lesion.pk in sins else None,
                sins_category=sins[lesion.pk].category if lesion.pk in sins else None,
                mechanical_status=lesion.mechanical_status,
                pathologic_fracture=lesion.pathologic_fracture,
            )
            for lesion in case.lesions.all()
        ),
        status=(
            None if status is None else {name: getattr(status, name) for name in STATUS_FACT_FIELDS}
        ),
        tokuhashi_total=tokuhashi,
        prior_radiotherapy=tuple(
            (course.level_from, course.level_to) for course in case.prior_radiotherapy.all()
        ),
    )


def case_facts(case: Case) -> dict[str, Any]:
    """Every fact a pathway's criteria may name, for the case (None: not known)."""
    return criteria.derive_facts(case_data(case))


def pathway_match(pathway: StandardPathway, facts: dict[str, Any]) -> dict[str, Any]:
    matches, reasons = criteria.evaluate(pathway.criteria, facts)
    return {
        "id": pathway.pk,
        "code": pathway.code,
        "version": pathway.version,
        "title": pathway.title,
        "live": pathway.retired_at is None,
        "matches": matches,
        "reasons": reasons,
    }


def _imaging_gaps(case: Case) -> list[dict[str, Any]]:
    gaps = []
    for lesion in case.lesions.all():
        missing = [name for name in IMAGING_FIELDS if not getattr(lesion, name)]
        if missing:
            gaps.append({"lesion": lesion.pk, "levels": lesion.level_label, "missing": missing})
    return gaps


def _referral_gaps(case: Case) -> list[str]:
    missing = [
        name
        for name in ("clinical_question", "referring_physician", "primary_tumor")
        if not str(getattr(case, name) or "").strip()
    ]
    if not case.lesions.all():
        missing.append("lesions")
    if not case.clinical_statuses.all():
        missing.append("clinical_status")
    return missing


def item_readiness(item: AgendaItem) -> dict[str, Any]:
    """The readiness of one item loaded with ``with_case_data`` (no query)."""
    presentation = item.presentation
    case = presentation.case
    submitted = {
        a.specialty.code
        for a in presentation.submitted_assessments  # type: ignore[attr-defined]
    }
    expected = [s.code for s in item.meeting.board.expected_specialties.all()]
    missing_specialties = [code for code in expected if code not in submitted]
    records = _records(case)
    sins_totals = [
        r.total
        for r in records
        if r.calculator == "sins" and r.status == "complete" and r.total is not None
    ]
    surgical = (
        bool(sins_totals)
        and max(sins_totals) >= SINS_SURGICAL_OPINION
        and Specialty.SPINE_SURGERY not in submitted
    )
    pathway = None
    if item.kind == AgendaKind.RATIFICATION and item.pathway is not None:
        pathway = pathway_match(item.pathway, case_facts(case))
    missing_inputs = chase_list(records)
    imaging = _imaging_gaps(case)
    referral = _referral_gaps(case)
    ratification_ok = item.kind != AgendaKind.RATIFICATION or (
        pathway is not None and pathway["live"] and pathway["matches"]
    )
    return {
        "item": item.pk,
        "case": case.pk,
        "presentation": presentation.pk,
        "position": item.position,
        "kind": item.kind,
        "ready": not (missing_specialties or missing_inputs or imaging or referral or surgical)
        and ratification_ok,
        "missing_specialties": missing_specialties,
        "missing_inputs": missing_inputs,
        "lesions_without_imaging": imaging,
        "referral_missing": referral,
        "late": item.late,
        "surgical_opinion_needed": surgical,
        "pathway": pathway,
    }


def summary(readiness: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = list(readiness)
    missing = Counter(code for row in rows for code in row["missing_specialties"])
    return {
        "items": len(rows),
        "ready": sum(row["ready"] for row in rows),
        "not_ready": sum(not row["ready"] for row in rows),
        "late": sum(row["late"] for row in rows),
        "surgical_opinion_needed": sum(row["surgical_opinion_needed"] for row in rows),
        "missing_specialties": dict(sorted(missing.items())),
    }


def agenda_with_readiness(user: Any, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda in order, each item loaded for ``item_readiness`` (a fixed number
    of queries)."""
    return list(with_case_data(selectors.meeting_agenda(user, meeting)))


def meeting_readiness(user: Any, meeting: Meeting) -> tuple[list[AgendaItem], dict[str, Any]]:
    """The meeting's items (for the audit) and its readiness: counts and one row per item."""
    items = agenda_with_readiness(user, meeting)
    rows = [item_readiness(item) for item in items]
    return items, {
        "meeting": meeting.pk,
        "agenda_version": meeting.agenda_version,
        "counts": summary(rows),
        "items": rows,
    }


def item_with_case_data(user: Any, pk: int) -> AgendaItem:
    """One agenda item of the user's boards, loaded for facts and readiness (DoesNotExist
    outside them)."""
    return with_case_data(selectors.agenda_items_for_user(user)).get(pk=pk)


def live_pathways(board_id: int) -> QuerySet[StandardPathway]:
    return StandardPathway.objects.filter(board_id=board_id, retired_at__isnull=True).order_by(
        "code"
    )


def item_case_facts(user: Any, pk: int) -> dict[str, Any]:
    """The facts of the case of one agenda item of the user's boards (five queries: the item,
    its case's records; DoesNotExist outside the user's boards)."""
    item = (
        selectors.agenda_items_for_user(user)
        .prefetch_related(*case_prefetches("presentation__case__"))
        .get(pk=pk)
    )
    return case_facts(item.presentation.case)


def item_pathways(user: Any, item: AgendaItem) -> list[dict[str, Any]]:
    """The board's live pathways, each saying whether the item's case meets it and, if not,
    why (six queries: the item with its case's records, the pathways)."""
    facts = item_case_facts(user, item.pk)
    return [pathway_match(p, facts) for p in live_pathways(item.meeting.board_id)]
