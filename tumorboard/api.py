"""API plumbing shared by every endpoint: the permission class, pagination, error format.

DRF's settings import this module while ``rest_framework.views`` loads, so it must not import
viewsets: the base viewsets and fields live in ``tumorboard.api_base``.

Errors always have the shape ``{"errors": {"<field>": ["message", ...]}}`` (non-field errors
under ``non_field_errors``), whether raised by a serializer or by a service's ValidationError.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from rest_framework import exceptions, filters, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases.exceptions import Conflict, StaleVersion
from cases.permissions import Perm, has_perm


class BoardPermission(BasePermission):
    """The API's one permission class.

    A view declares ``permission`` (needed to read, default: membership of the board) and
    ``write_permission`` (needed to write; None means read-only), optionally
    ``action_permissions`` per action. The object's board decides, via ``cases.permissions``.
    Lists need no object check: their querysets come from selectors scoped to the user.
    Creating is checked by the view on the object the new row will belong to
    (``check_object_permissions(request, parent)``).
    """

    message = "You do not have permission to do this on this board."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return self.required(request, view) is not None or request.method in SAFE_METHODS

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        perm = self.required(request, view)
        return perm is not None and has_perm(request.user, perm, obj)

    @staticmethod
    def required(request: Request, view: Any) -> Perm | None:
        per_action = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None)
        if action in per_action:
            return per_action[action]
        if request.method in SAFE_METHODS:
            return getattr(view, "permission", Perm.VIEW)
        return getattr(view, "write_permission", None)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``?ordering=``, strict: an unknown field is a 400 naming ``ordering`` (DRF itself
    ignores it and answers in the default order, which a client cannot tell from success).

    A view may map a public field name to an annotation of its selector with
    ``ordering_aliases`` (cases: ``{"urgency": "urgency_level"}``, so urgency sorts clinically,
    not alphabetically). The selector's own order follows the requested fields as the
    tie-breaker, so pages stay stable.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        param = request.query_params.get(self.ordering_param, "")
        terms = [term.strip() for term in param.split(",") if term.strip()]
        if not terms:
            return self.get_default_ordering(view)
        valid = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in terms if term.removeprefix("-") not in valid]
        if unknown:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {', '.join(unknown)}; order by one of "
                        f"{', '.join(sorted(valid))} (a leading '-' for descending)."
                    ]
                }
            )
        aliases: dict[str, str] = getattr(view, "ordering_aliases", {})
        ordering = [
            ("-" if term.startswith("-") else "")
            + aliases.get(term.removeprefix("-"), term.removeprefix("-"))
            for term in terms
        ]
        chosen = {term.removeprefix("-") for term in ordering}
        default = queryset.query.order_by or queryset.model._meta.ordering
        return ordering + [
            term
            for term in default
            if isinstance(term, str) and term.removeprefix("-") not in chosen
        ]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _as_lists(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _flatten(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten(v)]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersion):
        stale = Response(
            {"errors": {"version": [str(exc)]}, "current_version": exc.current},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        stale["ETag"] = f'"{exc.current}"'
        return stale
    if isinstance(exc, Conflict):
        return Response({"errors": {exc.field: [str(exc)]}}, status=409)
    if isinstance(exc, IntegrityError):
        # A race no service foresaw; the service's transaction rolled back.
        return Response({"errors": {"non_field_errors": [Conflict.DEFAULT]}}, status=409)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
                for key, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": list(exc.messages)}
        return Response({"errors": detail}, status=status.HTTP_400_BAD_REQUEST)
    # Imported here: rest_framework.views imports this module's permission class at load time.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        response.data = {"errors": _as_lists(exc.detail)}
    return response
