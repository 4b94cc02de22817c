"""API of decisions and attendance: parse, check, call one service, render.

``/api/v1/decisions/`` lists every version of the decisions of the user's boards (audited: a
decision names a patient's case; the patient's name is not shown). Drafts are recorded for an
agenda item (or, on the fast track, for a case), edited with PATCH (If-Match), signed, amended
and marked communicated through their actions. ``/api/v1/meetings/{id}/attendance/`` reads and
records a meeting's attendance with its live quorum.

Who may write a decision depends on its kind (an on-call specialist may record a fast-track
decision), so the view requires only membership and the services decide (403); signing is
declared here (``sign_decision``). Another board's decision is a 404, as everywhere.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Board, Case, Specialty
from cases.permissions import Perm, board_ids
from tumorboard.api import BoardPermission
from tumorboard.api_base import ScopedReadViewSet, acting_user, if_match_version, with_etag

from .. import selectors, services
from ..models import (
    ActionKind,
    Attendance,
    CommunicationMethod,
    Decision,
    DecisionAction,
    DecisionCommunication,
    DecisionKind,
    Intent,
    Meeting,
    NoTreatmentReason,
)
from .serializers import ScopedIdField

# --- Serializers ------------------------------------------------------------------------------


def _cases_of_user(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(board_id__in=board_ids(user, Perm.VIEW))


class DissentSerializer(serializers.Serializer[Any]):
    author = ScopedIdField(selector=selectors.board_members, help_text="A member of the board.")
    opinion = serializers.CharField(max_length=4000, allow_blank=True)


class ActionWriteSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    description = serializers.CharField(max_length=500, allow_blank=True)
    owner = ScopedIdField(
        selector=selectors.board_members,
        allow_null=True,
        required=False,
        help_text="A member of the board (or give owner_text).",
    )
    owner_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_on = serializers.DateField()


class DecisionFieldsSerializer(serializers.Serializer[Any]):
    """The structured fields of a draft (every one optional: a PATCH sends what changes)."""

    intent = serializers.ChoiceField(choices=Intent.choices, required=False, allow_blank=True)
    no_treatment_reason = serializers.ChoiceField(
        choices=NoTreatmentReason.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the intent is no_treatment.",
    )
    plan = serializers.JSONField(
        required=False, help_text="The plan per modality (schema: meetings.decision_plan)."
    )
    rationale = serializers.CharField(required=False, allow_blank=True)
    follows_noms = serializers.BooleanField(required=False, allow_null=True)
    noms_deviation_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required when follows_noms is false."
    )
    dissent = DissentSerializer(many=True, required=False)
    patient_preferences = serializers.CharField(required=False, allow_blank=True)
    trial_considered = serializers.BooleanField(required=False)
    trial_notes = serializers.CharField(required=False, allow_blank=True)
    actions = ActionWriteSerializer(
        many=True, required=False, help_text="Replace the draft's actions as a whole."
    )


class DecisionCreateSerializer(DecisionFieldsSerializer):
    agenda_item = ScopedIdField(
        selector=selectors.agenda_items_for_user,
        required=False,
        help_text="The agenda item decided (not for a fast track).",
    )
    case = ScopedIdField(
        selector=_cases_of_user, required=False, help_text="For a fast track only: the case."
    )
    kind = serializers.ChoiceField(
        choices=DecisionKind.choices,
        required=False,
        help_text="fast_track with a case; otherwise given by the agenda item.",
    )


class DecisionAmendSerializer(DecisionFieldsSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the decision is amended.")


class CommunicationWriteSerializer(serializers.Serializer[Any]):
    sent_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=CommunicationMethod.choices)
    recipient = serializers.CharField(max_length=200)


class DecisionActionSerializer(serializers.ModelSerializer[DecisionAction]):
    class Meta:
        model = DecisionAction
        fields = ["id", "position", "kind", "description", "owner", "owner_text", "due_on"]
        read_only_fields = fields


class CommunicationSerializer(serializers.ModelSerializer[DecisionCommunication]):
    class Meta:
        model = DecisionCommunication
        fields = ["sent_at", "method", "recipient", "recorded_by", "recorded_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    """A decision version: what was decided, why, by whom, and where it stands. The case is
    named by its id; the patient's name is not shown."""

    number = serializers.CharField(read_only=True, help_text="e.g. 2026-0007 (v2: amended).")
    status = serializers.SerializerMethodField()
    meeting = serializers.IntegerField(source="agenda_item.meeting_id", default=None)
    presentation_number = serializers.IntegerField(source="presentation.number", read_only=True)
    amended_by = serializers.SerializerMethodField(help_text="The version that amends this one.")
    is_current = serializers.SerializerMethodField(help_text="Not amended.")
    actions = DecisionActionSerializer(many=True, read_only=True)
    communication = serializers.SerializerMethodField()
    communication_due_at = serializers.SerializerMethodField()
    communication_overdue = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    signed_by = serializers.CharField(source="signed_by.username", default=None)

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "status",
            "board",
            "case",
            "presentation",
            "presentation_number",
            "agenda_item",
            "meeting",
            "kind",
            "revision",
            "amends",
            "amended_by",
            "is_current",
            "amendment_reason",
            "intent",
            "no_treatment_reason",
            "plan",
            "rationale",
            "follows_noms",
            "noms_deviation_reason",
            "dissent",
            "patient_preferences",
            "trial_considered",
            "trial_notes",
            "actions",
            "pathway",
            "scores_shown",
            "quorate",
            "needs_ratification",
            "ratifies",
            "recorded_by",
            "created_at",
            "signed_by",
            "signed_at",
            "communication",
            "communication_due_at",
            "communication_overdue",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="draft or signed"))
    def get_status(self, obj: Decision) -> str:
        return "signed" if obj.is_signed else "draft"

    def _amendment(self, obj: Decision) -> Decision | None:
        return getattr(obj, "amended_by", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_amended_by(self, obj: Decision) -> int | None:
        amendment = self._amendment(obj)
        return amendment.pk if amendment else None

    def get_is_current(self, obj: Decision) -> bool:
        return self._amendment(obj) is None

    @extend_schema_field(CommunicationSerializer(allow_null=True))
    def get_communication(self, obj: Decision) -> dict[str, Any] | None:
        row = getattr(obj, "communication", None)
        return None if row is None else dict(CommunicationSerializer(row).data)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_communication_due_at(self, obj: Decision) -> str | None:
        due = selectors.communication_due(obj)
        return None if due is None else due.isoformat()

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_communication_overdue(self, obj: Decision) -> bool | None:
        return selectors.communication_overdue(obj, now=timezone.now())


# --- Decisions --------------------------------------------------------------------------------


def _boards(request: Any) -> QuerySet[Board]:
    user = getattr(request, "user", None)
    return Board.objects.none() if user is None else selectors.boards_of_user(user)


def _cases(request: Any) -> QuerySet[Case]:
    user = getattr(request, "user", None)
    return Case.objects.none() if user is None else _cases_of_user(user)


def _meetings(request: Any) -> QuerySet[Meeting]:
    user = getattr(request, "user", None)
    return Meeting.objects.none() if user is None else selectors.meetings_for_user(user)


class DecisionFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_cases)
    board = django_filters.ModelChoiceFilter(queryset=_boards)
    meeting = django_filters.ModelChoiceFilter(
        queryset=_meetings, field_name="agenda_item__meeting"
    )
    status = django_filters.ChoiceFilter(
        choices=[("draft", "draft"), ("signed", "signed")], method="filter_status"
    )
    # A choice, not a BooleanFilter: django-filter reads an unknown boolean as "no filter".
    awaiting_communication = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_awaiting",
        label="true: signed current versions whose letter is not recorded",
    )

    class Meta:
        model = Decision
        fields = ["case", "board", "meeting"]

    def filter_status(self, queryset: QuerySet[Decision], name: str, value: str) -> Any:
        return queryset.filter(signed_at__isnull=value == "draft")

    def filter_awaiting(self, queryset: QuerySet[Decision], name: str, value: str) -> Any:
        awaiting = {
            "signed_at__isnull": False,
            "amended_by__isnull": True,
            "communication__isnull": True,
        }
        return queryset.filter(**awaiting) if value == "true" else queryset.exclude(**awaiting)


