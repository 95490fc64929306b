"""URLs of the randomization module."""
from django.urls import path

from randomization.views import allocation, participant, pharmacy

urlpatterns = [
    path("randomization/", allocation.overview, name="allocation_overview"),
    path("randomization/generate/", allocation.generate, name="allocation_generate"),
    path("randomization/import/", allocation.import_preview, name="allocation_import"),
    path("randomization/append/", allocation.append, name="allocation_append"),
    path("randomization/list.csv", allocation.download, name="allocation_download"),
    path("randomization/strata/<int:stratum_pk>/", allocation.stratum_edit, name="stratum_edit"),
    path("participants/<uuid:pk>/randomize/", participant.randomize, name="randomize"),
    path("participants/<uuid:pk>/unblind/", participant.unblind, name="unblind"),
    path("participants/<uuid:pk>/unblinding-request/", participant.unblinding_request,
         name="unblinding_request"),
    path("participants/<uuid:pk>/unblinding/", participant.unblinding_result, name="unblinding_result"),
    path("participants/<uuid:pk>/unblinding.pdf", participant.unblinding_record, name="unblinding_record"),
    path("pharmacy/", pharmacy.worklist, name="pharmacy_worklist"),
    path("pharmacy/<uuid:pk>/<str:infusion>/", pharmacy.prepare, name="bag_prepare"),
    path("pharmacy/<uuid:pk>/<str:infusion>/label.pdf", pharmacy.label, name="bag_label"),
]
