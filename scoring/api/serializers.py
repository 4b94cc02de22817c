from __future__ import annotations

from typing import Any

from rest_framework import serializers


class FieldSpecSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # an output field named like a Field attribute
    kind = serializers.CharField()
    options = serializers.SerializerMethodField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # an output field named like a Field attribute
    help = serializers.CharField()
    alternative_to = serializers.CharField(allow_null=True)

    def get_options(self, spec: Any) -> list[dict[str, str]]:
        return [{"key": key, "label": label} for key, label in spec.options]


class CalculatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()
    citation = serializers.CharField()
    fields = FieldSpecSerializer(many=True)  # type: ignore[assignment]  # an output field named like a Field attribute
    url = serializers.SerializerMethodField()

    def get_url(self, calculator: Any) -> str:
        request = self.context.get("request")
        path = f"/api/v1/calculators/{calculator.name}/"
        return request.build_absolute_uri(path) if request else path


class ComponentSerializer(serializers.Serializer):
    key = serializers.CharField()
    option = serializers.CharField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # an output field named like a Field attribute
    derived_from = serializers.CharField(allow_null=True)


class CalculatorResultSerializer(serializers.Serializer):
    """The fixed contract of POST /api/v1/calculators/<name>/ (other systems rely on it)."""

    calculator = serializers.CharField()
    status = serializers.ChoiceField(choices=["complete", "incomplete", "board_decision_required"])
    total = serializers.FloatField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    category_label = serializers.CharField(allow_null=True)
    components = ComponentSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField())
    interpretation = serializers.CharField()
    version = serializers.CharField()
    citation = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
    details = serializers.DictField()
