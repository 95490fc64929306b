"""URLs of the crf module."""
from django.urls import path

from crf.views import entry, visits, worklist

urlpatterns = [
    path("worklist/", worklist.worklist, name="worklist"),
    path("calendar/", worklist.visit_calendar, name="visit_calendar"),
    path("participants/<uuid:pk>/schedule/", worklist.schedule_grid, name="schedule_grid"),
    path("visits/<uuid:visit_pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_pk>/crf/<slug:key>/", entry.visit_crf, name="visit_crf"),
    path("participants/<uuid:pk>/log/<slug:key>/", entry.log_crf, name="log_crf"),
    path("participants/<uuid:pk>/log/<slug:key>/<uuid:row_pk>/", entry.log_crf, name="log_crf_edit"),
]
