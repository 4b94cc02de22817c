"""The signed-in user's in-app notifications: the list (all or unread only), mark one read,
mark all read.

Per user, not per board, exactly as the API (``notifications.api.views``): every query starts
from ``notifications.selectors.notifications_for_user``, so another user's notification is a
404 like one that does not exist. Notifications hold no patient data (``notifications.services``),
so listing them writes no audit row. Marking read goes through ``notifications.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from cases import selectors as case_selectors
from cases.services.presentations import ASSESSMENT_REQUEST
from meetings.services import (
    MEETING_ESCALATION,
    MEETING_REMINDER,
    PACKET_READY,
    UNSIGNED_DECISION,
)
from notifications import selectors, services
from notifications.models import Notification

#: What each kind is called on the page; a kind not listed here is shown humanised.
KIND_LABELS = {
    ASSESSMENT_REQUEST: "Assessment request",
    MEETING_REMINDER: "Meeting reminder",
    MEETING_ESCALATION: "Missing assessments",
    UNSIGNED_DECISION: "Decision to sign",
    PACKET_READY: "Meeting packet",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def summary(body: str) -> str:
    """The body's first paragraph (the e-mail's sentence saying what is asked), on one line."""
    return " ".join(body.strip().split("\n\n", 1)[0].split())


@dataclass(frozen=True)
class Row:
    """One notification as the list shows it. ``zone``: the time zone its time is shown in
    and labelled with (its board's, else the server's)."""

    notification: Notification
    kind: str
    summary: str
    board: str
    zone: str


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first, 30 a page; ``?unread=1``: unread only."""

    template_name = "web/notifications.html"
    context_object_name = "notifications"
    paginate_by = 30

    def unread_only(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_queryset(self) -> QuerySet[Notification]:
        rows = selectors.notifications_for_user(self.request.user)
        return rows.filter(read_at__isnull=True) if self.unread_only() else rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notes = list(context["notifications"])
        # Board names and zones through the cases selector (the user's board ids, then the
        # page's boards: two queries whatever the rows): a board the user does not belong to
        # (any longer) is not named, and its rows fall back to the server's zone.
        board_ids = {n.board_id for n in notes if n.board_id is not None}
        boards = (
            {
                board.pk: board
                for board in case_selectors.boards_for_user(self.request.user)
                .filter(pk__in=board_ids)
                .select_related(None)
                .prefetch_related(None)
                .only("pk", "name", "timezone")
            }
            if board_ids
            else {}
        )
        rows = []
        for note in notes:
            board = boards.get(note.board_id) if note.board_id is not None else None
            zone = board.timezone if board else settings.TIME_ZONE
            rows.append(
                Row(
                    notification=note,
                    kind=kind_label(note.kind),
                    summary=summary(note.body),
                    board=board.name if board else "",
                    zone=zone,
                )
            )
        context["rows"] = rows
        context["unread_only"] = self.unread_only()
        return context


def _user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in user (LoginRequiredMixin ran already; this narrows the type)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the list the form was on: the unread filter is kept, and the page unless the
    unread filter is on (marking read shortens that list, so its page may no longer exist)."""
    url = reverse("pages:notifications")
    unread = request.POST.get("unread") == "1"
    page = request.POST.get("page", "")
    if unread:
        return HttpResponseRedirect(f"{url}?unread=1")
    if page.isdigit() and page != "1":
        return HttpResponseRedirect(f"{url}?page={page}")
    return HttpResponseRedirect(url)


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one of the user's notifications read (idempotent). Another user's: 404."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = get_object_or_404(selectors.notifications_for_user(request.user), pk=pk)
        services.notification_mark_read(user=_user(request), notification=note)
        return _back_to_list(request)


class NotificationsReadAllView(LoginRequiredMixin, View):
    """POST: mark every unread notification of the user read."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        services.notifications_mark_all_read(user=_user(request))
        return _back_to_list(request)
