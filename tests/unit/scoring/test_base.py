"""Shared contract pieces: errors, JSON conversion, parsing edge cases."""

import enum
import json
from types import MappingProxyType

import pytest

from scoring.domain import CALCULATORS, ScoringInputError
from scoring.domain.base import (
    Band,
    ComponentResult,
    Meta,
    ScoreResult,
    find_band,
    fmt,
    make_result,
    to_json,
)
from scoring.domain.vocabulary import SinsPain


def test_error_message_and_mapping():
    err = ScoringInputError({"a": ("x", "y"), "b": ["z"]})
    assert err.errors == {"a": ["x", "y"], "b": ["z"]}
    assert str(err) == "a: x y; b: z"
    assert isinstance(err, ValueError)


def test_to_json():
    class Plain(enum.Enum):
        X = 1

    value = {"a": (SinsPain.MECHANICAL, [Plain.X]), 2: MappingProxyType({"b": None})}
    assert to_json(value) == {"a": ["mechanical", [1]], "2": {"b": None}}


def test_as_dict_round_trips_through_json():
    meta = Meta("x", "X", "x-1.0.0", "cite")
    result = make_result(
        meta,
        status="complete",
        total=1,
        components=[ComponentResult("k", "o", 1, "L", "raw=1")],
        details={"nested": {"t": (1, 2)}},
    )
    data = result.as_dict()
    assert data["components"] == [
        {"key": "k", "option": "o", "points": 1, "label": "L", "derived_from": "raw=1"}
    ]
    assert data["details"] == {"nested": {"t": [1, 2]}}
    assert json.loads(json.dumps(data)) == data
    with pytest.raises(TypeError):
        result.details["new"] = 1  # type: ignore[index]


def test_result_default_details():
    result = ScoreResult("x", "complete", 1, None, None, (), (), "", "v", "c")
    assert dict(result.details) == {} and result.notes == ()


def test_find_band_outside():
    with pytest.raises(ValueError, match="outside"):
        find_band([Band(0, 1, "a", "A", "")], 2)


def test_fmt():
    assert fmt(3.0) == "3"
    assert fmt(3.25) == "3.25"


@pytest.mark.parametrize("payload", [None, [], "x", 3, ["pain"]])
def test_non_object_payload(payload):
    with pytest.raises(ScoringInputError) as exc:
        CALCULATORS["sins"].evaluate(payload)
    assert "allowed: location" in exc.value.errors["non_field_errors"][0]


def test_non_string_keys_are_unknown_fields():
    with pytest.raises(ScoringInputError) as exc:
        CALCULATORS["tomita"].evaluate({1: "x", None: 2})
    assert set(exc.value.errors) == {"1", "None"}


def test_vocabulary_span():
    from scoring.domain.vocabulary import SpinalLevel

    assert SpinalLevel.span(SpinalLevel.T11, SpinalLevel.L1) == [
        SpinalLevel.T11,
        SpinalLevel.T12,
        SpinalLevel.L1,
    ]
    with pytest.raises(ValueError, match="below"):
        SpinalLevel.span(SpinalLevel.L1, SpinalLevel.T11)
