"""The decision letter and the patient's plain-language summary: what they say (the plan in
clinical words, an amendment's notice, the translation hook), HTML and PDF over the API, only
for signed decisions, scoped and audited.

Decisions are built directly (not through the decision services, written alongside): a draft
with its actions, then signed by one UPDATE (the database refuses any change to a signed row
or its actions afterwards)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from cases import services as case_services
from cases.models import AuditEvent, Case
from cases.selectors.scores import current_scores
from meetings import documents, services
from meetings.models import ActionKind, Decision, DecisionAction, DecisionKind, Intent
from tests.conftest import RADIOLOGY_LESION, World, client_for, make_case

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
SIGNED = NOW + dt.timedelta(days=7, hours=1)

PLAN = {
    "surgery": {"procedure": "Separation surgery", "levels": ["T4", "T5"]},
    "radiotherapy": {
        "technique": "sbrt",
        "dose_gy": 24,
        "fractions": 3,
        "target_levels": ["T4", "T5"],
    },
    "systemic": {"regimen": "Continue letrozole", "notes": ""},
    "palliative_care": {"referral": True, "hospice": False},
    "follow_up_imaging_weeks": 12,
}


def _snapshot(case: Case) -> list[dict[str, Any]]:
    """The scores as the signing service copies them (``scores_shown``)."""
    return [
        {
            "score": r.calculator,
            "lesion": r.lesion_id,
            "lesion_levels": r.lesion.level_label if r.lesion else None,
            "status": r.status,
            "total": r.result.get("total", r.total),
            "category": r.category,
            "category_label": r.result.get("category_label"),
            "breakdown": r.result.get("components", []),
        }
        for r in current_scores(case)
    ]


def make_decision(
    world: World,
    *,
    other: bool = False,
    signed: bool = True,
    serial: int = 1,
    amends: Decision | None = None,
    **extra: Any,
) -> Decision:
    """A decision of the board (or the other board) for a case on a meeting's agenda, with two
    actions, signed by the board's attending unless ``signed`` is False."""
    prefix = "other_" if other else ""
    board = world.other_board if other else world.board
    u = world.users
    if amends is None:
        case = make_case(
            world, board=board, status="in_workup", clinical_question="SBRT or surgery?"
        )
        case_services.lesion_add(
            by=u[prefix + "radiologist"],
            case=case,
            level_from="T4",
            level_to="T5",
            **RADIOLOGY_LESION,
        )
        meeting = services.meeting_create(
            by=u[prefix + "coordinator"], board=board, starts_at=NOW + dt.timedelta(days=7)
        )
        item = services.agenda_item_add(
            by=u[prefix + "coordinator"], meeting=meeting, presentation=case.current_presentation
        )
    else:
        case, item = amends.case, amends.agenda_item
    fields: dict[str, Any] = {
        "kind": DecisionKind.BOARD,
        "intent": Intent.PALLIATIVE,
        "plan": PLAN,
        "rationale": "Low-grade ESCC and a radioresistant primary: SBRT after separation.",
        "follows_noms": False,
        "noms_deviation_reason": "Patient prefers surgery first.",
        "dissent": [{"author": u[prefix + "surgeon"].pk, "opinion": "Surgery alone would do."}],
        "patient_preferences": "Wants to keep walking to the garden.",
        "trial_considered": True,
        "trial_notes": "SPINE-RT-7 screened: not eligible.",
        **extra,
    }
    decision = Decision.objects.create(
        board=board,
        case=case,
        presentation=case.current_presentation,
        agenda_item=item,
        recorded_by=u[prefix + "attending"],
        amends=amends,
        revision=amends.revision + 1 if amends else 1,
        **fields,
    )
    DecisionAction.objects.create(
        decision=decision,
        position=1,
        kind=ActionKind.RADIOTHERAPY,
        description="Plan SBRT 24 Gy in 3 fractions to T4–T5",
        owner=u[prefix + "radonc"],
        due_on=dt.date(2027, 3, 19),
    )
    DecisionAction.objects.create(
        decision=decision,
        position=2,
        kind=ActionKind.REFERRAL,
        description="Tell the family doctor",
        owner_text="Dr. Family (GP)",
        due_on=dt.date(2027, 3, 12),
    )
    if signed:
        Decision.objects.filter(pk=decision.pk).update(
            year=2027,
            serial=serial,
            signed_by=u[prefix + "attending"],
            signed_at=SIGNED + (dt.timedelta(days=2) if amends else dt.timedelta()),
            scores_shown=_snapshot(case),
        )
    return Decision.objects.select_related(
        "board", "case__patient", "presentation", "agenda_item__meeting", "signed_by", "amends"
    ).get(pk=decision.pk)


