"""The registry contract used by the HTTP calculator API."""

import json

import pytest

from scoring.domain import CALCULATORS, ScoreResult
from scoring.domain.base import FieldSpec

REQUIRED = {
    "sins",
    "tokuhashi_revised",
    "tomita",
    "bauer",
    "modified_bauer",
    "nesms",
    "escc",
    "noms",
}


def test_required_names_present_and_no_unverified_scores():
    assert set(CALCULATORS) >= REQUIRED
    assert not {"sorg", "osri"} & set(CALCULATORS)


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_calculator_metadata(name):
    calc = CALCULATORS[name]
    assert calc.name == name
    assert calc.title and calc.citation
    assert calc.version.startswith(f"{name}-")
    keys = [f.key for f in calc.fields]
    assert len(keys) == len(set(keys))
    for f in calc.fields:
        assert isinstance(f, FieldSpec)
        assert f.kind in {"option", "integer", "number", "boolean", "level", "string"}
        if f.kind == "option":
            assert f.options
        if f.alternative_to is not None:
            assert f.alternative_to in keys


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_empty_input_is_incomplete_and_serialisable(name):
    result = CALCULATORS[name].evaluate({})
    assert isinstance(result, ScoreResult)
    assert result.status == "incomplete"
    assert result.total is None and result.category is None
    assert result.missing
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "calculator",
        "status",
        "total",
        "category",
        "category_label",
        "components",
        "missing",
        "interpretation",
        "version",
        "citation",
        "notes",
        "details",
    ]
    assert data["calculator"] == name
    assert data["version"] == CALCULATORS[name].version
