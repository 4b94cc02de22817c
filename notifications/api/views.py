"""The signed-in user's notifications: list, unread count, mark read.

Per-user, not per-board: ``IsAuthenticated`` instead of the project's BoardPermission, and
every query starts from ``selectors.notifications_for_user``, so another user's row is a 404
exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..models import Notification
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationFilter(django_filters.FilterSet):
    # A choice, not a BooleanFilter: django-filter's boolean widget reads an unknown value as
    # "no filter", and a client asking for ?unread=yes must hear that it was not understood.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label="true: unread only; false: read only",
    )
    board = django_filters.NumberFilter(field_name="board_id", label="Board id")

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=value == "true")


def _user(request: Request) -> AbstractBaseUser:
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # IsAuthenticated ran already; for the types
        raise NotAuthenticated
    return user


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's own notifications, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        # No request user while the OpenAPI schema is generated: an empty, anonymous scope.
        user: Any = getattr(self.request, "user", None) or AnonymousUser()
        return selectors.notifications_for_user(user)

    @extend_schema(responses=UnreadCountSerializer, filters=False)
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        """How many of the user's notifications are unread (for the badge)."""
        return Response({"unread": selectors.unread_count(_user(request))})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read (idempotent: the first reading time is kept)."""
        notification = services.notification_mark_read(
            user=_user(request), notification=self.get_object()
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer, filters=False)
    @action(detail=False, methods=["post"], url_path="read-all", pagination_class=None)
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification of the user read."""
        return Response({"marked": services.notifications_mark_all_read(user=_user(request))})
