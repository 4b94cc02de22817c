from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("scores", views.ScoreRecordViewSet, basename="score")

urlpatterns = [
    path("calculators/", views.CalculatorListView.as_view(), name="calculator-list"),
    path("calculators/<slug:calculator>/", views.CalculatorDetailView.as_view(), name="calculator"),
    *router.urls,
]
