from django.urls import path

from labs import views

urlpatterns = [
    path("labs/batches/", views.batches, name="lab_batches"),
    path("labs/batches/<int:pk>/", views.batch_detail, name="lab_batch"),
    path("labs/batches/<int:pk>/place/", views.place_results, name="lab_place"),
    path("labs/mappings/", views.mappings, name="lab_mappings"),
    path("labs/participants/<uuid:pk>/hospital-number/", views.hospital_number, name="lab_hospital_number"),
    path("api/labs/fhir/", views.fhir_endpoint, name="lab_fhir_endpoint"),
]
