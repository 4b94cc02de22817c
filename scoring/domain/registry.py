"""The calculators offered by the HTTP calculator API, by name.

Each :class:`~scoring.domain.base.Calculator` has ``name``, ``title``, ``citation``,
``version``, ``fields`` (``FieldSpec``) and ``evaluate(data)``, which parses a JSON-like mapping
and raises only :class:`~scoring.domain.base.ScoringInputError`. SORG and OSRI are deliberately
absent (scoring-spec.md §9: not verified, do not implement).
"""

from __future__ import annotations

from . import bauer, escc, nesms, neuro, noms, performance, pro, sins, tokuhashi, tomita
from .base import Calculator

CALCULATORS: dict[str, Calculator] = {
    calculator.name: calculator
    for calculator in (
        sins.CALCULATOR,
        tokuhashi.CALCULATOR,
        tomita.CALCULATOR,
        bauer.BAUER_CALCULATOR,
        bauer.MODIFIED_CALCULATOR,
        nesms.CALCULATOR,
        escc.CALCULATOR,
        noms.CALCULATOR,
        performance.CALCULATOR,
        neuro.FRANKEL_CALCULATOR,
        neuro.ASIA_CALCULATOR,
        pro.EQ5D_CALCULATOR,
        pro.BARTHEL_CALCULATOR,
        pro.BPI_CALCULATOR,
        pro.VITALITY_CALCULATOR,
    )
}
