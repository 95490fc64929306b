"""URLs of central monitoring."""
from django.urls import path

from . import views

urlpatterns = [
    path("monitoring/", views.dashboard, name="monitoring_dashboard"),
    path("monitoring/indicators/<slug:code>/", views.indicator_detail, name="monitoring_indicator"),
    path("monitoring/plan/", views.plan_page, name="monitoring_plan"),
    path("monitoring/worklist/", views.worklist, name="monitoring_worklist"),
    path("monitoring/participants/<uuid:pk>/verify/", views.verify, name="monitoring_verify_record"),
]