@pytest.fixture(autouse=True)
def full_names(world: World) -> None:
    """Documents name people by their full names."""
    for key, (first, last) in {
        "surgeon": ("Sam", "Cutter"),
        "radonc": ("Rae", "Beam"),
        "attending": ("Ada", "Chair"),
    }.items():
        user = world.users[key]
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])


@pytest.fixture
def decided(world: World) -> Decision:
    with time_machine.travel(NOW, tick=False):
        return make_decision(world)


def _name(user: Any) -> str:
    user.refresh_from_db()
    return str(user.get_full_name())


# --- Rendering ---------------------------------------------------------------------------------


def test_the_letter_gives_the_plan_in_clinical_words(world: World, decided: Decision) -> None:
    with translation.override("en"):
        html = documents.letter_html(decided)
    patient = decided.case.patient
    for text in (
        "Decision of the multidisciplinary spine tumor board",
        "Decision 2027-0001, version 1",
        patient.display_name,
        patient.mrn,
        "Jan. 1, 1960",  # the date of birth
        "SBRT or surgery?",  # the question asked
        "Dr. Referrer",
        "Palliative",
        "Separation surgery — levels T4, T5",
        "SBRT / SRS, 24 Gy in 3 fractions — target levels T4, T5",  # the technique's label
        "Continue letrozole",
        "Referral to palliative care.",
        "in 12 weeks",
        "Low-grade ESCC and a radioresistant primary",
        "departs from the NOMS framework",
        "Patient prefers surgery first.",
        f"{_name(world.surgeon)}:</strong> Surgery alone would do.",
        "Wants to keep walking to the garden.",
        "SPINE-RT-7 screened",
        "Plan SBRT 24 Gy in 3 fractions to T4–T5",
        _name(world.radonc),
        "Dr. Family (GP)",
        "March 19, 2027",
        "Radiotherapy",  # an action's kind, by its label
        "ESCC - Epidural Spinal Cord Compression scale (Bilsky)",  # a score, by its title
        "Low-grade ESCC",  # its category's label
        "ESCC grade: 1a",  # its breakdown, the component by name
        f"Signed by {_name(world.attending)}",
        "March 8, 2027",  # signed (in the board's time zone)
    ):
        assert text in html, text
    # Never a raw key.
    for raw in ('"sbrt"', ">sbrt", "sbrt,", "escc_grade", "radiotherapy:", "low_grade"):
        assert raw not in html, raw
    assert "amended" not in html.lower()


def test_an_amendment_says_what_it_replaces_and_why(world: World, decided: Decision) -> None:
    with time_machine.travel(NOW, tick=False):
        amendment = make_decision(
            world, amends=decided, amendment_reason="The dose was 24 Gy, not 20 Gy."
        )
    html = documents.letter_html(amendment)
    assert "Decision 2027-0001 v2, version 2" in html
    assert "Amended decision." in html
    assert "replaces the earlier version 2027-0001, signed on March 8, 2027" in html
    assert "The dose was 24 Gy, not 20 Gy." in html
    # The old version's letter now says it is replaced, and by which.
    old = Decision.objects.select_related("board", "case__patient", "signed_by").get(pk=decided.pk)
    assert "amended by version 2027-0001 v2: follow that version" in documents.letter_html(old)
    summary = documents.patient_summary_html(amendment)
    assert "The team has updated its recommendation" in summary


