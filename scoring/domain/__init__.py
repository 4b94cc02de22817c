"""Pure clinical score calculators for the spinal metastasis tumor board.

Rule: this package uses the Python standard library only (no Django, no third-party imports;
enforced by ruff's banned-api rule in ``scoring/domain/.ruff.toml``). Inputs are frozen
dataclasses holding the option enums of :mod:`scoring.domain.vocabulary`; every calculator
returns a :class:`ScoreResult`. The authoritative rules are in ``shared/docs/scoring-spec.md``.
"""

from .base import (
    Calculator,
    ComponentResult,
    FieldSpec,
    ScoreResult,
    ScoringInputError,
)
from .bauer import BauerInput, score_bauer, score_modified_bauer
from .escc import EsccInput, score_escc
from .nesms import NesmsInput, score_nesms
from .neuro import AsiaInput, FrankelInput, grade_asia, grade_frankel
from .noms import NomsInput, evaluate_noms, suggest_radiosensitivity
from .performance import (
    PerformanceInput,
    convert_performance,
    ecog_from_kps,
    kps_range_from_ecog,
)
from .pro import (
    BarthelInput,
    BpiInput,
    Eq5dInput,
    VitalityInput,
    eq5d_index,
    score_barthel,
    score_bpi_sf,
    score_eq5d_5l,
    score_vitality_index,
)
from .registry import CALCULATORS
from .sins import SinsInput, score_sins
from .tokuhashi import TokuhashiInput, score_tokuhashi_revised
from .tomita import TomitaInput, score_tomita, suggest_tomita_growth

__all__ = [
    "CALCULATORS",
    "AsiaInput",
    "BarthelInput",
    "BauerInput",
    "BpiInput",
    "Calculator",
    "ComponentResult",
    "Eq5dInput",
    "EsccInput",
    "FieldSpec",
    "FrankelInput",
    "NesmsInput",
    "NomsInput",
    "PerformanceInput",
    "ScoreResult",
    "ScoringInputError",
    "SinsInput",
    "TokuhashiInput",
    "TomitaInput",
    "VitalityInput",
    "convert_performance",
    "ecog_from_kps",
    "eq5d_index",
    "evaluate_noms",
    "grade_asia",
    "grade_frankel",
    "kps_range_from_ecog",
    "score_barthel",
    "score_bauer",
    "score_bpi_sf",
    "score_eq5d_5l",
    "score_escc",
    "score_modified_bauer",
    "score_nesms",
    "score_sins",
    "score_tokuhashi_revised",
    "score_tomita",
    "score_vitality_index",
    "suggest_radiosensitivity",
    "suggest_tomita_growth",
]
