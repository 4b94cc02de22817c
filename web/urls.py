from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="home"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
]
