"""Serializers of the meetings API: parse and render only (the services decide).

Times are entered and shown in the board's time zone: a time sent without an offset is read
in the board's zone, and every time is answered with the board's offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Board
from tumorboard.api_base import CreateOnlyParentMixin, ScopedPrimaryKeyRelatedField

from .. import selectors
from ..models import AgendaItem, Meeting, MeetingSeries


class LocalDateTimeField(serializers.DateTimeField):
    """Keeps a time sent without an offset naive, for the serializer to place it in the
    board's zone (DRF would place it in the server's)."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        return value if timezone.is_naive(value) else super().enforce_timezone(value)


def _local(value: dt.datetime | None, board: Board) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(board.timezone)).isoformat()


class MeetingSeriesSerializer(CreateOnlyParentMixin, serializers.ModelSerializer[MeetingSeries]):
    parent_field = "board"
    board = ScopedPrimaryKeyRelatedField(selector=selectors.boards_of_user)
    timezone = serializers.CharField(
        source="board.timezone", read_only=True, help_text="The board's zone: start_time is in it."
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "board",
            "timezone",
            "rrule",
            "start_time",
            "duration_minutes",
            "place",
            "video_link",
            "starts_on",
            "until",
            "active",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class MeetingSerializer(CreateOnlyParentMixin, serializers.ModelSerializer[Meeting]):
    parent_field = "board"
    board = ScopedPrimaryKeyRelatedField(selector=selectors.boards_of_user)
    board_name = serializers.CharField(source="board.name", read_only=True)
    timezone = serializers.CharField(source="board.timezone", read_only=True)
    starts_at = LocalDateTimeField(
        help_text="With an offset, or without one: then read in the board's time zone."
    )
    chair = ScopedPrimaryKeyRelatedField(
        selector=selectors.board_members,
        allow_null=True,
        required=False,
        help_text="An attending physician of the board.",
    )
    submission_cutoff_at = serializers.DateTimeField(
        read_only=True,
        help_text="Cases for this meeting are submitted by then (the board's cut-off hours "
        "before the start).",
    )
    ends_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "board",
            "board_name",
            "timezone",
            "series",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "place",
            "video_link",
            "status",
            "cancel_reason",
            "chair",
            "sequence",
            "submission_cutoff_at",
            "version",
            "created_at",
        ]
        read_only_fields = [
            "series",
            "status",
            "cancel_reason",
            "sequence",
            "version",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts_at = attrs.get("starts_at")
        if starts_at is not None and timezone.is_naive(starts_at):
            board = attrs.get("board") or getattr(self.instance, "board", None)
            if board is not None:
                attrs["starts_at"] = starts_at.replace(tzinfo=ZoneInfo(board.timezone))
        return attrs

    def to_representation(self, instance: Meeting) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in ("starts_at", "ends_at", "submission_cutoff_at"):
            data[name] = _local(getattr(instance, name), instance.board)
        return data


class MeetingCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


@extend_schema_field(OpenApiTypes.INT)
class ScopedIdField(ScopedPrimaryKeyRelatedField):
    """A scoped primary key in a serializer without a model (typed for the schema)."""


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    """An agenda item with what the board needs to plan: the case (its id, urgency, status)
    and the presentation (number, kind, reason). No patient name."""

    case = serializers.IntegerField(source="presentation.case_id", read_only=True)
    case_urgency = serializers.CharField(source="presentation.case.urgency", read_only=True)
    case_status = serializers.CharField(source="presentation.case.status", read_only=True)
    presentation_number = serializers.IntegerField(source="presentation.number", read_only=True)
    presentation_kind = serializers.CharField(source="presentation.kind", read_only=True)
    presentation_reason = serializers.CharField(source="presentation.reason", read_only=True)
    presenter = ScopedPrimaryKeyRelatedField(
        selector=selectors.board_members,
        allow_null=True,
        required=False,
        help_text="A member of the meeting's board.",
    )
    added_by = serializers.CharField(source="added_by.username", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "presentation",
            "presentation_number",
            "presentation_kind",
            "presentation_reason",
            "case",
            "case_urgency",
            "case_status",
            "presenter",
            "minutes_allotted",
            "kind",
            "pathway",
            "late",
            "late_reason",
            "carried_over",
            "carried_from",
            "added_by",
            "added_at",
            "version",
        ]
        read_only_fields = [
            "meeting",
            "position",
            "presentation",
            "kind",
            "pathway",
            "late",
            "late_reason",
            "carried_over",
            "carried_from",
            "added_at",
            "version",
        ]


class AgendaItemAddSerializer(serializers.Serializer[Any]):
    presentation = ScopedIdField(
        selector=selectors.presentations_of_user,
        help_text="The current presentation of a case of the meeting's board.",
    )
    presenter = ScopedIdField(selector=selectors.board_members, allow_null=True, required=False)
    minutes_allotted = serializers.IntegerField(min_value=1, max_value=120, required=False)
    late_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Needed after the submission cut-off unless the case is urgent or an emergency.",
    )


class AgendaReorderSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every item id of the agenda, in order."
    )


class ToMeetingSerializer(serializers.Serializer[Any]):
    to_meeting = ScopedIdField(
        selector=selectors.meetings_for_user,
        help_text="A scheduled meeting of the same board.",
    )


class CalendarFeedSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(read_only=True, help_text="Shown once: keep it secret.")
    created_at = serializers.DateTimeField(read_only=True)
