"""API of standard pathways, triage and readiness: serializers, the pathway viewset and the
meeting readiness view. Parse, call one service or selector, render.

* ``standard-pathways/``: list and detail for members (filters ``board``, ``code``,
  ``live``); POST (an attending) approves version 1 of a code or its next version;
  ``{id}/retire/`` POST (an attending). Versions are never edited (no PATCH).
* ``meetings/{id}/readiness/``: counts and one row per agenda item (``meetings.readiness``).
* The triage actions live on the agenda-item viewset (``meetings.api.views``) and use the
  serializers here.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.audit import audit_reads
from cases.models import AuditAction, Board
from cases.permissions import Perm
from tumorboard.api import BoardPermission
from tumorboard.api_base import (
    ScopedPrimaryKeyRelatedField,
    ScopedReadViewSet,
    ServiceWriteMixin,
    acting_user,
)

from .. import readiness, selectors, services
from ..models import AgendaItem, Intent, StandardPathway
from . import serializers as s

# --- Standard pathways ------------------------------------------------------------------------


class StandardPathwaySerializer(serializers.ModelSerializer[StandardPathway]):
    board = ScopedPrimaryKeyRelatedField(selector=selectors.boards_of_user)
    criteria = serializers.JSONField(
        help_text='All must hold: [{"fact": "sins_max", "op": "lt", "value": 7}, …]; facts and '
        "ops in meetings/criteria.py."
    )
    plan = serializers.JSONField(required=False, help_text="The decision's plan, prefilled.")
    intent = serializers.ChoiceField(choices=Intent.choices, required=False)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True)
    retired_by = serializers.CharField(
        source="retired_by.username", read_only=True, allow_null=True, default=None
    )
    live = serializers.SerializerMethodField()

    class Meta:
        model = StandardPathway
        fields = [
            "id",
            "board",
            "code",
            "version",
            "title",
            "recommendation",
            "intent",
            "plan",
            "criteria",
            "live",
            "approved_by",
            "approved_at",
            "retired_at",
            "retired_by",
        ]
        read_only_fields = ["version", "approved_at", "retired_at"]

    def get_live(self, pathway: StandardPathway) -> bool:
        return pathway.retired_at is None


def _boards(request: Any) -> QuerySet[Board]:
    user = getattr(request, "user", None)
    return Board.objects.none() if user is None else selectors.boards_of_user(user)


class StandardPathwayFilter(django_filters.FilterSet):
    board = django_filters.ModelChoiceFilter(queryset=_boards)
    code = django_filters.CharFilter(
        method="filter_code", label="Every version of one pathway (its code)"
    )
    # A choice, not a BooleanFilter: django-filter reads an unknown boolean as "no filter".
    live = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_live",
        label="true: live versions only; false: retired ones",
    )

    class Meta:
        model = StandardPathway
        fields = ["board", "code", "live"]

    def filter_code(
        self, queryset: QuerySet[StandardPathway], name: str, value: str
    ) -> QuerySet[StandardPathway]:
        """An unknown code is a 400 naming the filter, like every unknown filter value."""
        found = queryset.filter(code=value)
        if not found.exists():
            raise ValidationError({"code": [f"No pathway of your boards has the code {value!r}."]})
        return found

    def filter_live(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(retired_at__isnull=value == "true")


def pathways_shown(user: Any) -> QuerySet[StandardPathway]:
    """The user's boards' pathways with what one shows (who approved and who retired it)."""
    return selectors.pathways_for_user(user).select_related("retired_by")


class StandardPathwayViewSet(ServiceWriteMixin, mixins.CreateModelMixin, ScopedReadViewSet):
    """The standard pathways of the user's boards, every version (filter ``live=true`` for the
    ones offered). An attending (``sign_decision``) approves a version (POST: version 1, or the
    next version of ``code``, retiring the live one) and retires one; versions are never
    edited."""

    selector = staticmethod(pathways_shown)
    serializer_class = StandardPathwaySerializer
    audited = False  # no patient data
    http_method_names = ("get", "post", "head", "options")
    write_permission = Perm.SIGN_DECISION
    action_permissions = {"retire": Perm.SIGN_DECISION}
    filterset_class = StandardPathwayFilter
    ordering_fields = ["code", "version", "approved_at"]
    parent_field = "board"
    parent_kwarg = "board"
    create_service = staticmethod(services.standard_pathway_approve)

    @extend_schema(request=None, responses=StandardPathwaySerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Retire this version: no longer offered for triage."""
        pathway = self.get_object()
        services.standard_pathway_retire(by=acting_user(request), pathway=pathway)
        return self._respond(pathway)


