"""The analysis report as a page and as a PDF: pooled before unblinding, by arm after."""
import base64

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edc import roles
from edc.access import allow
from exports.report_data import gather
from exports.report_figures import group_label, survival_figures
from exports.report_pdf import PrintDetails, analysis_report_pdf
from exports.services.release import current_release

READERS = {roles.STATISTICIAN, roles.DATA_MANAGER, roles.PRINCIPAL_INVESTIGATOR}
GRADES = [1, 2, 3, 4, 5]


def _words() -> dict[str, str]:
    return {"screened": pgettext("CONSORT flow", "Screened"), "excluded": _("Excluded"), "enrolled": _("Enrolled"),
            "randomized": _("Randomized"), "allocated": _("Allocated"), "infused": _("Infused"),
            "discontinued": _("Discontinued"), "fas": _("Analysed (FAS)"), "month": _("Month"),
            "median": _("median (months)"), "not_reached": _("median not reached"), "logrank": _("Log-rank"),
            "sae_participants": _("Participants with an SAE"), "no_follow_up": _("No follow-up yet.")}


def _status(report) -> str:
    if not report.released:
        return _("Blinded: pooled figures only. The arms appear after database lock and dataset unblinding.")
    release = current_release()
    return _("Unblinded: datasets released by %(who)s at %(when)s.") % {
        "who": release.authorised_by.printed_name,
        "when": timezone.localtime(release.authorised_at).strftime("%Y-%m-%d %H:%M")}


@allow(READERS)
def analysis_report(request):
    report = gather()
    labels = {g: group_label(g) for g in report.groups}
    figures = [(f, base64.b64encode(f.png).decode()) for f in survival_figures(report)]
    # Rows made here: a Counter looked up in a template answers 0 for ".items" (missing key).
    ae_rows = [(labels[g], g, [report.ae_by_grade.get(g, {}).get(grade, 0) for grade in GRADES],
                len(report.sae_participants.get(g, ()))) for g in report.groups]
    return render(request, "exports/report.html", {
        "r": report, "labels": labels, "group_labels": [labels[g] for g in report.groups], "figures": figures,
        "ae_grades": GRADES, "ae_rows": ae_rows, "status": _status(report)})


@allow(READERS)
def analysis_report_pdf_view(request):
    report = gather()
    now = timezone.localtime()
    pdf = analysis_report_pdf(
        report, survival_figures(report), {g: group_label(g) for g in report.groups}, _words(),
        PrintDetails(trial=str(settings.EDC_TRIAL_NAME), status=_status(report),
                     printed_at=now.strftime("%Y-%m-%d %H:%M"), printed_by=request.user.printed_name,
                     baseline_note=_("Mean ± SD when the one-sample Kolmogorov–Smirnov test does not reject "
                                     "normality, else median [IQR] (protocol 2.14).")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="analysis-report-{now:%Y%m%d-%H%M}.pdf"'
    return response
