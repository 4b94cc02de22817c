from django.urls import path
from rest_framework.routers import SimpleRouter

from . import decisions, documents, fasttrack, pathways, views

# SimpleRouter: cases.api's DefaultRouter already serves the API root at /api/v1/.
router = SimpleRouter()
router.register("meeting-series", views.MeetingSeriesViewSet, basename="meetingseries")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agendaitem")
router.register("fast-tracks", fasttrack.FastTrackViewSet, basename="fasttrack")
router.register("standard-pathways", pathways.StandardPathwayViewSet, basename="standardpathway")
router.register("decisions", decisions.DecisionViewSet, basename="decision")

urlpatterns = [
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar/feed/revoke/",
        views.CalendarFeedRevokeView.as_view(),
        name="calendar-feed-revoke",
    ),
    path("calendar/<str:token>.ics", views.CalendarFeedIcsView.as_view(), name="calendar-ics"),
    path(
        "meetings/<int:pk>/readiness/",
        pathways.MeetingReadinessView.as_view(),
        name="meeting-readiness",
    ),
    path(
        "meetings/<int:pk>/attendance/",
        decisions.MeetingAttendanceView.as_view(),
        name="meeting-attendance",
    ),
    path(
        "decisions/<int:pk>/letter/",
        documents.DecisionLetterView.as_view(),
        name="decision-letter",
    ),
    path(
        "decisions/<int:pk>/patient-summary/",
        documents.DecisionPatientSummaryView.as_view(),
        name="decision-patient-summary",
    ),
    path("meetings/<int:pk>/packet/", documents.MeetingPacketView.as_view(), name="meeting-packet"),
    *router.urls,
]
