"""URLs of the crf module."""
from django.urls import path

from crf.views import audit, entry, pdfs, printing, queries, review, visits, worklist

urlpatterns = [
    path("worklist/", worklist.worklist, name="worklist"),
    path("worklist/print/", worklist.worklist_print, name="worklist_print"),
    path("worklist.csv", worklist.worklist_csv, name="worklist_csv"),
    path("calendar/", worklist.visit_calendar, name="visit_calendar"),
    path("participants/<uuid:pk>/schedule/", worklist.schedule_grid, name="schedule_grid"),
    path("visits/<uuid:visit_pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_pk>/crf/<slug:key>/", entry.visit_crf, name="visit_crf"),
    path("visits/<uuid:visit_pk>/crf/<slug:key>/print/", printing.crf_print, name="crf_print"),
    path("participants/<uuid:pk>/log/<slug:key>/", entry.log_crf, name="log_crf"),
    path("participants/<uuid:pk>/log/<slug:key>/<uuid:row_pk>/", entry.log_crf, name="log_crf_edit"),
    path("crf/<slug:key>/<uuid:object_pk>/verify/", review.verify, name="crf_verify"),
    path("crf/<slug:key>/<uuid:object_pk>/sign/", review.sign_form, name="crf_sign"),
    path("crf/<slug:key>/<uuid:object_pk>/lock/", review.lock_form, name="crf_lock"),
    path("crf/<slug:key>/<uuid:object_pk>/query/", queries.raise_query, name="crf_raise_query"),
    path("crf/<slug:key>/<uuid:object_pk>/audit/", audit.crf_audit, name="crf_audit"),
    path("participants/<uuid:pk>/audit.csv", audit.participant_audit_csv, name="participant_audit_csv"),
    path("participants/<uuid:pk>/sign/", review.sign_visit_or_casebook, name="sign_casebook"),
    path("participants/<uuid:pk>/visits/<uuid:visit_pk>/sign/", review.sign_visit_or_casebook, name="sign_visit"),
    path("participants/<uuid:pk>/lock/", review.lock_casebook, name="lock_casebook"),
    path("database-lock/", review.database_lock, name="database_lock"),
    path("queries/", queries.query_list, name="query_list"),
    path("queries/<uuid:query_pk>/", queries.query_detail, name="query_detail"),
    path("crf-book.pdf", pdfs.crf_book, name="crf_book"),
    path("participants/<uuid:pk>/casebook.pdf", pdfs.casebook, name="casebook_pdf"),
]
