"""API views of the meetings app: parse, check (``tumorboard.api.BoardPermission``), call a
service, render. Meetings carry no patient data, so their reads are not audited.

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
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Board
from cases.permissions import Perm
from tumorboard.api_base import (
    ScopedReadViewSet,
    ServiceWriteMixin,
    acting_user,
    if_match_version,
)

from .. import selectors, services
from ..ics import feed_ics, meeting_ics
from ..models import Meeting, MeetingSeries, MeetingStatus
from . import serializers as s

ICS_TYPE = "text/calendar; charset=utf-8"


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


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
    action_permissions = {"cancel": Perm.MANAGE_MEETINGS, "ics": Perm.VIEW}

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
