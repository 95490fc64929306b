"""The PI's safety view (protocol 3.3; docs/SAFETY_ALERTS.md): one alert per SAE and stage to each
person listing its obligations, in the recipient's language; the two recipient rules pinned equal;
the PI's home card; the delivery log on the SAE page; the pure deadline rules."""
from datetime import date, datetime, timedelta
from html import escape

import pytest
import time_machine
from django.urls import reverse

from edc import roles
from edc.models import Delivery, DeliveryAttempt, ExternalContact, Notification, User
from edc.services import notifications
from safety import deadlines
from safety.models import SaeObligation
from safety.services.alerts import people, recipient_key, recipient_keys, recipients_for, sweep
from tests import factories
from tests.safety.helpers import SHANGHAI, report_sae
from tests.safety.test_alerts import AWARE, setup_world

pytestmark = pytest.mark.django_db


def test_recipients_for_and_recipient_keys_agree_for_every_policy_and_stage(site, clinician):
    setup_world(site, clinician)
    factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)  # two PIs
    everyone = people()
    seen = set()
    for ob in SaeObligation.objects.select_related("policy", "case__participant", "case__adverse_event__reported_by"):
        for stage in ("created", "reminder", "due", "overdue-3"):
            objects = [recipient_key(r) for r in recipients_for(ob, stage, everyone)]
            ids = recipient_keys(ob.case.participant.site_id, ob.case.adverse_event.reported_by_id,
                                 ob.policy.recipient, stage, everyone)
            assert objects == ids
            seen.add(len(ids))
    assert seen == {3, 4, 5}  # 2 PIs + reporter; + ethics; + sponsor and CRO


def test_each_person_gets_one_alert_per_stage_in_their_language(site, clinician):
    pi, case = setup_world(site, clinician)
    User.objects.filter(pk=pi.pk).update(language="zh-hans")
    ExternalContact.objects.filter(organisation="sponsor").update(language="en")
    ExternalContact.objects.filter(organisation="ethics").update(language="zh-hans")
    sweep(AWARE + timedelta(minutes=11))
    to_pi = Notification.objects.get(recipient_user=pi)
    assert to_pi.subject.startswith("[EDC SAE] 新 SAE：") and "4 项报告义务" in to_pi.subject
    assert "24 小时内报告主要研究者" in to_pi.body and "15 天内向伦理委员会提交完整报告" in to_pi.body
    assert "盲码" in to_pi.body and "arm" not in to_pi.body.lower()
    sponsor = Notification.objects.get(recipient_email="sponsor@example.org")
    assert sponsor.subject.startswith("[EDC SAE] New SAE:") and "Report to the sponsor within 24 h" in sponsor.subject
    ethics = Notification.objects.get(recipient_email="ec@example.org")
    assert "2 项报告义务" in ethics.subject
    # the reminder 18 h later: one per person for the three 24-hour obligations, overdue counts days
    sweep(AWARE + timedelta(hours=18))
    reminder = Notification.objects.get(recipient_user=pi, dedupe_key__contains=":reminder@")
    assert reminder.subject.startswith("[EDC SAE] 提醒：") and reminder.obligation_alerts.count() == 3
    sweep(AWARE + timedelta(hours=72))
    overdue = Notification.objects.get(recipient_user=clinician, dedupe_key__contains=":overdue-2@")
    assert "OVERDUE (2 days)" in overdue.subject and "3 obligations" in overdue.subject


def test_switching_language_is_remembered_for_notices(clinician, client_for):
    c = client_for(clinician)
    c.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    clinician.refresh_from_db()
    assert clinician.language == "zh-hans"
    c.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not a language: nothing stored
    clinician.refresh_from_db()
    assert clinician.language == "zh-hans"
    # kept in the account's history like every account change: one row for the change, none for a repeat
    c.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    rows = clinician.history.filter(history_change_reason="language preference")
    assert [(r.language, r.history_user_id) for r in rows] == [("zh-hans", clinician.pk)]


