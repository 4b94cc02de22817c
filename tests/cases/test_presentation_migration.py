"""Migration 0007: the rounds of existing cases become Presentation rows, assessments follow."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.migrating import latest, migrate

BEFORE = [("cases", "0006_presentations")]
AFTER = [("cases", "0007_presentations_from_rounds")]


@pytest.mark.django_db(transaction=True)
def test_rounds_become_presentations() -> None:
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Institution = old.get_model("cases", "Institution")
    Board = old.get_model("cases", "Board")
    Patient = old.get_model("cases", "Patient")
    Case = old.get_model("cases", "Case")
    Change = old.get_model("cases", "CaseStatusChange")
    Specialty = old.get_model("cases", "Specialty")
    Assessment = old.get_model("cases", "SpecialtyAssessment")
    user = User.objects.create(username="coord")
    board = Board.objects.create(
        institution=Institution.objects.create(name="H", code="h"), name="B"
    )
    patient = Patient.objects.create(
        institution=board.institution,
        registered_board=board,
        mrn="1",
        family_name="F",
        given_name="G",
        date_of_birth="1960-01-01",
        sex="female",
    )

    def case(status: str, rounds: int) -> Any:
        return Case.objects.create(
            patient=patient,
            board=board,
            status=status,
            presentation_round=rounds,
            referring_physician="R",
            clinical_question="Q",
            primary_tumor="breast",
            created_by=user,
        )

    referred = case("referred", 1)
    represented = case("in_workup", 2)
    t = timezone.now()
    Change.objects.create(
        case=represented,
        transition="accept",
        from_status="referred",
        to_status="in_workup",
        changed_by=user,
        changed_at=t,
    )
    Change.objects.create(
        case=represented,
        transition="re_present",
        from_status="discussed",
        to_status="in_workup",
        reason="Progression",
        changed_by=user,
        changed_at=t,
    )
    specialty = Specialty.objects.get_or_create(code="radiology", defaults={"name": "Radiology"})[0]
    for number in (1, 2):
        Assessment.objects.create(
            case=represented, presentation_round=number, specialty=specialty, author=user
        )

    new = migrate(AFTER)
    Case = new.get_model("cases", "Case")
    Presentation = new.get_model("cases", "Presentation")
    Assessment = new.get_model("cases", "SpecialtyAssessment")
    assert not Presentation.objects.filter(case_id=referred.pk).exists()
    assert Case.objects.get(pk=referred.pk).current_presentation_id is None
    rows = list(Presentation.objects.filter(case_id=represented.pk).order_by("number"))
    assert [(p.number, p.kind, p.reason) for p in rows] == [
        (1, "first", ""),
        (2, "re_presentation", "Progression"),
    ]
    assert Case.objects.get(pk=represented.pk).current_presentation_id == rows[1].pk
    linked = Assessment.objects.filter(case_id=represented.pk).order_by("presentation_round")
    assert [a.presentation_id for a in linked] == [rows[0].pk, rows[1].pk]
    migrate(latest())
