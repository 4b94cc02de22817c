from django.contrib import admin

from cases.admin import BoardScopedAdmin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(BoardScopedAdmin):
    list_display = ["board", "starts_at", "status"]
    board_lookup = "board_id__in"
