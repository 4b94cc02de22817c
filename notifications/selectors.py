"""Reads of the outbox. A user sees only their own notifications: another user's row reads
exactly like a row that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Notification


def notifications_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def unread_count(user: AbstractBaseUser | AnonymousUser) -> int:
    return notifications_for_user(user).filter(read_at__isnull=True).count()