def test_a_draft_amendment_does_not_replace_the_signed_version(
    world: World, decided: Decision
) -> None:
    with time_machine.travel(NOW, tick=False):
        make_decision(world, amends=decided, signed=False, amendment_reason="Draft")
    old = Decision.objects.select_related("board", "case__patient", "signed_by").get(pk=decided.pk)
    assert "has been replaced" not in documents.letter_html(old)


def test_the_documents_go_through_the_translation_hook(
    decided: Decision, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sentence is a msgid of {% translate %} / {% blocktranslate %}: a catalog that marks
    what it translates marks the documents' text."""
    with translation.override("en"):
        monkeypatch.setattr(translation._trans, "gettext", lambda message: f"⟦{message}⟧")  # type: ignore[attr-defined]
        monkeypatch.setattr(
            translation._trans,  # type: ignore[attr-defined]
            "ngettext",
            lambda singular, plural, n: f"⟦{singular if n == 1 else plural}⟧",
        )
        letter = documents.letter_html(decided)
        summary = documents.patient_summary_html(decided)
    assert "⟦Decision of the multidisciplinary spine tumor board⟧" in letter
    assert "⟦Decision 2027-0001, version 1⟧" in letter  # blocktranslate, variables filled
    assert "⟦in 3 fractions⟧" in letter  # plural forms
    assert "⟦What the team recommends⟧" in summary
    assert "⟦What happens next⟧" in summary


def test_dates_follow_the_active_language(decided: Decision) -> None:
    with translation.override("de"):
        html = documents.letter_html(decided)
    assert "8. März 2027" in html


def test_the_patient_summary_is_plain(world: World, decided: Decision) -> None:
    with translation.override("en"):
        html = documents.patient_summary_html(decided)
    patient = decided.case.patient
    assert '<body class="plain">' in html  # the larger type
    for text in (
        "What the tumor board recommends",
        f"For {patient.display_name}",
        "The aim of treatment is to ease your symptoms",
        "An operation on your spine (at the level of T4, T5): Separation surgery.",
        "Radiotherapy: carefully aimed radiation",
        "given in 3 sessions",
        "Support from the palliative care team",
        "A new scan of your spine in about 12 weeks",
        "The options the team weighed",
        "A procedure to relieve pain: <strong>not recommended now",
        "Radiotherapy: <strong>recommended",
        "Your wishes, as the team understood them: Wants to keep walking",
        "a different approach from the one usually suggested",  # does not follow NOMS
        "Not every member of the team agreed",
        "clinical study",
        "What happens next",
        "Your radiotherapy is planned. By March 19, 2027.",
        "Another team or your family doctor will be contacted. By March 12, 2027.",
        "Arranged by: Dr. Family (GP).",
    ):
        assert text in html, text
    # No score or treatment jargon (not even in the clinicians' free text: the rationale, the
    # dissent and the actions' descriptions stay in the letter), no MRN, no colleague's name.
    for jargon in (
        "ESCC",
        "SINS",
        "NOMS",
        "SBRT",
        "Gy",
        "Bilsky",
        "Surgery alone would do",
        patient.mrn,
        _name(world.surgeon),
    ):
        assert jargon not in html, jargon


def test_a_no_treatment_decision_says_so_plainly(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        decision = make_decision(
            world, intent=Intent.NO_TREATMENT, no_treatment_reason="patient_choice", plan={}
        )
    assert "The team does not recommend treatment aimed at the cancer" in (
        documents.patient_summary_html(decision)
    )
    letter = documents.letter_html(decision)
    assert "No anti-cancer treatment" in letter
    assert "The patient&#x27;s choice" in letter


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("document", ["letter", "patient-summary"])
def test_members_read_the_document_as_html_by_default(
    world: World, decided: Decision, document: str
) -> None:
    response = client_for(world.surgeon).get(f"/api/v1/decisions/{decided.pk}/{document}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'inline; filename="decision-2027-0001-{document}.html"'
    )
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert decided.case.patient.display_name in html
    event = AuditEvent.objects.get(object_type="meetings.decision", object_id=str(decided.pk))
    assert (event.action, event.patient_id, event.board_id, event.username) == (
        "view",
        decided.case.patient_id,
        decided.board_id,
        "surgeon",
    )
    assert document.replace("-", " ") in event.detail


@pytest.mark.parametrize("document", ["letter", "patient-summary"])
def test_the_pdf_is_a_pdf_named_by_number_only(
    world: World, decided: Decision, document: str
) -> None:
    client = client_for(world.coordinator)
    for response in (
        client.get(f"/api/v1/decisions/{decided.pk}/{document}/", {"format": "pdf"}),
        client.get(f"/api/v1/decisions/{decided.pk}/{document}/", HTTP_ACCEPT="application/pdf"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        disposition = response["Content-Disposition"]
        assert disposition == f'attachment; filename="decision-2027-0001-{document}.pdf"'
        assert decided.case.patient.family_name not in disposition
        assert response["Cache-Control"] == "no-store"
    assert (
        AuditEvent.objects.filter(object_type="meetings.decision", detail__endswith="(pdf)").count()
        == 2
    )


def test_an_amendments_file_name_carries_its_version(world: World, decided: Decision) -> None:
    with time_machine.travel(NOW, tick=False):
        amendment = make_decision(world, amends=decided, amendment_reason="Dose")
    response = client_for(world.attending).get(f"/api/v1/decisions/{amendment.pk}/letter/")
    assert response.status_code == 200
    assert 'filename="decision-2027-0001-v2-letter.html"' in response["Content-Disposition"]
    assert "Amended decision." in response.content.decode()


@pytest.mark.parametrize("document", ["letter", "patient-summary"])
def test_a_draft_has_no_document(world: World, document: str) -> None:
    with time_machine.travel(NOW, tick=False):
        draft = make_decision(world, signed=False)
    response = client_for(world.attending).get(f"/api/v1/decisions/{draft.pk}/{document}/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    message = " ".join(response.json()["errors"]["decision"])
    assert "draft" in message and "signed" in message
    assert not AuditEvent.objects.filter(object_type="meetings.decision").exists()


@pytest.mark.parametrize("who", ["other_attending", "other_coordinator", "outsider"])
@pytest.mark.parametrize("document", ["letter", "patient-summary"])
def test_users_outside_the_board_cannot_read_the_document(
    world: World, decided: Decision, who: str, document: str
) -> None:
    response = client_for(world.users[who]).get(f"/api/v1/decisions/{decided.pk}/{document}/")
    assert response.status_code == 404
    assert decided.case.patient.family_name not in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="meetings.decision").exists()


def test_another_boards_decision_looks_like_none(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        theirs = make_decision(world, other=True)
    client = client_for(world.attending)
    assert client.get(f"/api/v1/decisions/{theirs.pk}/letter/").status_code == 404
    assert client.get("/api/v1/decisions/999999/letter/").status_code == 404
    # Their own board reads it.
    assert (
        client_for(world.other_surgeon).get(f"/api/v1/decisions/{theirs.pk}/letter/").status_code
        == 200
    )


def test_an_anonymous_request_is_refused(decided: Decision) -> None:
    response = client_for(None).get(f"/api/v1/decisions/{decided.pk}/letter/")
    assert response.status_code in (401, 403)
    assert b"%PDF" not in response.content


def test_an_unknown_format_is_a_400_naming_it(world: World, decided: Decision) -> None:
    response = client_for(world.surgeon).get(
        f"/api/v1/decisions/{decided.pk}/letter/", {"format": "docx"}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]
