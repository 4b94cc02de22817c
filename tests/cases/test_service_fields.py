"""The services' typed keyword arguments stay in line with what the models let a user edit."""

from __future__ import annotations

import pytest
from django.db import models

from cases.models import Case, ClinicalStatus, Patient, PriorRadiotherapy, SpinalLesion
from cases.services import fields as f

# Set by the services themselves, never by the caller.
NOT_USER_FIELDS = {"id", "case", "recorded_by", "created_at", "updated_at", "version"}
CASE_SCORING = set(f.keys(f.CaseScoringInputs))


def editable(model: type[models.Model], leave_out: set[str] = frozenset()) -> set[str]:
    return {
        field.name
        for field in model._meta.concrete_fields
        if field.editable and field.name not in NOT_USER_FIELDS | leave_out
    }


@pytest.mark.parametrize(
    ("typed", "model", "leave_out"),
    [
        (f.PatientFields, Patient, {"institution", "registered_board"}),
        (f.CaseFields, Case, {"patient", "board", "created_by"} | CASE_SCORING),
        (f.ClinicalStatusFields, ClinicalStatus, set()),
        (f.LesionFields, SpinalLesion, set()),
        (f.PriorRadiotherapyFields, PriorRadiotherapy, set()),
    ],
)
def test_typed_fields_match_the_model(typed: type, model: type, leave_out: set[str]) -> None:
    assert set(f.keys(typed)) == editable(model, leave_out)


def test_case_scoring_inputs_are_case_fields() -> None:
    assert editable(Case) >= CASE_SCORING


def test_case_scoring_inputs_are_the_case_s_owned_score_inputs() -> None:
    """The typed arguments of case_scoring_inputs_update are the table's owned case inputs."""
    from cases.score_inputs import CASE, SCORE_INPUTS

    assert {i.field for i in SCORE_INPUTS if i.record == CASE and i.owners} == CASE_SCORING