class DecisionViewSet(ScopedReadViewSet):
    """Decisions of the user's boards, every version, newest first (filters ``case``,
    ``meeting``, ``board``, ``status``, ``awaiting_communication``)."""

    selector = staticmethod(selectors.decisions_shown)
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["created_at", "signed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Membership at the view; the services apply the rule of each kind (403 otherwise).
    write_permission = Perm.VIEW
    action_permissions = {"sign": Perm.SIGN_DECISION}

    def _respond(self, decision: Decision, status_code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=decision.pk)
        return with_etag(Response(self.get_serializer(fresh).data, status=status_code), fresh)

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a draft: for ``agenda_item``, or with ``kind`` fast_track for ``case``."""
        serializer = DecisionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        decision = services.decision_create(by=acting_user(request), **serializer.validated_data)
        return self._respond(decision, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionFieldsSerializer, responses=DecisionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit a draft (If-Match); a signed decision is refused (409): amend it."""
        decision = self.get_object()
        serializer = DecisionFieldsSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.decision_update(
            by=acting_user(request),
            decision=decision,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond(decision)

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Sign the draft (attendings; If-Match)."""
        decision = self.get_object()
        services.decision_sign(
            by=acting_user(request), decision=decision, expected_version=if_match_version(request)
        )
        return self._respond(decision)

    @extend_schema(request=DecisionAmendSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Start an amendment of this signed version: a new draft (201)."""
        decision = self.get_object()
        serializer = DecisionAmendSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        new = services.decision_amend(
            by=acting_user(request), decision=decision, **serializer.validated_data
        )
        return self._respond(new, status.HTTP_201_CREATED)

    @extend_schema(request=CommunicationWriteSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def communicated(self, request: Request, pk: str | None = None) -> Response:
        """Record that the letter was sent (coordinators and attendings; once)."""
        decision = self.get_object()
        serializer = CommunicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.decision_communicated(
            by=acting_user(request), decision=decision, **serializer.validated_data
        )
        return self._respond(decision, status.HTTP_201_CREATED)


# --- Attendance -------------------------------------------------------------------------------


class AttendanceRowSerializer(serializers.ModelSerializer[Attendance]):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Attendance
        fields = ["id", "user", "username", "name", "specialty", "present", "guest", "note"]
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer[Any]):
    meeting = serializers.IntegerField()
    quorate = serializers.BooleanField()
    missing_specialties = serializers.ListField(child=serializers.CharField())
    rows = AttendanceRowSerializer(many=True)


class AttendanceWriteSerializer(serializers.Serializer[Any]):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="A member of the board, or anyone else (added as a guest).",
    )
    present = serializers.BooleanField(required=False)
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Specialty.objects.all(),
        required=False,
        help_text="As which specialty they attend (required for a guest).",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeetingAttendanceView(APIView):
    """A meeting's attendance and live quorum. Members read it; coordinators and attendings
    of the board record who is absent and add guests (the service decides: 403 otherwise)."""

    permission_classes = [BoardPermission]
    write_permission = Perm.VIEW
    serializer_class = AttendanceSerializer

    def _meeting(self, request: Request, pk: int) -> Meeting:
        meeting = get_object_or_404(selectors.meetings_for_user(request.user), pk=pk)
        self.check_object_permissions(request, meeting)
        return meeting

    def _answer(self, request: Request, meeting: Meeting) -> Response:
        rows = services.meeting_attendance(meeting, by=acting_user(request))
        quorum = services.meeting_quorum(meeting, rows)
        data = {
            "meeting": meeting.pk,
            "quorate": quorum.quorate,
            "missing_specialties": list(quorum.missing_specialties),
            "rows": rows,
        }
        return Response(AttendanceSerializer(data).data)

    @extend_schema(responses=AttendanceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(request, self._meeting(request, pk))

    @extend_schema(request=AttendanceWriteSerializer, responses=AttendanceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        meeting = self._meeting(request, pk)
        serializer = AttendanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.attendance_record(
            by=acting_user(request), meeting=meeting, **serializer.validated_data
        )
        return self._answer(request, meeting)
