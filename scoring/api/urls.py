from django.urls import path

from . import views

urlpatterns = [
    path("calculators/", views.CalculatorListView.as_view(), name="calculator-list"),
    path("calculators/<slug:calculator>/", views.CalculatorDetailView.as_view(), name="calculator"),
]
