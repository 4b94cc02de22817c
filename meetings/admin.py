"""Read-only admin of the meetings app, scoped to the staff user's boards (writes go through
the services: the API and the pages)."""

from django.contrib import admin

from cases.admin import BoardScopedAdmin

from .models import (
    AgendaItem,
    Attendance,
    Decision,
    FastTrack,
    Meeting,
    MeetingPacket,
    MeetingSeries,
    StandardPathway,
)


@admin.register(Meeting)
class MeetingAdmin(BoardScopedAdmin):
    list_display = ["board", "starts_at", "status", "series", "sequence", "agenda_version"]
    list_filter = ["status"]
    board_lookup = "board_id__in"


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(BoardScopedAdmin):
    list_display = ["board", "rrule", "start_time", "starts_on", "until", "active"]
    board_lookup = "board_id__in"


@admin.register(AgendaItem)
class AgendaItemAdmin(BoardScopedAdmin):
    list_display = ["meeting", "position", "presentation", "kind", "late", "carried_over"]
    board_lookup = "meeting__board_id__in"


@admin.register(Attendance)
class AttendanceAdmin(BoardScopedAdmin):
    list_display = ["meeting", "user", "specialty", "present", "guest"]
    board_lookup = "meeting__board_id__in"


@admin.register(StandardPathway)
class StandardPathwayAdmin(BoardScopedAdmin):
    list_display = ["board", "code", "version", "title", "approved_by", "retired_at"]
    board_lookup = "board_id__in"


@admin.register(Decision)
class DecisionAdmin(BoardScopedAdmin):
    list_display = ["board", "number", "case", "kind", "intent", "signed_at", "revision"]
    list_filter = ["kind", "intent"]
    board_lookup = "board_id__in"


@admin.register(FastTrack)
class FastTrackAdmin(BoardScopedAdmin):
    list_display = ["case", "neurological_signs", "suspected_at", "plan_agreed_at"]
    board_lookup = "case__board_id__in"


@admin.register(MeetingPacket)
class MeetingPacketAdmin(BoardScopedAdmin):
    list_display = ["meeting", "agenda_version", "revision", "status", "cases", "built_at"]
    exclude = ["html", "pdf"]
    board_lookup = "meeting__board_id__in"
