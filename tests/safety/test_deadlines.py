"""SAE obligations as data (docs/DECISIONS.md): PI 24 h, sponsor 24 h, ethics 24 h, ethics 15 days
from the moment the site became aware; stages computed with a frozen clock in Asia/Shanghai."""
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from safety.models import AdverseEvent, SaeCase, SaeObligation
from safety.services.obligations import stages_due
from tests import factories
from tests.safety.helpers import SHANGHAI, ae_values, report_sae

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site, clinician):
    factories.strata_and_list()
    with time_machine.travel(datetime(2025, 1, 10, 9, tzinfo=SHANGHAI), tick=False):
        return factories.randomized_participant(site, clinician)


def dues(case) -> dict:
    return {o.policy.code: o.due_at.astimezone(SHANGHAI) for o in case.obligations.select_related("policy")}


def test_deadlines_from_awareness_late_at_night_across_a_month_end(participant, clinician):
    aware = datetime(2025, 1, 31, 23, 50, tzinfo=SHANGHAI)  # 15:50 UTC
    with time_machine.travel(aware + timedelta(minutes=5), tick=False):
        ae = report_sae(participant, clinician, aware)
    d = dues(ae.sae)
    assert d["pi_24h"] == datetime(2025, 2, 1, 23, 50, tzinfo=SHANGHAI)
    assert d["sponsor_24h"] == d["ethics_24h"] == d["pi_24h"]
    assert d["ethics_15d"] == datetime(2025, 2, 15, 23, 50, tzinfo=SHANGHAI)
    assert ae.sae.aware_at == aware  # stored in UTC, same instant


def test_leap_february_to_march(participant, clinician):
    aware = datetime(2028, 2, 28, 22, 0, tzinfo=SHANGHAI)
    with time_machine.travel(aware + timedelta(hours=1), tick=False):
        p = participant
        ae = report_sae(p, clinician, aware)
    d = dues(ae.sae)
    assert d["pi_24h"] == datetime(2028, 2, 29, 22, 0, tzinfo=SHANGHAI)
    assert d["ethics_15d"] == datetime(2028, 3, 14, 22, 0, tzinfo=SHANGHAI)


def test_stages_reminder_due_and_daily_overdue(participant, clinician):
    aware = datetime(2025, 3, 1, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(aware, tick=False):
        ae = report_sae(participant, clinician, aware)
    pi = SaeObligation.objects.get(case=ae.sae, policy__code="pi_24h")
    ethics15 = SaeObligation.objects.get(case=ae.sae, policy__code="ethics_15d")
    at = lambda h: aware + timedelta(hours=h)  # noqa: E731
    assert stages_due(pi, at(1)) == ["created"]
    assert stages_due(pi, at(18)) == ["created", "reminder"]  # 6 h before
    assert stages_due(pi, at(17.99)) == ["created"]
    assert stages_due(pi, at(24)) == ["created", "reminder", "due"]
    assert stages_due(pi, at(24 + 23.9)) == ["created", "reminder", "due"]
    assert stages_due(pi, at(48)) == ["created", "reminder", "due", "overdue-1"]
    assert stages_due(pi, at(24 + 72.5)) == ["created", "reminder", "due", "overdue-3"]
    assert stages_due(ethics15, at(15 * 24 - 72)) == ["created", "reminder"]  # 3 days before
    assert stages_due(ethics15, at(15 * 24 - 73)) == ["created"]


@pytest.mark.parametrize("change, field", [
    ({"aware": "before_onset"}, "aware_at"),
    ({"aware": "future"}, "aware_at"),
    ({"grade": 5, "outcome": "recovering"}, "outcome"),
    ({"outcome": "fatal"}, "death"),
    ({"end_date": "before"}, "end_date"),
])
def test_bad_input_is_refused_and_nothing_saved(participant, clinician, change, field):
    from safety.services.adverse_events import record_ae
    now = datetime(2025, 5, 1, 10, tzinfo=SHANGHAI)
    values = ae_values(hospitalisation=True, onset_date=now.date())
    aware = now
    if change.get("aware") == "before_onset":
        aware = now - timedelta(days=2)
    elif change.get("aware") == "future":
        aware = now + timedelta(hours=3)
    if change.get("end_date") == "before":
        values["end_date"] = now.date() - timedelta(days=1)
    values.update({k: v for k, v in change.items() if k in values and k != "end_date"})
    with time_machine.travel(now, tick=False), pytest.raises(ValidationError) as e:
        record_ae(participant, user=clinician, aware_at=aware, narrative="x", **values)
    assert field in e.value.message_dict
    assert AdverseEvent.objects.count() == SaeCase.objects.count() == SaeObligation.objects.count() == 0
    assert AdverseEvent.history.count() == 0


def test_an_sae_case_needs_a_seriousness_criterion(participant, clinician):
    from safety.services.adverse_events import open_sae_case, record_ae
    with time_machine.travel(datetime(2025, 5, 1, 10, tzinfo=SHANGHAI), tick=False):
        ae = record_ae(participant, user=clinician, **ae_values(grade=2))
        assert not ae.is_serious and not hasattr(ae, "sae")
        with pytest.raises(ValidationError, match="seriousness"):
            open_sae_case(ae, user=clinician, aware_at=datetime(2025, 5, 1, 9, tzinfo=SHANGHAI), narrative="n")
    assert SaeCase.objects.count() == 0


def test_meeting_an_obligation_records_when_how_who_and_reference(participant, clinician):
    from safety.services.obligations import meet_obligation
    aware = datetime(2025, 6, 1, 9, tzinfo=SHANGHAI)
    with time_machine.travel(aware + timedelta(hours=2), tick=False):
        ae = report_sae(participant, clinician, aware)
        ob = ae.sae.obligations.get(policy__code="sponsor_24h")
        with pytest.raises(ValidationError):
            meet_obligation(ob, user=clinician, met_at=aware + timedelta(hours=1), how=" ", reference="")
        meet_obligation(ob, user=clinician, met_at=aware + timedelta(hours=1), how="e-mail", reference="SP-17")
    ob.refresh_from_db()
    assert ob.met_by == clinician and ob.met_reference == "SP-17" and ob.history.count() == 2


def test_collection_window_flag(participant, clinician):
    from safety.services.adverse_events import record_ae
    with time_machine.travel(datetime(2025, 5, 1, 10, tzinfo=SHANGHAI), tick=False):
        inside = record_ae(participant, user=clinician, **ae_values(grade=1))
    with time_machine.travel(datetime(2025, 9, 1, 10, tzinfo=SHANGHAI), tick=False):
        outside = record_ae(participant, user=clinician, **ae_values(grade=1))
    assert inside.in_collection_window and not outside.in_collection_window
