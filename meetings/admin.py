from django.contrib import admin

from cases.admin import BoardScopedAdmin

from .models import Meeting, MeetingSeries


@admin.register(Meeting)
class MeetingAdmin(BoardScopedAdmin):
    list_display = ["board", "starts_at", "status", "series", "sequence"]
    list_filter = ["status"]
    board_lookup = "board_id__in"


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(BoardScopedAdmin):
    list_display = ["board", "rrule", "start_time", "starts_on", "until", "active"]
    board_lookup = "board_id__in"
