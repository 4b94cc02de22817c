"""Every read of the cases app, scoped to the user's boards from the first line.

One module per concern, re-exported here so that callers write ``selectors.cases_for_user``.
"""

from .records import (
    allowed_transitions,
    assessments_for_user,
    audit_events_for_patient,
    boards_for_user,
    case_headers_for_user,
    cases_for_user,
    cases_missing_specialty,
    clinical_statuses_for_user,
    lesions_for_user,
    memberships_for_user,
    missing_specialties,
    patients_for_user,
    presentations_for_user,
    prior_radiotherapy_for_user,
)
from .scores import (
    CaseScores,
    assessment_owned_inputs,
    case_scores,
    chase_list,
    current_scores,
    score_records_for_user,
)

__all__ = [
    "CaseScores",
    "allowed_transitions",
    "assessment_owned_inputs",
    "assessments_for_user",
    "audit_events_for_patient",
    "boards_for_user",
    "case_headers_for_user",
    "case_scores",
    "cases_for_user",
    "cases_missing_specialty",
    "chase_list",
    "clinical_statuses_for_user",
    "current_scores",
    "lesions_for_user",
    "memberships_for_user",
    "missing_specialties",
    "patients_for_user",
    "presentations_for_user",
    "prior_radiotherapy_for_user",
    "score_records_for_user",
]
