"""Every write of the cases app. Each service is one transaction that validates, re-checks the
permission that matters, saves with the row history attributed to ``by``, and writes the audit
record. Views, serializers, forms and the admin only parse input and call these.

One module per concern, re-exported here so that callers write ``services.case_refer``.
"""

from .assessments import assessment_change_status, assessment_create, assessment_update
from .boards import membership_grant, membership_revoke
from .cases import (
    case_move,
    case_refer,
    case_scoring_inputs_update,
    case_transition,
    case_update,
)
from .patients import patient_register, patient_register_or_link, patient_update
from .presentations import presentation_open, presentations_discussion_start
from .records import (
    clinical_status_record,
    clinical_status_update,
    lesion_add,
    lesion_update,
    prior_radiotherapy_add,
    prior_radiotherapy_update,
)
from .scores import case_scores_recompute

__all__ = [
    "assessment_change_status",
    "assessment_create",
    "assessment_update",
    "case_move",
    "case_refer",
    "case_scores_recompute",
    "case_scoring_inputs_update",
    "case_transition",
    "case_update",
    "clinical_status_record",
    "clinical_status_update",
    "lesion_add",
    "lesion_update",
    "membership_grant",
    "membership_revoke",
    "patient_register",
    "patient_register_or_link",
    "patient_update",
    "presentation_open",
    "presentations_discussion_start",
    "prior_radiotherapy_add",
    "prior_radiotherapy_update",
]
