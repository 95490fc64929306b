from django.urls import path

from labs import views

app_name = "labs"
urlpatterns = [
    path("labs/batches/", views.batches, name="batches"),
    path("labs/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("labs/mappings/", views.mappings, name="mappings"),
    path("labs/participants/<uuid:pk>/hospital-number/", views.hospital_number, name="hospital_number"),
    path("api/labs/fhir/", views.fhir_endpoint, name="fhir_endpoint"),
]
