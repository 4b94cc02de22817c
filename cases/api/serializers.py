"""Serializers parse and render; they never write. Writes happen in ``cases.services``.

Every related object a client may name (a board, a patient, a case) is looked up in the
user's own selector, so naming an object of another board reads exactly like naming one that
does not exist: "Invalid pk - object does not exist."
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tumorboard.api_base import CreateOnlyParentMixin, ScopedPrimaryKeyRelatedField

from .. import selectors
from ..models import (
    Board,
    Case,
    CaseStatusChange,
    ClinicalStatus,
    Membership,
    Patient,
    Presentation,
    PriorRadiotherapy,
    ScoreRecord,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from ..models.records import validate_albumin_g_dl
from ..services.cases import CASE_SCORING_FIELDS
from ..workflow import CASE_TRANSITIONS
from .schema import DetailsField, SpecialtyCodeField


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["code", "name"]


class RoleSerializer(serializers.ModelSerializer):
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["role", "specialty"]


class BoardSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name", read_only=True)
    quorum_specialties: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Specialties that must have assessed a case for a decision.",
    )
    expected_specialties: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Specialties asked to assess every case (assessment requests, a case's "
        "missing_specialties): the quorum ones and any others the board wants to hear.",
    )
    my_roles = RoleSerializer(source="my_memberships", many=True, read_only=True)

    class Meta:
        model = Board
        fields = [
            "id",
            "name",
            "institution",
            "quorum_specialties",
            "expected_specialties",
            "stale_input_days",
            "submission_cutoff_hours",
            "default_meeting_weekday",
            "default_meeting_time",
            "default_meeting_duration_minutes",
            "default_meeting_location",
            "timezone",
            "is_active",
            "my_roles",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    board: serializers.PrimaryKeyRelatedField[Board] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    board_name = serializers.CharField(source="board.name", read_only=True)
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["board", "board_name", "role", "specialty"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "is_staff", "memberships"]
        read_only_fields = fields

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: Any) -> Any:
        return MembershipSerializer(selectors.memberships_for_user(user), many=True).data


class PatientSerializer(CreateOnlyParentMixin, serializers.ModelSerializer):
    parent_field = "registered_board"
    registered_board = ScopedPrimaryKeyRelatedField(selector=selectors.boards_for_user)
    institution = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "family_name",
            "given_name",
            "date_of_birth",
            "sex",
            "institution",
            "registered_board",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        # Uniqueness of (institution, MRN) is checked by the service's full_clean, which
        # knows the institution; the serializer cannot.
        validators: list[Any] = []


class PatientLookupSerializer(serializers.Serializer):
    mrn = serializers.CharField(max_length=40)


class PatientSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "mrn", "family_name", "given_name", "date_of_birth", "sex"]
        read_only_fields = fields


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # named like a Field attribute
    reason_required = serializers.BooleanField()


class CaseSerializer(CreateOnlyParentMixin, serializers.ModelSerializer):
    parent_field = "board"
    board = ScopedPrimaryKeyRelatedField(selector=selectors.boards_for_user)
    patient = ScopedPrimaryKeyRelatedField(selector=selectors.patients_for_user)
    patient_summary = PatientSummarySerializer(source="patient", read_only=True)
    board_name = serializers.CharField(source="board.name", read_only=True)
    missing_specialties = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    presentation_round = serializers.IntegerField(
        source="current_presentation.number",
        read_only=True,
        allow_null=True,
        help_text="Number of the current presentation to the board (none until accepted).",
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "patient",
            "patient_summary",
            "board",
            "board_name",
            "status",
            "status_changed_at",
            "current_presentation",
            "presentation_round",
            "allowed_transitions",
            "missing_specialties",
            "referring_physician",
            "referring_physician_contact",
            "referred_on",
            "urgency",
            "clinical_question",
            "primary_tumor",
            "primary_tumor_detail",
            "primary_diagnosed_on",
            "current_cancer_treatment",
            "comorbidities",
            "expected_survival",
            "family_support",
            "family_support_notes",
            "financial_limitations",
            "patient_goals",
            "tumor_growth",
            "radiosensitivity",
            "able_to_tolerate_surgery",
            "able_to_tolerate_percutaneous",
            "able_to_tolerate_local_treatment",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "version",
            # Specialists' judgements: set through /cases/{id}/scoring-inputs/.
            "tumor_growth",
            "radiosensitivity",
            "able_to_tolerate_surgery",
            "able_to_tolerate_percutaneous",
            "able_to_tolerate_local_treatment",
            "status",
            "status_changed_at",
            "current_presentation",
            "created_at",
            "updated_at",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            fields["patient"].read_only = True
        return fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_specialties(self, case: Case) -> list[str]:
        return [s.code for s in selectors.missing_specialties(case)]

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_allowed_transitions(self, case: Case) -> list[dict[str, Any]]:
        """The transitions the requesting user may ask for now (from the per-request cache of
        the user's boards: no query per row)."""
        return [
            {"name": t.name, "label": t.label, "reason_required": t.reason_required}
            for t in selectors.allowed_transitions(self.context["request"].user, case)
        ]


class CaseScoringInputsSerializer(serializers.ModelSerializer):
    """The case-level scoring judgements, each settable only by its owning specialty."""

    class Meta:
        model = Case
        fields = sorted(CASE_SCORING_FIELDS)  # the case's owned score inputs


class PresentationSerializer(serializers.ModelSerializer):
    opened_by = serializers.CharField(source="opened_by.username", read_only=True, default=None)

    class Meta:
        model = Presentation
        fields = ["id", "case", "number", "kind", "reason", "opened_at", "opened_by"]
        read_only_fields = fields


class CaseStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", read_only=True, default=None)

    class Meta:
        model = CaseStatusChange
        fields = ["transition", "from_status", "to_status", "reason", "changed_by", "changed_at"]
        read_only_fields = fields


class CaseTransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(CASE_TRANSITIONS))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CaseChildSerializer(CreateOnlyParentMixin, serializers.ModelSerializer):
    case = ScopedPrimaryKeyRelatedField(selector=selectors.cases_for_user)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)


