from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

# SimpleRouter: cases.api's DefaultRouter already serves the API root at /api/v1/.
router = SimpleRouter()
router.register("meeting-series", views.MeetingSeriesViewSet, basename="meetingseries")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agendaitem")

urlpatterns = [
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar/feed/revoke/",
        views.CalendarFeedRevokeView.as_view(),
        name="calendar-feed-revoke",
    ),
    path("calendar/<str:token>.ics", views.CalendarFeedIcsView.as_view(), name="calendar-ics"),
    *router.urls,
]
