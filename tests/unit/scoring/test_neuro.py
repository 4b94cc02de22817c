"""Frankel and ASIA grades (scoring-spec.md §8.1-8.2): recorded, never converted."""

import pytest

from scoring.domain import CALCULATORS, ScoringInputError


@pytest.mark.parametrize("name", ["frankel", "asia"])
@pytest.mark.parametrize("grade", ["A", "B", "C", "D", "E"])
def test_grades(name, grade):
    result = CALCULATORS[name].evaluate({f"{name}_grade": grade})
    assert result.status == "complete"
    assert result.category == grade
    assert result.total is None
    assert result.interpretation
    assert any("never converted" in n for n in result.notes)


@pytest.mark.parametrize("name", ["frankel", "asia"])
def test_missing_and_invalid(name):
    key = f"{name}_grade"
    assert CALCULATORS[name].evaluate({}).missing == (key,)
    with pytest.raises(ScoringInputError) as exc:
        CALCULATORS[name].evaluate({key: "F"})
    assert "allowed: A, B, C, D, E" in exc.value.errors[key][0]
    other = "asia_grade" if name == "frankel" else "frankel_grade"
    with pytest.raises(ScoringInputError):
        CALCULATORS[name].evaluate({other: "A"})


def test_asia_c_d_wording():
    c = CALCULATORS["asia"].evaluate({"asia_grade": "C"}).interpretation
    d = CALCULATORS["asia"].evaluate({"asia_grade": "D"}).interpretation
    assert "less than half" in c
    assert "at least half" in d
