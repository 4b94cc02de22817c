"""API views: parse, check (via ``tumorboard.api.BoardPermission``), call a service, render.

Querysets come from ``cases.selectors`` (scoped to the user's boards); every read of patient
data is written to the audit log; nothing is ever deleted through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scoring.domain import CALCULATORS
from scoring.domain.vocabulary import PrimaryTumor
from tumorboard.api_base import (
    ScopedReadViewSet,
    ServiceWriteMixin,
    acting_user,
    if_match_version,
)

from .. import selectors, services
from ..audit import audit_lookup, audit_reads
from ..models import (
    AssessmentStatus,
    AuditAction,
    Board,
    Case,
    CaseStatus,
    Patient,
    PatientBoardLink,
    Presentation,
    Specialty,
    SpecialtyAssessment,
    SpinalLesion,
    Urgency,
)
from ..permissions import Perm, board_ids
from . import serializers as s

# --- Filters --------------------------------------------------------------------------------
# Every filter value is validated: an unknown one is a 400 naming the filter, never an empty
# list that looks like "nothing matches" (choices, codes, calculator names; ids only among the
# user's own boards, so another board's id reads like one that does not exist).


def _scoped(model: type[Any], board_lookup: str) -> Callable[[Any], QuerySet[Any]]:
    """The ``model`` rows of the user's boards, as a filter's ``queryset`` callable. Plain
    (no joins or prefetches): a filter only checks that the named row is one of them."""

    def queryset(request: Any) -> QuerySet[Any]:
        user = getattr(request, "user", None)
        if user is None:  # the OpenAPI schema is generated without a request
            return model._default_manager.none()
        return model._default_manager.filter(**{board_lookup: board_ids(user, Perm.VIEW)})

    return queryset


def _visible_patients(request: Any) -> QuerySet[Patient]:
    user = getattr(request, "user", None)
    return Patient.objects.none() if user is None else selectors.patients_for_user(user)


def _true_false(label: str) -> django_filters.ChoiceFilter:
    # A choice, not a BooleanFilter: django-filter reads an unknown boolean as "no filter".
    return django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_true_false", label=label
    )


class SpecialtyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The board specialties (stable codes). Readable by any signed-in user."""

    serializer_class = s.SpecialtySerializer
    queryset = Specialty.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []


class BoardViewSet(ScopedReadViewSet):
    """The boards the user belongs to, with the user's roles on each."""

    selector = staticmethod(selectors.boards_for_user)
    serializer_class = s.BoardSerializer
    audited = False
    filter_backends: list[Any] = []


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token, under the login lock-out.

    django-axes refuses the credentials while the (username, address) pair is locked out;
    the answer is then 429, as on the login page, rather than "wrong password".
    """

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                message = str(getattr(settings, "AXES_COOLOFF_MESSAGE", "Account locked."))
                return Response({"errors": {"non_field_errors": [message]}}, status=429)
            raise


class MeView(APIView):
    """The signed-in user and their board memberships."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)


class PatientFilter(django_filters.FilterSet):
    # No MRN or name filters: query strings end up in access logs. See ``lookup``.
    board = django_filters.ModelChoiceFilter(
        queryset=_scoped(Board, "pk__in"),
        method="filter_board",
        label="Patients registered at or linked to this board",
    )

    def filter_board(self, queryset: QuerySet[Patient], name: str, value: Board) -> Any:
        linked = PatientBoardLink.objects.filter(patient=OuterRef("pk"), board=value)
        return queryset.filter(Q(registered_board=value) | Exists(linked))


class PatientViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    selector = staticmethod(selectors.patients_for_user)
    serializer_class = s.PatientSerializer
    write_permission = Perm.MANAGE_CASES
    filterset_class = PatientFilter
    parent_field = "registered_board"
    parent_kwarg = "board"
    update_kwarg = "patient"
    create_service = staticmethod(services.patient_register_or_link)
    update_service = staticmethod(services.patient_update)
    ordering_fields = ["family_name", "date_of_birth", "created_at"]
    action_permissions = {"lookup": Perm.VIEW}

    @extend_schema(
        request=s.PatientSerializer,
        responses={201: s.PatientSerializer, 200: s.PatientSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register a patient (201). An MRN the institution already holds, with the same date
        of birth and family name, links that patient to the board instead (200, the existing
        patient); with other details it is a 409 that reveals nothing of the other record."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=s.PatientLookupSerializer, responses=s.PatientSerializer(many=True))
    @action(detail=False, methods=["post"])
    def lookup(self, request: Request) -> Response:
        """Find a visible patient by MRN. A POST, so the MRN never appears in a URL or log.
        Every look-up is audited, one that finds nothing included."""
        serializer = s.PatientLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = list(self.get_queryset().filter(mrn=serializer.validated_data["mrn"]))
        audit_lookup(user=request.user, found=found)
        return Response(self.get_serializer(found, many=True).data)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    urgency = django_filters.MultipleChoiceFilter(choices=Urgency.choices)
    board = django_filters.ModelChoiceFilter(queryset=_scoped(Board, "pk__in"))
    patient = django_filters.ModelChoiceFilter(queryset=_visible_patients)
    primary_tumor = django_filters.ChoiceFilter(choices=PrimaryTumor.choices())
    missing_specialty = django_filters.ModelChoiceFilter(
        queryset=Specialty.objects.all(),
        to_field_name="code",
        method="filter_missing",
        label="Cases still missing this specialty's submitted assessment",
    )

    class Meta:
        model = Case
        fields = ["status", "urgency", "board", "patient", "primary_tumor"]

    def filter_missing(self, queryset: QuerySet[Case], name: str, value: Specialty) -> Any:
        return selectors.cases_missing_specialty(queryset, value.code)


class CaseViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    selector = staticmethod(selectors.cases_for_user)
    serializer_class = s.CaseSerializer
    write_permission = Perm.MANAGE_CASES
    filterset_class = CaseFilter
    parent_field = "board"
    parent_kwarg = "board"
    update_kwarg = "case"
    create_service = staticmethod(services.case_refer)
    update_service = staticmethod(services.case_update)
    ordering_fields = ["created_at", "referred_on", "urgency", "status"]
    # Urgency sorts clinically (emergency, urgent, routine), not alphabetically.
    ordering_aliases = {"urgency": "urgency_level"}

    # Actions that show something else of the case need none of the list's prefetches.
    LIGHT_ACTIONS = frozenset({"scores", "status_history"})

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "action", None) in self.LIGHT_ACTIONS:
            return selectors.case_headers_for_user(self.request.user)
        return super().get_queryset()

    @extend_schema(request=s.CaseScoringInputsSerializer, responses=s.CaseSerializer)
    @action(detail=True, methods=["patch"], url_path="scoring-inputs")
    def scoring_inputs(self, request: Request, pk: str | None = None) -> Response:
        """Set tumor growth, radiosensitivity and tolerances (owning specialties only)."""
        case = self.get_object()
        serializer = s.CaseScoringInputsSerializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.case_scoring_inputs_update(
            by=acting_user(request),
            case=case,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond(case)

    @extend_schema(responses=s.CaseScoresSerializer)
    @action(detail=True, methods=["get"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """The case's current scores with their breakdown, what is missing and who owns it,
        and histology-based suggestions still to be confirmed. History: /api/v1/scores/.
        """
        case = self.get_object()
        audit_reads(user=request.user, action=AuditAction.VIEW, objects=[case])
        scores = selectors.case_scores(case)
        data = {
            "case": case.pk,
            "current": s.ScoreRecordSerializer(scores.current, many=True).data,
            "chase": scores.chase,
            "suggestions": scores.suggestions,
        }
        return Response(data)

    @extend_schema(responses=s.CaseStatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="status-history", pagination_class=None)
    def status_history(self, request: Request, pk: str | None = None) -> Response:
        """Every status change of the case: which transition, who, when and why."""
        case = self.get_object()
        audit_reads(user=request.user, action=AuditAction.VIEW, objects=[case])
        changes = case.status_changes.select_related("changed_by").order_by("changed_at", "id")
        return Response(s.CaseStatusChangeSerializer(changes, many=True).data)

    @extend_schema(request=s.CaseTransitionSerializer, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the case along a named transition (see ``allowed_transitions``). Each
        transition needs its own permission on the board (the service checks it: 403 when
        missing); a transition made only by the system is refused (400).
        """
        case = self.get_object()
        serializer = s.CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_transition(
            by=acting_user(request),
            case=case,
            expected_version=if_match_version(request),
            **serializer.validated_data,
        )
        return self._respond(case)

    action_permissions = {
        "transition": Perm.VIEW,  # then the transition's own permission, in the service
        "scoring_inputs": Perm.EDIT_CLINICAL_DATA,
        "scores": Perm.VIEW,
        "status_history": Perm.VIEW,
    }


class CaseChildFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_scoped(Case, "board_id__in"))


class ClinicalStatusViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    """Dated clinical snapshots; a case keeps them all (newest first)."""

    selector = staticmethod(selectors.clinical_statuses_for_user)
    serializer_class = s.ClinicalStatusSerializer
    write_permission = Perm.EDIT_CLINICAL_DATA
    filterset_class = CaseChildFilter
    update_kwarg = "status"
    create_service = staticmethod(services.clinical_status_record)
    update_service = staticmethod(services.clinical_status_update)


class SpinalLesionViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    selector = staticmethod(selectors.lesions_for_user)
    serializer_class = s.SpinalLesionSerializer
    write_permission = Perm.EDIT_CLINICAL_DATA
    filterset_class = CaseChildFilter
    update_kwarg = "lesion"
    create_service = staticmethod(services.lesion_add)
    update_service = staticmethod(services.lesion_update)


class PriorRadiotherapyViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    selector = staticmethod(selectors.prior_radiotherapy_for_user)
    serializer_class = s.PriorRadiotherapySerializer
    write_permission = Perm.EDIT_CLINICAL_DATA
    filterset_class = CaseChildFilter
    update_kwarg = "course"
    create_service = staticmethod(services.prior_radiotherapy_add)
    update_service = staticmethod(services.prior_radiotherapy_update)


class PresentationViewSet(ScopedReadViewSet):
    """The presentations of the user's boards' cases (filter ``case``): what the board
    discusses, first referral or re-presentation with what changed.
    """

    selector = staticmethod(selectors.presentations_for_user)
    serializer_class = s.PresentationSerializer
    filterset_class = CaseChildFilter


class AssessmentFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_scoped(Case, "board_id__in"))
    specialty = django_filters.ModelChoiceFilter(
        queryset=Specialty.objects.all(), to_field_name="code", label="Specialty code"
    )
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    presentation = django_filters.ModelChoiceFilter(
        queryset=_scoped(Presentation, "case__board_id__in")
    )
    presentation_round = django_filters.NumberFilter(field_name="presentation__number", min_value=1)


class AssessmentViewSet(
    ServiceWriteMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet
):
    """Specialty assessments. Board members read all; a specialist writes only their own
    specialty's, for the case's current presentation round.
    """

    selector = staticmethod(selectors.assessments_for_user)
    serializer_class = s.AssessmentSerializer
    write_permission = Perm.AUTHOR_ASSESSMENT
    filterset_class = AssessmentFilter
    update_kwarg = "assessment"
    create_service = staticmethod(services.assessment_create)
    update_service = staticmethod(services.assessment_update)

    def permission_target(self, data: dict[str, Any]) -> Any:
        # The unsaved assessment: the rule "own specialty only" is judged on it.
        return SpecialtyAssessment(case=data["case"], specialty=data["specialty"])

    def _status_change(self, request: Request, name: str) -> Response:
        assessment = self.get_object()
        services.assessment_change_status(
            by=acting_user(request),
            assessment=assessment,
            transition=name,
            expected_version=if_match_version(request),
        )
        return self._respond(assessment)

    @extend_schema(request=None, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the draft: the specialty's required fields and an opinion must be present."""
        return self._status_change(request, "submit")

    @extend_schema(request=None, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen a submitted assessment for editing (recorded in its history)."""
        return self._status_change(request, "reopen")

    action_permissions = {"submit": Perm.AUTHOR_ASSESSMENT, "reopen": Perm.AUTHOR_ASSESSMENT}


class ScoreRecordFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_scoped(Case, "board_id__in"))
    lesion = django_filters.ModelChoiceFilter(queryset=_scoped(SpinalLesion, "case__board_id__in"))
    calculator = django_filters.ChoiceFilter(choices=[(name, name) for name in CALCULATORS])
    current = _true_false("true: current scores only; false: the history")

    def filter_true_false(self, queryset: QuerySet[Any], name: str, value: str) -> Any:
        return queryset.filter(is_current=value == "true")


class ScoreRecordViewSet(ScopedReadViewSet):
    """Stored scores with their inputs and breakdown; ``?current=false`` gives the history."""

    selector = staticmethod(selectors.score_records_for_user)
    serializer_class = s.ScoreRecordSerializer
    filterset_class = ScoreRecordFilter
    ordering_fields = ["computed_at"]
