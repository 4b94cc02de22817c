"""Server-rendered pages, one module per area. Same selectors and permission module as the API;
reads of patient data are audited."""

from .cases import CaseDetailView, CaseListView

__all__ = ["CaseDetailView", "CaseListView"]
