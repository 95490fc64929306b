"""The analysis report page (issue 7 §5): pooled before unblinding, by arm after."""
import base64

from django.shortcuts import render

from edc import roles
from edc.access import allow
from exports.report_data import gather
from exports.survival import kaplan_meier, km_figure_png, logrank

READERS = {roles.STATISTICIAN, roles.DATA_MANAGER, roles.PRINCIPAL_INVESTIGATOR}
LABELS = {"msc": "uc-MSC", "placebo": "placebo", "pooled": "all participants (pooled, blinded)"}


@allow(READERS)
def analysis_report(request):
    report = gather()
    figures = []
    for name, curves in report.survival.items():
        labelled = {LABELS[g]: data for g, data in curves.items() if data[0]}
        png = km_figure_png(labelled, name, "Months from randomization") if labelled else b""
        test = logrank(*curves["msc"], *curves["placebo"]) if report.released and len(curves) == 2 else None
        median_points = {LABELS[g]: kaplan_meier(*data) for g, data in curves.items() if data[0]}
        figures.append((name, base64.b64encode(png).decode() if png else "", test, median_points))
    grades = [1, 2, 3, 4, 5]
    # Rows made here: a Counter looked up in a template answers 0 for ".items" (missing key).
    ae_rows = [(g, [report.ae_by_grade.get(g, {}).get(grade, 0) for grade in grades],
                len(report.sae_participants.get(g, ()))) for g in report.groups]
    return render(request, "exports/report.html", {
        "r": report, "labels": LABELS, "figures": figures, "ae_grades": grades, "ae_rows": ae_rows})
