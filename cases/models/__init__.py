"""The clinical domain: boards and their members, patients, cases and what the board weighs.

Writes go through ``cases.services`` (one transaction each, with the audit record); reads go
through ``cases.selectors`` (already scoped to the user's boards). Clinical records keep their
full row history (django-simple-history); nothing clinical is ever deleted.

One module per concern, re-exported here so that imports stay ``from cases.models import X``.
"""

from .audit import AuditAction, AuditEvent, AuditEventQuerySet
from .boards import (
    SPINAL_LEVEL_CHOICES,
    Board,
    BoardGroupObjectPermission,
    BoardUserObjectPermission,
    Institution,
    Membership,
    Role,
    Specialty,
)
from .patients import (
    Case,
    CaseStatus,
    CaseStatusChange,
    ExpectedSurvival,
    FamilySupport,
    Patient,
    PatientBoardLink,
    Sex,
    Urgency,
)
from .presentations import (
    AssessmentStatus,
    Presentation,
    PresentationKind,
    SpecialtyAssessment,
)
from .records import (
    ClinicalStatus,
    ImagingModality,
    NeurologicalDeficit,
    PriorRadiotherapy,
    RadiotherapyTechnique,
    SpinalLesion,
    SymptomTempo,
    SystemicDiseaseStatus,
)
from .scores import ScoreRecord

__all__ = [
    "SPINAL_LEVEL_CHOICES",
    "AssessmentStatus",
    "AuditAction",
    "AuditEvent",
    "AuditEventQuerySet",
    "Board",
    "BoardGroupObjectPermission",
    "BoardUserObjectPermission",
    "Case",
    "CaseStatus",
    "CaseStatusChange",
    "ClinicalStatus",
    "ExpectedSurvival",
    "FamilySupport",
    "ImagingModality",
    "Institution",
    "Membership",
    "NeurologicalDeficit",
    "Patient",
    "PatientBoardLink",
    "Presentation",
    "PresentationKind",
    "PriorRadiotherapy",
    "RadiotherapyTechnique",
    "Role",
    "ScoreRecord",
    "Sex",
    "Specialty",
    "SpecialtyAssessment",
    "SpinalLesion",
    "SymptomTempo",
    "SystemicDiseaseStatus",
    "Urgency",
]
