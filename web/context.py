"""What every page's frame shows: who is signed in, in which roles on which boards."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cases.models import Membership
from cases.selectors import memberships_for_user
from notifications.selectors import unread_count

_MEMBERSHIPS = "_web_memberships"


def memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's memberships (board and specialty joined), fetched once per request
    for the frame and the page together."""
    rows = getattr(request, _MEMBERSHIPS, None)
    if rows is None:
        rows = list(memberships_for_user(request.user).order_by("board__name", "role"))
        setattr(request, _MEMBERSHIPS, rows)
    return rows


def shell(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's roles, e.g. "Coordinator · Spine Metastasis Board" (one query, only
    when a page's frame shows them), and their unread notifications for the header's badge
    (``shell_unread``: one query, only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles() -> list[str]:
        return [
            f"{row.get_role_display()}"
            + (f" ({row.specialty.name})" if row.specialty else "")
            + f" · {row.board.name}"
            for row in memberships(request)
        ]

    def unread() -> int:
        # Memoised: the header's badge and a page (the notifications list) may both show it,
        # for one query per request.
        if not cache:
            cache.append(unread_count(user))
        return cache[0]

    cache: list[int] = []
    return {"shell_roles": roles, "shell_unread": unread}
