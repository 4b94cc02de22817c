"""The outbox in the admin: read-only, for staff investigating a notification that did not
arrive (attempts, last error, given up). Rows change only through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "dedupe_key",
        "recipient",
        "created_at",
        "read_at",
        "email",
        "email_sent_at",
        "email_attempts",
        "email_failed_at",
    ]
    list_filter = ["kind", "email"]
    search_fields = ["dedupe_key", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
