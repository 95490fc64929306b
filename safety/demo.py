"""Demo part of the safety module: the default SAE obligation policy, and in the living demo trial
(crf/demo.py, docs/DAILY_USE.md "The demo trial") an open SAE whose clocks run and a closed, fatal
one with every report made."""
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from safety.services.obligations import ensure_policies


def load_demo(stdout) -> None:
    ensure_policies()
    from edc.models import Participant, User
    from safety.models import AdverseEvent

    demo = {p.screening_number: p for p in Participant.objects.filter(
        site__code="plagh", screening_number__in=["DEMO-07", "DEMO-10"]).select_related("site")}
    clinician = User.objects.filter(username="clinician").first()
    pi = User.objects.filter(username="pi").first()
    if len(demo) < 2 or clinician is None or pi is None or AdverseEvent.objects.filter(
            participant__in=demo.values()).exists():
        return
    from edc.demo import at
    from safety.services.adverse_events import record_ae
    from safety.services.obligations import meet_obligation

    now = timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    # Open: pneumonia, admitted; the site heard 5 hours ago, so the 24-hour reports are still due.
    aware = now - timedelta(hours=5)
    with at(aware + timedelta(minutes=20)):
        record_ae(demo["DEMO-07"], user=clinician, aware_at=aware, term="Lung infection",
                  soc="Infections and infestations",
                  onset_date=today - timedelta(days=1), grade=3, hospitalisation=True, causality="possible",
                  expected=True, action="none", outcome="not_recovered",
                  description="Fever 38.9 °C, productive cough, right lower lobe consolidation.",
                  narrative="Admitted to the respiratory ward with community-acquired pneumonia; IV antibiotics.")
    # Closed: the death (crf/demo.py, DEMO-10), every report made within its deadline.
    p = demo["DEMO-10"]
    died = apps.get_model("crf", "Death").objects.filter(participant=p).first()  # the demo's death report
    if died is None:
        return
    aware = timezone.make_aware(timezone.datetime.combine(died.date + timedelta(days=1),
                                                          timezone.datetime.min.time()).replace(hour=9))
    with at(aware + timedelta(minutes=30)):
        ae = record_ae(p, user=clinician, aware_at=aware, term="Cardiac arrest", soc="Cardiac disorders",
                       onset_date=died.date, end_date=died.date, grade=5, death=True, causality="possibly_unrelated",
                       expected=False, action="not_applicable", outcome="fatal",
                       description="Found unresponsive at home by family; resuscitation unsuccessful.",
                       narrative="Sudden cardiac arrest at home; long-standing hypertensive heart disease.")
    for n, ob in enumerate(ae.sae.obligations.order_by("due_at")):
        met = aware + timedelta(hours=3 + n)
        with at(met + timedelta(minutes=5)):
            meet_obligation(ob, user=pi, met_at=met, how="E-mail with the SAE report form",
                            reference=f"SAE-DEMO-10-{n + 1}")
