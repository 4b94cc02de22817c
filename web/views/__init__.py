"""Server-rendered pages, one module per area. Same selectors and permission module as the API;
reads of patient data are audited."""

from .cases import CaseDetailView, CaseListView, CaseTransitionView
from .home import HomeView
from .notifications import (
    NotificationListView,
    NotificationReadView,
    NotificationsReadAllView,
)
from .search import PatientSearchView

__all__ = [
    "CaseDetailView",
    "CaseListView",
    "CaseTransitionView",
    "HomeView",
    "NotificationListView",
    "NotificationReadView",
    "NotificationsReadAllView",
    "PatientSearchView",
]
