"""Reads of the meetings app, scoped to the user's boards like every read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.permissions import Perm, board_ids

from .models import Meeting


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(board_id__in=board_ids(user, Perm.VIEW)).select_related("board")
