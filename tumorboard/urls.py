from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose; reveals nothing."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("web.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    path("api/v1/", include("scoring.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("meetings.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health, name="health"),
]