# --- Triage -----------------------------------------------------------------------------------


class TriageSerializer(serializers.Serializer[Any]):
    pathway = s.ScopedIdField(
        selector=selectors.pathways_for_user,
        help_text="A live standard pathway of the meeting's board whose criteria the case meets.",
    )


class PathwayMatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    live = serializers.BooleanField()
    matches = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


# --- Readiness --------------------------------------------------------------------------------


class ChaseItemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the chase list's key
    record = serializers.CharField()
    field = serializers.CharField()
    owners = serializers.ListField(child=serializers.CharField())
    lesion = serializers.IntegerField(allow_null=True)
    lesion_levels = serializers.CharField(allow_null=True)
    needed_by = serializers.ListField(child=serializers.CharField())


class ImagingGapSerializer(serializers.Serializer[Any]):
    lesion = serializers.IntegerField()
    levels = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())


class ItemReadinessSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    case = serializers.IntegerField()
    presentation = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    ready = serializers.BooleanField(
        help_text="Nothing below is missing or needed (a late item may be ready)."
    )
    missing_specialties = serializers.ListField(
        child=serializers.CharField(),
        help_text="Expected specialties without a submitted assessment of the presentation.",
    )
    missing_inputs = ChaseItemSerializer(many=True, help_text="The scores' chase list.")
    lesions_without_imaging = ImagingGapSerializer(many=True)
    referral_missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Of clinical_question, referring_physician, primary_tumor, lesions, "
        "clinical_status.",
    )
    late = serializers.BooleanField()
    surgical_opinion_needed = serializers.BooleanField(
        help_text="A lesion's SINS is 7 or more and spine surgery has not submitted."
    )
    pathway = PathwayMatchSerializer(
        allow_null=True, help_text="For a ratification: its pathway, live, still matching?"
    )


class ReadinessCountsSerializer(serializers.Serializer[Any]):
    items = serializers.IntegerField()
    ready = serializers.IntegerField()
    not_ready = serializers.IntegerField()
    late = serializers.IntegerField()
    surgical_opinion_needed = serializers.IntegerField()
    missing_specialties = serializers.DictField(
        child=serializers.IntegerField(), help_text="Items missing each specialty."
    )


class MeetingReadinessSerializer(serializers.Serializer[Any]):
    meeting = serializers.IntegerField()
    agenda_version = serializers.IntegerField()
    counts = ReadinessCountsSerializer()
    items = ItemReadinessSerializer(many=True)


class AgendaItemReadinessSerializer(s.AgendaItemSerializer):
    """An agenda item with its pathway and its readiness (items loaded with
    ``meetings.readiness.with_case_data``)."""

    readiness = serializers.SerializerMethodField()

    class Meta(s.AgendaItemSerializer.Meta):
        fields = [*s.AgendaItemSerializer.Meta.fields, "readiness"]

    @extend_schema_field(ItemReadinessSerializer)
    def get_readiness(self, item: AgendaItem) -> dict[str, Any]:
        return readiness.item_readiness(item)


class MeetingReadinessView(APIView):
    """``GET meetings/{id}/readiness/``: is each case on the agenda ready? Members of the
    meeting's board (another board's meeting: 404). Reads are audited (items name a case)."""

    permission_classes = [BoardPermission]
    permission = Perm.VIEW

    @extend_schema(responses=MeetingReadinessSerializer)
    def get(self, request: Request, pk: int) -> Response:
        meeting = get_object_or_404(selectors.meetings_for_user(request.user), pk=pk)
        items, data = readiness.meeting_readiness(request.user, meeting)
        audit_reads(user=request.user, action=AuditAction.LIST, objects=items)
        return Response(MeetingReadinessSerializer(data).data)
