from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("specialties", views.SpecialtyViewSet, basename="specialty")
router.register("boards", views.BoardViewSet, basename="board")
router.register("patients", views.PatientViewSet, basename="patient")
router.register("cases", views.CaseViewSet, basename="case")
router.register("clinical-statuses", views.ClinicalStatusViewSet, basename="clinicalstatus")
router.register("lesions", views.SpinalLesionViewSet, basename="lesion")
router.register("prior-radiotherapy", views.PriorRadiotherapyViewSet, basename="priorradiotherapy")
router.register("presentations", views.PresentationViewSet, basename="presentation")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("scores", views.ScoreRecordViewSet, basename="score")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
