"""The SAE report PDF: blind code only, never the arm, whoever prints it (safety.sae_pdf)."""
from django.http import HttpResponse
from django.utils import timezone

from edc import roles
from edc.access import allow
from edc.clinical.dates import age_in_years
from safety.sae_pdf import CRITERIA, SaeReportData, sae_report_pdf
from safety.selectors import get_case_for

FMT = "%Y-%m-%d %H:%M"


@allow(roles.SITE_STAFF)
def sae_report(request, sae_pk):
    case = get_case_for(request.user, sae_pk)
    ae, p = case.adverse_event, case.participant
    randomization = getattr(p, "randomization", None)
    fields = list(ae.SERIOUSNESS_FIELDS)
    data = SaeReportData(
        participant_code=p.participant_code or p.label, blind_code=getattr(randomization, "blind_code", "—"),
        site_name=p.site.name, sex=p.get_sex_display(), age=str(age_in_years(p.date_of_birth, ae.onset_date)),
        term=ae.term, soc=ae.soc, grade=str(ae.grade), onset=ae.onset_date.isoformat(),
        end=ae.end_date.isoformat() if ae.end_date else "",
        seriousness=[CRITERIA[fields.index(name)] for name in ae.seriousness],
        outcome=ae.get_outcome_display(), causality=ae.get_causality_display(),
        expected="yes" if ae.expected else "no", action=ae.get_action_display(),
        aware_at=timezone.localtime(case.aware_at).strftime(FMT), narrative=case.narrative,
        month0=randomization.month0_date.isoformat() if randomization else "—",
        reporter=ae.reported_by.printed_name,
        reports=[(f"{r.get_kind_display()} #{r.number}", timezone.localtime(r.reported_at).strftime(FMT), r.content)
                 for r in case.reports.all()],
        printed_at=timezone.localtime().strftime(FMT), printed_by=request.user.printed_name)
    response = HttpResponse(sae_report_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sae-{p.participant_code}.pdf"'
    return response