def test_the_pi_home_shows_open_saes_and_what_is_overdue(site, clinician, client_for):
    factories.strata_and_list()
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    with time_machine.travel(datetime(2025, 1, 10, 9, tzinfo=SHANGHAI), tick=False):
        p1, p2 = (factories.randomized_participant(site, clinician) for _ in range(2))
    now = datetime(2025, 3, 5, 9, tzinfo=SHANGHAI)
    with time_machine.travel(now - timedelta(hours=30), tick=False):
        report_sae(p1, clinician, now - timedelta(hours=30))  # 24-hour obligations overdue
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        report_sae(p2, clinician, now - timedelta(hours=2))
    SaeObligation.objects.filter(case__participant=p1, policy__code="pi_24h").update(met_at=now - timedelta(hours=20))
    with time_machine.travel(now, tick=False):
        page = client_for(pi).get(reverse("home")).content.decode()
        clinician_page = client_for(clinician).get(reverse("home")).content.decode()
    assert 'id="pi-safety"' in page and 'id="pi-safety"' not in clinician_page
    card = page.split('id="pi-safety"')[1]
    assert "2 reporting obligations overdue" in card  # sponsor and ethics 24 h of p1; the PI's own was met
    overdue = card.split('id="overdue-obligations"')[1].split("</ul>")[0]
    assert p1.participant_code in overdue and p2.participant_code not in overdue
    rows = card.split('id="pi-open-saes"')[1]
    assert rows.index(p1.participant_code) < rows.index(p2.participant_code)  # nearest deadline first


def test_the_sae_page_shows_each_alert_and_every_attempt(site, clinician, client_for, settings):
    pi, case = setup_world(site, clinician)
    sweep(AWARE + timedelta(minutes=11))
    d = Delivery.objects.get(channel="email", notification__recipient_user=pi)
    # a worker died mid-send: the attempt was recorded, its outcome never was; reclaimed later
    assert notifications.claim(d.pk) is not None
    Delivery.objects.filter(pk=d.pk).update(claimed_at=AWARE)
    assert notifications.send_email_delivery(d.pk) == "sent"
    d.refresh_from_db()
    assert d.possible_repeat
    assert list(d.attempt_log.values_list("succeeded", "possible_repeat")) == [(False, False), (True, True)]
    page = client_for(pi).get(reverse("sae_detail", args=[case.pk])).content.decode()
    log = page.split('id="alert-log"')[1]
    assert "possible repeat" in log and "worker lost before the outcome was recorded" in log
    assert escape(d.message_id) in log and log.count('class="attempt"') == 2  # the others not sent yet
    assert DeliveryAttempt.objects.filter(delivery=d).count() == 2


def test_the_message_id_is_stable_and_the_claim_outlives_a_live_send(settings):
    settings.EMAIL_TIMEOUT, settings.EDC_MAIL_CLAIM_MARGIN_SECONDS = 30, 60
    assert notifications.message_id("sae:1:created:user:2") == notifications.message_id("sae:1:created:user:2")
    assert notifications.message_id("sae:1:created:user:2") != notifications.message_id("sae:1:created:user:3")
    assert notifications.send_budget() == timedelta(seconds=300)
    assert notifications.claim_timeout() == timedelta(seconds=360) > notifications.send_budget()
    settings.EDC_MAIL_RETRY_BASE_SECONDS, settings.EDC_MAIL_RETRY_CAP_SECONDS = 60, 1200
    assert [notifications.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 5, 6, 40)] == [1, 2, 4, 16, 20, 20]


def test_pure_deadline_rules():
    aware = datetime(2025, 1, 31, 23, 50, tzinfo=SHANGHAI)
    due, remind = deadlines.obligation_times(aware, 24, 6)
    assert (due, remind) == (aware + timedelta(hours=24), aware + timedelta(hours=18))
    assert deadlines.stages_until(remind, due, due + timedelta(days=3, hours=1)) == [
        "created", "reminder", "due", "overdue-1", "overdue-2", "overdue-3"]
    assert deadlines.stage_group("created", due) == "created"
    assert deadlines.stage_group("due", due) == deadlines.stage_group("due", due) != deadlines.stage_group(
        "due", due + timedelta(days=14))
    m0 = date(2025, 1, 10)
    assert deadlines.in_collection_window(date(2025, 7, 10), m0, 2, False)
    assert not deadlines.in_collection_window(date(2025, 7, 11), m0, 2, False)
    assert deadlines.in_collection_window(date(2027, 1, 1), m0, 5, True)  # death: always
    assert deadlines.in_collection_window(date(2027, 1, 1), None, 3, True)
    assert not deadlines.in_collection_window(date(2025, 2, 1), None, 3, False)
