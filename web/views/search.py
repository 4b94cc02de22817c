"""Patient search: the user's boards' patients by name or MRN.

The query is sent by POST only (the header's form and this page's), so an MRN or a name never
reaches a URL, a browser history or an access log; a ``?q=`` on the GET is ignored. Every
search is audited like the API's MRN look-up (action ``lookup``): one row per patient shown,
or one row without a patient when nothing matched. What was typed is never stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from cases.audit import audit_lookup
from cases.models import Patient

from ..selectors import SEARCH_MIN_LENGTH, patients_matching

#: The most patients one search shows; one more is read to say that there were more.
SEARCH_LIMIT = 50


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or MRN",
        max_length=100,
        min_length=SEARCH_MIN_LENGTH,
        help_text='Family or given name, "Family, Given", or the exact MRN.',
        error_messages={
            "required": "Type a name or an MRN to search.",
            "min_length": f"Type at least {SEARCH_MIN_LENGTH} characters of a name, or the "
            "whole MRN.",
            "max_length": "That is longer than any name or MRN; type less.",
        },
    )


class PatientSearchView(LoginRequiredMixin, View):
    template_name = "web/search.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        # Deliberately unbound: a query string is never read, so a link cannot carry one.
        return self._render(request, PatientSearchForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PatientSearchForm(request.POST)
        if not form.is_valid():
            # Too short or empty: said in place, and no patient is read or audited.
            return self._render(request, form)
        rows = list(patients_matching(request.user, form.cleaned_data["q"])[: SEARCH_LIMIT + 1])
        patients, more = rows[:SEARCH_LIMIT], len(rows) > SEARCH_LIMIT
        _audit_search(request.user, patients)
        return self._render(request, form, patients=patients, more=more, searched=True)

    def _render(self, request: HttpRequest, form: PatientSearchForm, **extra: Any) -> HttpResponse:
        context = {"form": form, "limit": SEARCH_LIMIT, "searched": False, **extra}
        return render(request, self.template_name, context)


def _audit_search(user: Any, patients: list[Patient]) -> None:
    """One ``lookup`` row per patient shown (one INSERT), or one without a patient."""
    audit_lookup(user=user, found=patients, what="Patient search (name or MRN)")
