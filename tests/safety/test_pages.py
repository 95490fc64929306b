"""Safety pages: the AE form, the SAE case with its obligations, the PI dashboard, the SAE PDF."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from edc import roles
from safety.models import AdverseEvent, SaeCase
from safety.services.obligations import sweep
from safety.services.prompts import discontinuation_prompt
from tests import factories
from tests.safety.helpers import SHANGHAI, ae_values, report_sae

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site, clinician):
    factories.strata_and_list()
    return factories.randomized_participant(site, clinician)


def form_data(**overrides):
    data = {k: v for k, v in ae_values().items() if v not in (None, False)}
    data.update({"onset_date": timezone.localdate().isoformat(), "expected": "False"})
    data.update(overrides)
    return data


def test_a_clinician_reports_an_sae_through_the_form(participant, clinician, client_for):
    aware = timezone.localtime(timezone.now() - timedelta(minutes=30), SHANGHAI)
    r = client_for(clinician).post(reverse("ae_new", args=[participant.pk]), form_data(
        hospitalisation="on", aware_at=aware.strftime("%Y-%m-%dT%H:%M"), narrative="Pneumonia, admitted"))
    case = SaeCase.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("sae_detail", args=[case.pk])
    assert case.obligations.count() == 4


def test_an_sae_without_awareness_is_refused_on_the_form(participant, clinician, client_for):
    r = client_for(clinician).post(reverse("ae_new", args=[participant.pk]), form_data(hospitalisation="on"))
    assert r.status_code == 200 and b"became aware" in r.content
    assert AdverseEvent.objects.count() == 0


def test_the_pi_dashboard_shows_countdowns_overdue_in_red_and_the_alerts(site, participant, clinician, client_for):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    aware = timezone.now() - timedelta(hours=30)  # the 24-hour obligations are overdue
    report_sae(participant, clinician, aware)
    sweep()
    r = client_for(pi).get(reverse("safety_dashboard"))
    body = r.content.decode()
    assert 'class="overdue"' in body and "data-due=" in body
    assert "[EDC SAE]" in body  # the alerts in the PI's inbox panel
    assert r.context["cases"][0].overdue


def test_recording_each_report_closes_its_obligation(participant, clinician, client_for):
    aware = timezone.now() - timedelta(hours=2)
    case = report_sae(participant, clinician, aware).sae
    c = client_for(clinician)
    met = timezone.localtime(timezone.now() - timedelta(hours=1), SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    for ob in case.obligations.all():
        c.post(reverse("obligation_meet", args=[ob.pk]), {"met_at": met, "how": "e-mail", "reference": "R1"})
    assert not case.obligations.filter(met_at__isnull=True).exists()
    assert c.get(reverse("safety_dashboard")).context["cases"] == []


def test_meeting_with_a_future_time_is_refused(participant, clinician, client_for):
    case = report_sae(participant, clinician, timezone.now() - timedelta(hours=2)).sae
    ob = case.obligations.first()
    future = timezone.localtime(timezone.now() + timedelta(hours=3), SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    r = client_for(clinician).post(reverse("obligation_meet", args=[ob.pk]),
                                   {"met_at": future, "how": "e-mail"}, follow=True)
    assert b"cannot be in the future" in r.content
    ob.refresh_from_db()
    assert ob.met_at is None


def pdf_text(response) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_the_sae_pdf_has_chinese_text_and_no_arm_for_a_blinded_reader(participant, clinician, client_for):
    case = report_sae(participant, clinician, timezone.now() - timedelta(hours=1)).sae
    text = pdf_text(client_for(clinician).get(reverse("sae_report_pdf", args=[case.pk])))
    assert participant.participant_code in text and participant.randomization.blind_code in text
    assert "严重不良事件" in text and "matching saline, blinded" in text
    for arm in ("uc-MSC arm", "Placebo arm", "安慰剂组", "脐带间充质干细胞组"):
        assert arm not in text


def test_the_sae_pdf_never_names_the_arm_even_for_the_investigator_who_unblinded(participant, clinician,
                                                                                  client_for):
    """The report goes to sponsor, CRO and ethics: it stays blinded whoever prints it; the arm is in the
    separate unblinding record only."""
    case = report_sae(participant, clinician, timezone.now() - timedelta(hours=1)).sae
    pi = factories.unblinded(participant)
    c = client_for(pi)
    text = pdf_text(c.get(reverse("sae_report_pdf", args=[case.pk])))
    assert "matching saline, blinded" in text
    for arm in ("uc-MSC arm", "Placebo arm", "安慰剂组", "脐带间充质干细胞组"):
        assert arm not in text
    record = pdf_text(c.get(reverse("unblinding_record", args=[participant.pk])))
    assert str(participant.randomization.row.get_arm_display()) in record


@pytest.mark.parametrize("values, expected", [
    ({"term": "Anaphylaxis", "soc": "Immune system disorders", "life_threatening": True}, "allergic"),
    ({"term": "Lung infection", "grade": 3}, "severe infection"),
    ({"term": "Pregnancy", "soc": "Pregnancy, puerperium and perinatal conditions", "grade": 1}, "pregnancy"),
    ({"term": "Headache", "soc": "Nervous system disorders", "grade": 1}, None),
    ({"term": "Lung infection", "grade": 2}, None),
])
def test_discontinuation_is_proposed_for_2_5_3_events(participant, values, expected):
    ae = AdverseEvent(participant=participant, **ae_values(**values))
    prompt = discontinuation_prompt(ae)
    assert (prompt is None) if expected is None else (expected in prompt)


def test_follow_up_reports_are_numbered_and_audited(participant, clinician):
    from safety.services.adverse_events import add_follow_up
    case = report_sae(participant, clinician, timezone.now() - timedelta(hours=1)).sae
    add_follow_up(case, user=clinician, content="Discharged day 5")
    assert [r.number for r in case.reports.all()] == [1, 2]
    assert case.reports.get(number=2).history.get().history_user == clinician
