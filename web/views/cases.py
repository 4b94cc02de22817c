"""Server-rendered pages. Same selectors and permission module as the API; reads audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from cases import selectors, services
from cases.audit import audit_reads
from cases.exceptions import StaleVersion
from cases.models import AuditAction, Case, CaseStatus
from cases.selectors.records import visible_assessments


class CaseListView(LoginRequiredMixin, ListView):
    """Home: the cases of the user's boards, most urgent first (emergency, urgent, routine),
    then newest first (the selector's order)."""

    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Case]:
        cases = selectors.cases_for_user(self.request.user)
        status = self.request.GET.get("status")
        if status in CaseStatus.values:
            cases = cases.filter(status=status)
        return cases

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["cases"])
        audit_reads(user=self.request.user, action=AuditAction.LIST, objects=rows)
        context["rows"] = [(case, selectors.missing_specialties(case)) for case in rows]
        context["boards"] = selectors.boards_for_user(self.request.user)
        context["statuses"] = CaseStatus.choices
        context["current_status"] = self.request.GET.get("status", "")
        return context


class CaseDetailView(LoginRequiredMixin, DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.cases_for_user(self.request.user).prefetch_related(
            "lesions",
            "clinical_statuses",
            "prior_radiotherapy",
            # Under independent opinions a specialist sees only what the row rule shows.
            Prefetch(
                "assessments",
                queryset=visible_assessments(self.request.user).select_related(
                    "specialty", "presentation", "author"
                ),
            ),
            "status_changes__changed_by",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.object
        audit_reads(user=self.request.user, action=AuditAction.VIEW, objects=[case])
        context["missing"] = selectors.missing_specialties(case)
        statuses = list(case.clinical_statuses.all())
        context["current_status"] = statuses[0] if statuses else None
        context["scores"] = selectors.case_scores(case)
        context["transitions"] = selectors.allowed_transitions(self.request.user, case)
        return context


class CaseTransitionView(CaseDetailView):
    """``POST /cases/{id}/transition/``: move the case along a workflow transition the user may
    ask for (``cases.services.case_transition``: the same rights as the API). On success, back
    to the case page; refused (a reason missing, a transition not allowed now, someone else
    changed the case first), the case page again with the problem said in place and the
    reason as typed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = case = self.get_object()
        transition = request.POST.get("transition", "")
        reason = request.POST.get("reason", "")
        version = request.POST.get("version", "")
        try:
            services.case_transition(
                by=request.user,  # type: ignore[arg-type]  # LoginRequiredMixin
                case=case,
                transition=transition,
                reason=reason,
                expected_version=int(version) if version.isdigit() else None,
            )
        except (ValidationError, StaleVersion) as exc:
            if isinstance(exc, StaleVersion):
                problem = (
                    "Someone else changed this case since you opened it. Here it is as it is "
                    "now: check it and ask again."
                )
                self.object = case = self.get_object()
            else:
                problem = " ".join(exc.messages)
            context = self.get_context_data(object=case)
            context.update(transition_problem=problem, tried=transition, typed_reason=reason)
            return self.render_to_response(context, status=400)
        return redirect("pages:case-detail", pk=case.pk)
