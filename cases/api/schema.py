"""OpenAPI documentation of the specialty assessments: one schema per specialty's ``details``
(built from the very forms that validate them, ``cases.assessment_schemas``) and the specialty
codes as an enum, so a client can build each specialty's form from the schema alone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from ..assessment_schemas import SCHEMAS, DetailsForm


def _field(form_field: forms.Field) -> serializers.Field:
    """The serializer field that documents one form field (documentation only)."""
    text = str(form_field.label or "")
    if form_field.help_text:
        text += f" — {form_field.help_text}"
    common: dict[str, Any] = {"required": False, "help_text": text}
    # Form fields type their bounds and choices loosely (callables allowed); ours are plain.
    spec: Any = form_field
    if isinstance(form_field, forms.ChoiceField):
        choices = [(key, label) for key, label in spec.choices if key != ""]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(form_field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=spec.max_digits,
            decimal_places=spec.decimal_places,
            min_value=spec.min_value,
            max_value=spec.max_value,
            **common,
        )
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=spec.min_value, max_value=spec.max_value, **common
        )
    assert isinstance(form_field, forms.CharField)  # noqa: S101 (every schema field is one of these)
    return serializers.CharField(max_length=form_field.max_length, **common)


def _details_serializer(code: str, form: type[DetailsForm]) -> type[serializers.Serializer]:
    name = "".join(part.title() for part in code.split("_")) + "Details"
    required = ", ".join(form.SUBMIT)
    attrs: dict[str, Any] = {name: _field(field) for name, field in form.base_fields.items()}
    attrs["__doc__"] = (
        f"The structured fields of the {code} assessment (a draft may be partial; "
        f"required to submit: {required})."
    )
    return type(name, (serializers.Serializer,), attrs)


DETAILS_SERIALIZERS = {code: _details_serializer(code, form) for code, form in SCHEMAS.items()}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="AssessmentDetails",
        serializers=list(DETAILS_SERIALIZERS.values()),
        resource_type_field_name=None,
    )
)
class DetailsField(serializers.JSONField):
    """The specialty's structured fields: validated by the service against its form."""


@extend_schema_field({"type": "string", "enum": sorted(SCHEMAS)})
class SpecialtyCodeField(serializers.SlugRelatedField[Any]):
    """A specialty, by its stable code."""
