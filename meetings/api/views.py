"""API views of the meetings app: parse, check (``tumorboard.api.BoardPermission``), call a
service, render. Meetings carry no patient data, so their reads are not audited; agenda items
name a patient's case and presentation, so theirs are.

The personal calendar feed (``CalendarFeedIcsView``) is the one read without a login: calendar
clients cannot log in, so a secret token in its URL stands for the user. The token is never
stored or logged in clear (only its hash is kept; Django's request log is skipped for it).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.audit import audit_reads
from cases.models import AuditAction, Board
from cases.permissions import Perm
from tumorboard.api_base import (
    ScopedReadViewSet,
    ServiceWriteMixin,
    acting_user,
    if_match_version,
    with_etag,
)

from .. import readiness, selectors, services
from ..ics import feed_ics, meeting_ics
from ..models import AgendaItem, Meeting, MeetingSeries, MeetingStatus
from . import pathways as p
from . import serializers as s
from .renderers import ICalendarRenderer

ICS_TYPE = "text/calendar; charset=utf-8"


def _boards(request: Any) -> QuerySet[Board]:
    """The user's boards, for a filter (no request while the schema is generated: none)."""
    user = getattr(request, "user", None)
    return Board.objects.none() if user is None else selectors.boards_of_user(user)


class SeriesFilter(django_filters.FilterSet):
    board = django_filters.ModelChoiceFilter(queryset=_boards)

    class Meta:
        model = MeetingSeries
        fields = ["board"]


class MeetingFilter(django_filters.FilterSet):
    board = django_filters.ModelChoiceFilter(queryset=_boards)
    status = django_filters.MultipleChoiceFilter(choices=MeetingStatus.choices)

    class Meta:
        model = Meeting
        fields = ["board", "status"]


# "from" is a Python keyword: these two are added to the declared filters by name.
MeetingFilter.base_filters["from"] = django_filters.DateFilter(
    field_name="starts_at", lookup_expr="date__gte", label="Meetings on or after this date"
)
MeetingFilter.base_filters["to"] = django_filters.DateFilter(
    field_name="starts_at", lookup_expr="date__lte", label="Meetings on or before this date"
)


class MeetingSeriesViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    """Recurring meetings of the user's boards. Coordinators (``manage_meetings``) create and
    change them; the next weeks of occurrences are kept created."""

    selector = staticmethod(selectors.meeting_series_for_user)
    serializer_class = s.MeetingSeriesSerializer
    audited = False
    write_permission = Perm.MANAGE_MEETINGS
    filterset_class = SeriesFilter
    ordering_fields = ["starts_on", "created_at"]
    parent_field = "board"
    parent_kwarg = "board"
    update_kwarg = "series"
    create_service = staticmethod(services.meeting_series_create)
    update_service = staticmethod(services.meeting_series_update)


class MeetingViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    """Meetings of the user's boards, soonest first. Coordinators create one-off meetings,
    move or edit them (``If-Match``) and cancel them; members read them and their .ics."""

    selector = staticmethod(selectors.meetings_for_user)
    serializer_class = s.MeetingSerializer
    audited = False
    write_permission = Perm.MANAGE_MEETINGS
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at", "created_at"]
    parent_field = "board"
    parent_kwarg = "board"
    update_kwarg = "meeting"
    create_service = staticmethod(services.meeting_create)
    update_service = staticmethod(services.meeting_update)
    # Agenda: GET needs view_board, POST manage_meetings (the view's two defaults). An
    # attending (sign_decision) opens and closes the meeting: they run the discussion.
    action_permissions = {
        "cancel": Perm.MANAGE_MEETINGS,
        "ics": Perm.VIEW,
        "reorder": Perm.MANAGE_MEETINGS,
        "carry_over": Perm.MANAGE_MEETINGS,
        "start": Perm.SIGN_DECISION,
        "close": Perm.SIGN_DECISION,
    }

    def _agenda_response(self, request: Request, meeting: Meeting) -> Response:
        # Each item with its readiness (meetings.readiness): a fixed number of queries.
        items = readiness.agenda_with_readiness(request.user, meeting)
        audit_reads(user=request.user, action=AuditAction.LIST, objects=items)
        data = p.AgendaItemReadinessSerializer(
            items, many=True, context=self.get_serializer_context()
        )
        return Response(data.data)

    @extend_schema(responses=p.AgendaItemReadinessSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def agenda(self, request: Request, pk: str | None = None) -> Response:
        """The meeting's agenda, in order (not paginated: one meeting's items)."""
        return self._agenda_response(request, self.get_object())

    @extend_schema(request=s.AgendaItemAddSerializer, responses={201: s.AgendaItemSerializer})
    @agenda.mapping.post
    def agenda_add(self, request: Request, pk: str | None = None) -> Response:
        """Put a case's current presentation on the agenda (coordinators), at its default
        place by urgency; after the cut-off with a ``late_reason`` unless urgent."""
        meeting = self.get_object()
        serializer = s.AgendaItemAddSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        item = services.agenda_item_add(
            by=acting_user(request), meeting=meeting, **serializer.validated_data
        )
        fresh = selectors.agenda_items_for_user(request.user).get(pk=item.pk)
        data = s.AgendaItemSerializer(fresh, context=self.get_serializer_context()).data
        return with_etag(Response(data, status=status.HTTP_201_CREATED), fresh)

    @extend_schema(
        request=s.AgendaReorderSerializer, responses=p.AgendaItemReadinessSerializer(many=True)
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reorder(self, request: Request, pk: str | None = None) -> Response:
        """Put the agenda in the order given: every item id of the meeting, each once."""
        meeting = self.get_object()
        serializer = s.AgendaReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agenda_reorder(
            by=acting_user(request), meeting=meeting, items=serializer.validated_data["items"]
        )
        return self._agenda_response(request, meeting)

    @extend_schema(request=None, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Open the meeting (scheduled → in progress): attendings."""
        meeting = self.get_object()
        services.meeting_start(
            by=acting_user(request), meeting=meeting, expected_version=if_match_version(request)
        )
        return self._respond(meeting)

    @extend_schema(request=None, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the meeting (in progress → closed): attendings."""
        meeting = self.get_object()
        services.meeting_close(
            by=acting_user(request), meeting=meeting, expected_version=if_match_version(request)
        )
        return self._respond(meeting)

    @extend_schema(request=s.ToMeetingSerializer, responses=s.AgendaItemSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="carry-over", filter_backends=[])
    def carry_over(self, request: Request, pk: str | None = None) -> Response:
        """Carry the items of this closed meeting whose case was not discussed to
        ``to_meeting`` (coordinators); answers the items carried over."""
        meeting = self.get_object()
        serializer = s.ToMeetingSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        created = services.agenda_carry_over(
            by=acting_user(request), meeting=meeting, **serializer.validated_data
        )
        items = list(
            selectors.agenda_items_for_user(request.user)
            .filter(pk__in=[item.pk for item in created])
            .order_by("position")
        )
        data = s.AgendaItemSerializer(items, many=True, context=self.get_serializer_context())
        return Response(data.data)

    @extend_schema(request=s.MeetingCancelSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the meeting, with a reason (it stays listed, status ``cancelled``)."""
        meeting = self.get_object()
        serializer = s.MeetingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.meeting_cancel(
            by=acting_user(request),
            meeting=meeting,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond(meeting)

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)}, filters=False
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[ICalendarRenderer, JSONRenderer],
        filter_backends=[],
    )
    def ics(self, request: Request, pk: str | None = None) -> Response:
        """The meeting as an iCalendar invitation (METHOD:REQUEST; METHOD:CANCEL once
        cancelled). No patient data."""
        meeting = self.get_object()
        response = Response(meeting_ics(meeting), content_type=ICS_TYPE)
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


def _meetings(request: Any) -> QuerySet[Meeting]:
    user = getattr(request, "user", None)
    return Meeting.objects.none() if user is None else selectors.meetings_for_user(user)


class AgendaItemFilter(django_filters.FilterSet):
    meeting = django_filters.ModelChoiceFilter(queryset=_meetings)

    class Meta:
        model = AgendaItem
        fields = ["meeting"]


class AgendaItemViewSet(ServiceWriteMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """Agenda items of the user's boards' meetings (filter ``meeting``), by meeting and
    position. Coordinators change an item's presenter, minutes and kind (PATCH, If-Match) and
    move it to another meeting; items are added through ``meetings/{id}/agenda/``."""

    selector = staticmethod(selectors.agenda_items_for_user)
    serializer_class = s.AgendaItemSerializer
    write_permission = Perm.MANAGE_MEETINGS
    # Triage: coordinators. Untriage: a coordinator or an attending (the service decides,
    # 403 otherwise); here only membership, so another board's item stays a 404.
    action_permissions = {
        "move": Perm.MANAGE_MEETINGS,
        "triage": Perm.MANAGE_MEETINGS,
        "untriage": Perm.VIEW,
        "pathways": Perm.VIEW,
    }
    filterset_class = AgendaItemFilter
    update_kwarg = "item"
    update_service = staticmethod(services.agenda_item_update)

    @extend_schema(request=s.ToMeetingSerializer, responses=s.AgendaItemSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the item to another scheduled meeting of the board (If-Match)."""
        item = self.get_object()
        serializer = s.ToMeetingSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.agenda_item_move(
            by=acting_user(request),
            item=item,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond(item)

    def _respond_with_pathway(self, request: Request, item: AgendaItem) -> Response:
        fresh = readiness.item_with_case_data(request.user, item.pk)
        data = p.AgendaItemReadinessSerializer(fresh, context=self.get_serializer_context()).data
        return with_etag(Response(data), fresh)

    @extend_schema(request=p.TriageSerializer, responses=p.AgendaItemReadinessSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        """Make the item a ratification of a live standard pathway of the board whose criteria
        the case meets (coordinators; If-Match); 400 on ``pathway`` with the reasons if not."""
        item = self.get_object()
        serializer = p.TriageSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.agenda_item_triage(
            by=acting_user(request),
            item=item,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond_with_pathway(request, item)

    @extend_schema(request=None, responses=p.AgendaItemReadinessSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def untriage(self, request: Request, pk: str | None = None) -> Response:
        """Turn a ratification back into a full discussion (a coordinator or an attending)."""
        item = self.get_object()
        services.agenda_item_untriage(
            by=acting_user(request), item=item, expected_version=if_match_version(request)
        )
        return self._respond_with_pathway(request, item)

    @extend_schema(responses=p.PathwayMatchSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pathways(self, request: Request, pk: str | None = None) -> Response:
        """The board's live standard pathways, each saying whether the case meets it and, if
        not, why."""
        item = self.get_object()
        audit_reads(user=request.user, action=AuditAction.VIEW, objects=[item])
        rows = readiness.item_pathways(request.user, item)
        return Response(p.PathwayMatchSerializer(rows, many=True).data)


class CalendarFeedView(APIView):
    """The signed-in user's personal calendar feed.

    POST creates it, or rotates it (the previous URL stops working), and answers its URL
    once; ``revoke/`` revokes it (no DELETE: nothing is deleted through the API).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: s.CalendarFeedSerializer})
    def post(self, request: Request) -> Response:
        feed, token = services.calendar_feed_rotate(user=acting_user(request))
        url = f"{settings.SITE_URL.rstrip('/')}/api/v1/calendar/{token}.ics"
        data = s.CalendarFeedSerializer({"url": url, "created_at": feed.created_at}).data
        return Response(data, status=status.HTTP_201_CREATED)


class CalendarFeedRevokeView(APIView):
    """Revoke the signed-in user's calendar feed (the same as DELETE on the feed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.calendar_feed_revoke(user=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedIcsView(View):
    """The personal feed, for calendar clients: no login, the token in the URL stands for the
    user. Unknown or revoked: 404, the same for both. A plain Django view (not in the API
    schema): no session, no CSRF, nothing but the token."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        user = selectors.feed_user(services.hash_token(token))
        if user is None:
            response = HttpResponse(status=404, content_type="text/plain")
        else:
            meetings: QuerySet[Meeting] = selectors.feed_meetings(user)
            response = HttpResponse(feed_ics(meetings), content_type=ICS_TYPE)
            response["Cache-Control"] = "private, no-store"
        # Django logs every 4xx with its path, which holds the token: not this one.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
