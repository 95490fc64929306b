"""URLs of the exports module."""
from django.urls import path

from exports.views import pages, report

urlpatterns = [
    path("exports/", pages.export_home, name="export_home"),
    path("exports/new/", pages.export_new, name="export_new"),
    path("exports/<uuid:run_pk>/", pages.export_detail, name="export_detail"),
    path("exports/<uuid:run_pk>/progress.json", pages.export_progress, name="export_progress"),
    path("exports/<uuid:run_pk>/download/", pages.export_download, name="export_download"),
    path("exports/release/", pages.release_arm, name="export_release"),
    path("exports/token/", pages.api_token, name="api_token"),
    path("api/datasets/<slug:name>.csv", pages.api_dataset, name="api_dataset"),
    path("exports/report/", report.analysis_report, name="analysis_report"),
    path("exports/report.pdf", report.analysis_report_pdf_view, name="analysis_report_pdf"),
]
