"""What every page's frame shows: who is signed in, in which roles on which boards."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cases.selectors import memberships_for_user


def shell(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's roles, e.g. "Coordinator · Spine Metastasis Board" (one query, only
    when a page's frame shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles() -> list[str]:
        rows = memberships_for_user(user).order_by("board__name", "role")
        return [
            f"{row.get_role_display()}"
            + (f" ({row.specialty.name})" if row.specialty else "")
            + f" · {row.board.name}"
            for row in rows
        ]

    return {"shell_roles": roles}
