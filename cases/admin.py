"""The admin, for staff. Scoped by the same permission module as the API and the pages:
staff who are not superusers see only their boards' records. Clinical records are read-only
here (they change through the product, with their history); board memberships change through
``cases.services`` so that the guardian permissions follow.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    AuditEvent,
    Board,
    Case,
    CaseStatusChange,
    ClinicalStatus,
    Institution,
    Membership,
    Patient,
    Presentation,
    PriorRadiotherapy,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
)
from .permissions import Perm, board_ids


class BoardScopedAdmin(SimpleHistoryAdmin):
    """Read-only admin of board-scoped records: the user's boards only."""

    board_lookup = "case__board_id__in"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.board_lookup: board_ids(request.user, Perm.VIEW)})

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(BoardScopedAdmin):
    list_display = ["id", "mrn", "family_name", "given_name", "date_of_birth", "institution"]
    search_fields = ["mrn", "family_name"]
    board_lookup = "registered_board_id__in"


@admin.register(Case)
class CaseAdmin(BoardScopedAdmin):
    list_display = ["id", "board", "status", "urgency", "primary_tumor", "created_at"]
    list_filter = ["status", "urgency", "board"]
    board_lookup = "board_id__in"


for model in (
    ClinicalStatus,
    SpinalLesion,
    PriorRadiotherapy,
    Presentation,
    SpecialtyAssessment,
    CaseStatusChange,
):
    admin.site.register(model, BoardScopedAdmin)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "display_order"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # codes are stable identifiers


admin.site.register(Institution)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "specialty")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BoardForm(forms.ModelForm):
    """The admin builds the fields (all of the board's); this adds the cross-field rule."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        quorum = set(cleaned.get("quorum_specialties") or [])
        expected = set(cleaned.get("expected_specialties") or [])
        if quorum - expected:
            names = ", ".join(sorted(str(s) for s in quorum - expected))
            self.add_error(
                "expected_specialties",
                f"Every quorum specialty is expected to assess; add {names}.",
            )
        return cleaned


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    form = BoardForm
    list_display = ["name", "institution", "is_active"]
    filter_horizontal = ["quorum_specialties", "expected_specialties"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Roles are granted and revoked here, through the services that keep guardian in step."""

    list_display = ["user", "board", "role", "specialty"]
    list_filter = ["board", "role", "specialty"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        granted = services.membership_grant(
            by=request.user, board=obj.board, user=obj.user, role=obj.role, specialty=obj.specialty
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_revoke(by=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            services.membership_revoke(by=request.user, membership=membership)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, for staff: who read or changed which patient's records. Read-only."""

    list_display = [
        "at",
        "username",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "=patient_id", "=object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
