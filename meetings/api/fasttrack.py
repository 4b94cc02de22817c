"""The cord-compression fast track's API: ``/api/v1/fast-tracks/`` (open, read, PATCH the
timestamps) and ``/api/v1/fast-tracks/queue/`` (the open fast tracks, most urgent clock first).

Parse, check, call a service, render. A fast track names a patient's case, so every read is
audited; the patient's name is not shown (the case number is). Times are entered and shown in
the board's time zone, like the meetings': a time sent without an offset is read in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.audit import audit_reads
from cases.models import AuditAction, Board, Case
from cases.permissions import Perm, board_ids
from tumorboard.api_base import (
    CreateOnlyParentMixin,
    ScopedPrimaryKeyRelatedField,
    ScopedReadViewSet,
    ServiceWriteMixin,
)

from .. import clocks, selectors, services
from ..models import FastTrack
from .serializers import LocalDateTimeField

#: Set when the fast track is opened, never changed through PATCH.
OPEN_ONLY = ("neurological_signs", "suspected_at")
TIMES = ("suspected_at", "mri_done_at", "mri_reported_at", "plan_agreed_at", "treatment_started_at")


def cases_of_user(user: Any) -> QuerySet[Case]:
    """The cases the user may name for a fast track (plain: only the lookup; the service then
    requires an urgent or emergency, open case and the right role on its board)."""
    return Case.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related("board")


def _local(value: dt.datetime | None, board: Board) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(board.timezone)).isoformat()


class ClockSerializer(serializers.Serializer[clocks.Clock]):
    name = serializers.ChoiceField(choices=[clocks.MRI, clocks.TREATMENT])
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=[s.value for s in clocks.ClockState])
    seconds_left = serializers.IntegerField(
        allow_null=True,
        help_text="From the stop (or now, while running) to the due time; negative when breached.",
    )


class FastTrackSerializer(CreateOnlyParentMixin, serializers.ModelSerializer[FastTrack]):
    """A fast track with its two clocks (``meetings.clocks``), computed at the time of the
    request. No patient name: the case number and its urgency and status."""

    parent_field = "case"
    case = ScopedPrimaryKeyRelatedField(selector=cases_of_user)
    board = serializers.IntegerField(source="case.board_id", read_only=True)
    timezone = serializers.CharField(source="case.board.timezone", read_only=True)
    case_urgency = serializers.CharField(source="case.urgency", read_only=True)
    case_status = serializers.CharField(source="case.status", read_only=True)
    suspected_at = LocalDateTimeField(
        help_text="When cord compression was suspected (with an offset, or in the board's zone)."
    )
    mri_done_at = LocalDateTimeField(allow_null=True, required=False)
    mri_reported_at = LocalDateTimeField(
        allow_null=True, required=False, help_text="The diagnosis: starts the treatment clock."
    )
    treatment_started_at = LocalDateTimeField(allow_null=True, required=False)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    clocks = serializers.SerializerMethodField()

    class Meta:
        model = FastTrack
        fields = [
            "id",
            "case",
            "board",
            "timezone",
            "case_urgency",
            "case_status",
            "neurological_signs",
            "suspected_at",
            "mri_done_at",
            "mri_reported_at",
            "plan_agreed_at",
            "treatment_started_at",
            "notes",
            "clocks",
            "opened_by",
            "opened_at",
            "version",
        ]
        read_only_fields = ["plan_agreed_at", "opened_at", "version"]

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, track: FastTrack) -> list[dict[str, Any]]:
        now = self.context.get("now") or timezone.now()
        board = track.case.board
        rows = []
        for c in selectors.clocks_of(track, now=now):
            rows.append(
                {
                    "name": c.name,
                    "started_at": _local(c.started_at, board),
                    "due_at": _local(c.due_at, board),
                    "done_at": _local(c.done_at, board),
                    "state": c.state.value,
                    "seconds_left": c.seconds_left,
                }
            )
        return rows

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            sent = [name for name in OPEN_ONLY if name in self.initial_data]
            if sent:
                raise serializers.ValidationError(
                    dict.fromkeys(sent, "Set when the fast track is opened; not changed later.")
                )
        case = attrs.get("case") or getattr(self.instance, "case", None)
        if case is not None:
            zone = ZoneInfo(case.board.timezone)
            for name in TIMES:
                value = attrs.get(name)
                if value is not None and timezone.is_naive(value):
                    attrs[name] = value.replace(tzinfo=zone)
        return attrs

    def to_representation(self, instance: FastTrack) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in TIMES:
            data[name] = _local(getattr(instance, name), instance.case.board)
        return data


def _cases(request: Any) -> QuerySet[Case]:
    user = getattr(request, "user", None)
    return Case.objects.none() if user is None else cases_of_user(user)


class FastTrackFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_cases)

    class Meta:
        model = FastTrack
        fields = ["case"]


class FastTrackViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    """Fast tracks of the user's boards' cases. Opened (POST) for an urgent or emergency case,
    one per case (409 otherwise), and updated (PATCH ``mri_done_at``, ``mri_reported_at``,
    ``treatment_started_at``, ``notes``; If-Match) by the board's coordinators, attendings and
    on-call specialists: the view lets clinical editors through, the service decides (403).
    ``plan_agreed_at`` is set by signing the fast-track decision."""

    selector = staticmethod(selectors.fast_tracks_for_user)
    serializer_class = FastTrackSerializer
    write_permission = Perm.EDIT_CLINICAL_DATA
    filterset_class = FastTrackFilter
    ordering_fields = ["suspected_at", "opened_at"]
    update_kwarg = "fast_track"
    create_service = staticmethod(services.fast_track_open)
    update_service = staticmethod(services.fast_track_update)

    @extend_schema(responses=FastTrackSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], filter_backends=[])
    def queue(self, request: Request) -> Response:
        """The open fast tracks (treatment not started, case not closed, declined or
        withdrawn) of the user's boards, by the time left on their most urgent running clock:
        breached first (the most overdue first), then the least time left; those with no
        clock running (e.g. waiting for the MRI report) last."""
        now = timezone.now()
        rows = selectors.fast_track_queue(request.user, now=now)
        page = self.paginate_queryset(rows)
        shown = list(page if page is not None else rows)
        audit_reads(user=request.user, action=AuditAction.LIST, objects=shown)
        context = {**self.get_serializer_context(), "now": now}
        data = FastTrackSerializer(shown, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)
