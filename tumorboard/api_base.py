"""Base classes of every app's API: scoped reads (audited), writes through services, and
serializer fields that resolve related objects within the user's own selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases.audit import audit_reads
from cases.models import AuditAction


def acting_user(request: Request) -> User:
    """The signed-in user a service acts for (the permission class has already refused
    anonymous requests; this only narrows the type)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key resolved within the requesting user's selector."""

    def __init__(self, selector: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.selector(self.context["request"].user)


class CreateOnlyParentMixin:
    """The parent (board or case) is chosen at creation and never changed afterwards."""

    parent_field = "case"

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        if getattr(self, "instance", None) is not None and self.parent_field in fields:
            fields[self.parent_field].read_only = True
        return fields


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details from a selector; reads of patient data are audited."""

    selector: Callable[[Any], QuerySet[Any]]
    audited = True

    def get_queryset(self) -> QuerySet[Any]:
        # No request while the OpenAPI schema is generated: an empty, anonymous scope.
        user = getattr(self.request, "user", None) or AnonymousUser()
        return type(self).selector(user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        if self.audited:
            audit_reads(user=request.user, action=AuditAction.LIST, objects=rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        if self.audited:
            audit_reads(user=request.user, action=AuditAction.VIEW, objects=[obj])
        return with_etag(Response(self.get_serializer(obj).data), obj)


def with_etag(response: Response, obj: Any) -> Response:
    """Give a versioned record's response its ETag: the version, quoted."""
    version = getattr(obj, "version", None)
    if version is not None:
        response["ETag"] = f'"{version}"'
    return response


def if_match_version(request: Request) -> int | None:
    """The version the client read, from ``If-Match`` (absent or ``*``: not checked).

    Accepts what we send as ETag (``"3"``), a weak form (``W/"3"``) or the bare number.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip().strip('"')
    if not value.isdigit():
        raise exceptions.ValidationError(
            {"If-Match": ['Send the version you read, as in the ETag header: If-Match: "3".']}
        )
    return int(value)


class ServiceWriteMixin:
    """Create and update through services. The parent object named in the input (a board or
    a case) is checked with the view's ``write_permission`` before the service runs; the
    response re-reads the object through the selector, so it has the detail view's shape.

    Updates are PATCH only (the fields sent are the fields changed); PUT is not offered. The
    version the client read comes from ``If-Match``: a stale one is a 412.

    A create service returns the new object (201), or ``(object, created)`` when it may answer
    with an existing one instead (200: e.g. a patient the institution already holds, linked).
    """

    http_method_names: Sequence[str] = ("get", "post", "patch", "head", "options")

    parent_field = "case"  # the serializer field naming the parent
    parent_kwarg = "case"  # the service argument receiving it
    update_kwarg = "obj"
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]

    def permission_target(self, data: dict[str, Any]) -> Any:
        return data[self.parent_field]

    def _respond(self, obj: Any, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]
        data = self.get_serializer(fresh).data  # type: ignore[attr-defined]
        return with_etag(Response(data, status=status), fresh)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.check_object_permissions(request, self.permission_target(data))  # type: ignore[attr-defined]
        parent = data.pop(self.parent_field)
        result = type(self).create_service(
            by=acting_user(request), **{self.parent_kwarg: parent}, **data
        )
        obj, created = result if isinstance(result, tuple) else (result, True)
        return self._respond(obj, status=201 if created else 200)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        serializer = self.get_serializer(obj, data=request.data, partial=True)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        type(self).update_service(
            by=acting_user(request),
            expected_version=if_match_version(request),
            **{self.update_kwarg: obj},
            **serializer.validated_data,
        )
        return self._respond(obj)
