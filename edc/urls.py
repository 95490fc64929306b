"""URLs of the trial EDC. Each app adds its own under its prefix as the issues land."""
from django.contrib import admin
from django.urls import include, path

from edc.views import access_log, auth, enrolment_path, home, inbox, language, participants, two_factor

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("login/verify/", two_factor.verify, name="two_factor_verify"),
    path("login/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("status/", home.system_status, name="system_status"),
    path("ping/", home.ping, name="ping"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<uuid:notification_pk>/read/", inbox.inbox_read, name="inbox_read"),
    path("participants/", participants.participants, name="participant_list"),
    path("participants/<uuid:pk>/", participants.participant_detail, name="participant_detail"),
    path("participants/<uuid:pk>/audit/", participants.participant_audit, name="participant_audit"),
    path("participants/<uuid:pk>/access-log/", access_log.participant_log, name="access_log_participant"),
    path("access-log/users/<int:user_pk>/", access_log.user_log, name="access_log_user"),
    path("screening/new/", enrolment_path.screening_new, name="screening_new"),
    path("participants/<uuid:pk>/screening/", enrolment_path.screening_edit, name="screening_edit"),
    path("participants/<uuid:pk>/consent/", enrolment_path.consent_new, name="consent_new"),
    path("participants/<uuid:pk>/consent/<uuid:consent_pk>/", enrolment_path.consent_edit,
         name="consent_edit"),
    path("participants/<uuid:pk>/eligibility/", enrolment_path.eligibility_form, name="eligibility"),
    path("participants/<uuid:pk>/enrol/", enrolment_path.enrol, name="enrol"),
    path("participants/<uuid:pk>/screen-failure/", enrolment_path.screen_failure,
         name="screen_failure"),
    path("", include("randomization.urls")),
    path("", include("crf.urls")),
    path("", include("safety.urls")),
    path("", include("exports.urls")),
    path("admin/", admin.site.urls),
]

