"""The shape of ``Decision.plan``: the recommendation per modality, as a JSON Schema checked with
the ``jsonschema`` package. Every part is optional (a plan names the modalities it recommends);
what a part holds is strict (unknown keys are refused, so a typo never passes silently).

An error is a ValidationError naming the path of the value, e.g. ``plan.radiotherapy.fractions``
or ``plan.surgery.levels[1]``, so the API answers a 400 on exactly that field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import (
    ValidationError as SchemaError,
)

from cases.models import RadiotherapyTechnique
from cases.models.boards import SPINAL_LEVEL_CHOICES

LEVELS = [value for value, _ in SPINAL_LEVEL_CHOICES]


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}


_LEVEL_LIST = {
    "type": "array",
    "items": {"enum": LEVELS},
    "uniqueItems": True,
    "maxItems": len(LEVELS),
}


def _part(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Decision plan",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "surgery": _part(
            {"procedure": {**_text(300), "minLength": 1}, "levels": _LEVEL_LIST},
            required=["procedure"],
        ),
        "radiotherapy": _part(
            {
                "technique": {"enum": [value for value, _ in RadiotherapyTechnique.choices]},
                "dose_gy": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                "fractions": {"type": "integer", "minimum": 1, "maximum": 50},
                "target_levels": _LEVEL_LIST,
            },
            required=["technique"],
        ),
        "systemic": _part({"regimen": {**_text(300), "minLength": 1}, "notes": _text(2000)}),
        "pain_interventions": _part(
            {"procedure": {**_text(300), "minLength": 1}, "notes": _text(2000)}
        ),
        "palliative_care": _part(
            {"referral": {"type": "boolean"}, "hospice": {"type": "boolean"}, "notes": _text(2000)}
        ),
        "rehabilitation": _part({"referral": {"type": "boolean"}, "notes": _text(2000)}),
        "follow_up_imaging_weeks": {"type": "integer", "minimum": 1, "maximum": 104},
    },
}

_VALIDATOR = Draft202012Validator(PLAN_SCHEMA)


def _path(parts: Any) -> str:
    out = "plan"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _named(error: SchemaError) -> list[tuple[str, str]]:
    """(path, message) pairs, naming the key at fault rather than its parent where jsonschema
    reports the parent (a missing or an unknown key)."""
    where = list(error.absolute_path)
    schema: Any = error.schema
    expected: Any = error.validator_value
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in expected if key not in error.instance]
        return [(_path([*where, key]), "This field is required.") for key in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        unknown = sorted(key for key in error.instance if key not in known)
        allowed = ", ".join(sorted(known))
        return [(_path([*where, key]), f"Unknown field; one of: {allowed}.") for key in unknown]
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in expected)
        return [(_path(where), f"{error.instance!r} is not one of: {allowed}.")]
    return [(_path(where), error.message)]


def validate_plan(plan: Any) -> dict[str, Any]:
    """Return ``plan`` if it has the schema's shape; otherwise raise a ValidationError with one
    entry per wrong value, keyed by its path (``plan.radiotherapy.fractions``)."""
    errors: dict[str, list[str]] = {}
    for error in sorted(
        _VALIDATOR.iter_errors(plan), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        for path, message in _named(error):
            errors.setdefault(path, []).append(message)
    if errors:
        raise ValidationError(errors)
    return dict(plan)