class ClinicalStatusSerializer(CaseChildSerializer):
    # Wider than the column (3 digits, 1 decimal) so that a value in another unit reaches the
    # validator, which names the unit and gives the g/dL value, instead of a digit count error.
    serum_albumin_g_dl = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        required=False,
        allow_null=True,
        validators=[validate_albumin_g_dl],
        help_text="Serum albumin in g/dL (0.5–7.0, one decimal, e.g. 3.8). A value in g/L "
        "(38) or µmol/L (570) is refused with its g/dL value.",
    )

    class Meta:
        model = ClinicalStatus
        exclude: list[str] = []
        read_only_fields = ["created_at", "updated_at"]


class SpinalLesionSerializer(CaseChildSerializer):
    level_label = serializers.CharField(read_only=True)

    class Meta:
        model = SpinalLesion
        exclude: list[str] = []
        read_only_fields = ["created_at", "updated_at"]


class PriorRadiotherapySerializer(CaseChildSerializer):
    class Meta:
        model = PriorRadiotherapy
        exclude: list[str] = []
        read_only_fields = ["created_at"]


class OwnedInputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # named like a Field attribute
    record = serializers.CharField()
    field = serializers.CharField()
    lesion = serializers.IntegerField(allow_null=True)
    lesion_levels = serializers.CharField(allow_null=True)
    record_id = serializers.IntegerField(allow_null=True)
    value = serializers.JSONField(allow_null=True)
    entered = serializers.BooleanField()


class OwnedInputWriteSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="e.g. 'lesion.escc_grade'")
    lesion = serializers.IntegerField(required=False, help_text="For a lesion's input.")
    value = serializers.JSONField(allow_null=True)


class AssessmentSerializer(CreateOnlyParentMixin, serializers.ModelSerializer):
    case = ScopedPrimaryKeyRelatedField(selector=selectors.cases_for_user)
    specialty = SpecialtyCodeField(slug_field="code", queryset=Specialty.objects.all())
    author = serializers.CharField(source="author.username", read_only=True)
    details = DetailsField(
        required=False, help_text="The specialty's structured fields (one schema per specialty)."
    )
    presentation_round = serializers.IntegerField(source="presentation.number", read_only=True)
    owned_inputs = serializers.SerializerMethodField(
        help_text="The score inputs this specialty owns, with their values, on their records."
    )
    inputs = serializers.ListField(
        child=OwnedInputWriteSerializer(),
        required=False,
        write_only=True,
        help_text="Set owned score inputs on their records (PATCH only).",
    )

    class Meta:
        model = SpecialtyAssessment
        fields = [
            "id",
            "case",
            "presentation",
            "presentation_round",
            "specialty",
            "author",
            "status",
            "details",
            "owned_inputs",
            "inputs",
            "opinion",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = ["presentation", "status", "created_at", "updated_at", "submitted_at"]
        validators: list[Any] = []  # one per presentation is the service's rule (full_clean)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            fields["specialty"].read_only = True
        return fields

    def validate_details(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Expected an object of the specialty's fields.")
        return value

    @extend_schema_field(OwnedInputSerializer(many=True))
    def get_owned_inputs(self, assessment: SpecialtyAssessment) -> list[dict[str, Any]]:
        return selectors.assessment_owned_inputs(assessment)


# --- Stored scores -------------------------------------------------------------------------


class InputAgeSerializer(serializers.Serializer):
    input = serializers.CharField(help_text="The calculator's input key.")
    observed_on = serializers.DateField()
    age_days = serializers.IntegerField()
    stale = serializers.BooleanField(help_text="Older than the board's stale_input_days.")


class ScoreRecordSerializer(serializers.ModelSerializer):
    lesion_levels = serializers.CharField(source="lesion.level_label", default=None)
    total = serializers.SerializerMethodField()
    category_label = serializers.SerializerMethodField()
    input_ages = serializers.SerializerMethodField(
        help_text="How old each dated input is today, and whether it is stale."
    )

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
            "observed",
            "input_ages",
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

    @extend_schema_field(InputAgeSerializer(many=True))
    def get_input_ages(self, record: ScoreRecord) -> list[dict[str, Any]]:
        return record.ages


class ChaseSerializer(serializers.Serializer):
    """One missing score input: what it is, where it is entered, who owns it, what needs it."""

    key = serializers.CharField(help_text="Machine key, e.g. 'lesion.escc_grade'.")
    label = serializers.CharField()  # type: ignore[assignment]  # named like a Field attribute
    record = serializers.ChoiceField(
        choices=["case", "clinical_status", "lesion"], help_text="Where the value is entered."
    )
    field = serializers.CharField(help_text="The field of that record.")
    owners = serializers.ListField(
        child=serializers.CharField(),
        help_text="Specialty codes that may enter it; empty: any clinical editor.",
    )
    lesion = serializers.IntegerField(allow_null=True, help_text="For a lesion's input.")
    lesion_levels = serializers.CharField(allow_null=True)
    needed_by = serializers.ListField(child=serializers.CharField())


class CaseScoresSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    current = ScoreRecordSerializer(many=True)
    chase = ChaseSerializer(many=True)
    suggestions = serializers.DictField()
