"""URLs of the safety module."""
from django.urls import path

from safety.views import pages, pdf

urlpatterns = [
    path("safety/", pages.dashboard, name="safety_dashboard"),
    path("participants/<uuid:pk>/ae/new/", pages.ae_new, name="ae_new"),
    path("ae/<uuid:ae_pk>/", pages.ae_detail, name="ae_detail"),
    path("sae/<uuid:sae_pk>/", pages.sae_detail, name="sae_detail"),
    path("sae/<uuid:sae_pk>/report.pdf", pdf.sae_report, name="sae_report_pdf"),
    path("obligations/<int:obligation_pk>/meet/", pages.obligation_meet, name="obligation_meet"),
]
