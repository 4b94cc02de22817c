from rest_framework.routers import SimpleRouter

from . import views

# SimpleRouter: cases.api's DefaultRouter already serves the API root at /api/v1/.
router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
