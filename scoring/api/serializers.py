from __future__ import annotations

from typing import Any

from rest_framework import serializers

from scoring.models import ScoreRecord


class ScoreRecordSerializer(serializers.ModelSerializer):
    lesion_levels = serializers.CharField(source="lesion.level_label", default=None)
    total = serializers.SerializerMethodField()
    category_label = serializers.SerializerMethodField()

    class Meta:
        model = ScoreRecord
        fields = [
            "id",
            "case",
            "lesion",
            "lesion_levels",
            "calculator",
            "status",
            "total",
            "category",
            "category_label",
            "inputs",
            "result",
            "version",
            "computed_at",
            "is_current",
            "superseded_at",
        ]
        read_only_fields = fields

    def get_total(self, record: ScoreRecord) -> int | float | None:
        total: Any = record.result.get("total")  # as the calculator gave it (int stays int)
        return total

    def get_category_label(self, record: ScoreRecord) -> str | None:
        label: Any = record.result.get("category_label")
        return label


class ChaseSerializer(serializers.Serializer):
    record = serializers.CharField(
        help_text="Where the value is entered: case, clinical status, lesion."
    )
    field = serializers.CharField()
    owner = serializers.CharField(allow_null=True, help_text="Owning specialty, if any.")
    needed_by = serializers.ListField(child=serializers.CharField())


class CaseScoresSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    current = ScoreRecordSerializer(many=True)
    chase = ChaseSerializer(many=True)
    suggestions = serializers.DictField()


class FieldSpecSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    options = serializers.SerializerMethodField()
    required = serializers.BooleanField()
    help = serializers.CharField()
    alternative_to = serializers.CharField(allow_null=True)

    def get_options(self, spec: Any) -> list[dict[str, str]]:
        return [{"key": key, "label": label} for key, label in spec.options]


class CalculatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()
    citation = serializers.CharField()
    fields = FieldSpecSerializer(many=True)
    url = serializers.SerializerMethodField()

    def get_url(self, calculator: Any) -> str:
        request = self.context.get("request")
        path = f"/api/v1/calculators/{calculator.name}/"
        return request.build_absolute_uri(path) if request else path


class ComponentSerializer(serializers.Serializer):
    key = serializers.CharField()
    option = serializers.CharField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    label = serializers.CharField()
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
