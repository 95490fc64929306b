"""Infusion administration eCRF: the bag's blind code must be the participant's, a bag must have been
prepared for this infusion, the infusion must last more than 30 minutes; volume and reaction warn.
Nothing shown says the right code, the arm or the cell count."""
import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from crf.ecrf.infusion import explain
from crf.models import InfusionAdministration
from crf.services.entry import SoftWarnings
from tests import factories
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db
ARM_TOKEN = re.compile(r"\b(msc|placebo)\b")  # as the blinding scan (tests/randomization/test_blinding.py)
ARM_TEXT = ["uc-MSC arm", "Placebo arm", "Placebo", "安慰剂"]


def _ago(**kw):
    return timezone.now() - timedelta(**kw)


@pytest.fixture
def p(site, clinician):
    """Randomized and its month-0 bag prepared 3 hours ago."""
    with time_machine.travel(_ago(hours=3), tick=False):
        p = h.participant(site, clinician)
        factories.prepared_bag(p, "m0")
    return p


def values(p, **overrides) -> dict:
    start = _ago(minutes=120).replace(second=0, microsecond=0)
    return {"bag_blind_code": p.randomization.blind_code, "started_at": start,
            "ended_at": start + timedelta(minutes=45), "volume_ml": 100, "infusion_reaction": False,
            "reaction_description": "", **overrides}


def refused(p, user, field: str, text: str, visit_code: str = "m0", **overrides) -> None:
    with pytest.raises(ValidationError) as e:
        h.save("infusion", h.visit(p, visit_code), user, **values(p, **overrides))
    assert list(e.value.message_dict) == [field], e.value.message_dict
    assert text in e.value.message_dict[field][0]
    assert not InfusionAdministration.objects.exists() and InfusionAdministration.history.count() == 0


def test_a_matching_bag_is_recorded_and_explained(p, clinician):
    code = p.randomization.blind_code
    obj, warnings = h.save("infusion", h.visit(p, "m0"), clinician,
                           **values(p, bag_blind_code=f"  {code.lower()} "))
    stored = InfusionAdministration.objects.get(pk=obj.pk)
    assert (stored.bag_blind_code, warnings, stored.history.count()) == (code, [], 1)
    lines = explain(stored)
    assert lines[0] == "The blind code on the bag matches this participant's blind code."
    assert lines[1].startswith("Bag prepared by the pharmacy for this infusion at ")
    assert lines[2] == "Duration 45 minutes (must be more than 30); volume 100 mL (protocol: 100 mL)."


def test_another_blind_code_is_refused_without_saying_the_right_one(p, site, clinician):
    other = factories.randomized_participant(site, clinician, prior_therapy="gc_cyc")
    with pytest.raises(ValidationError) as e:
        h.save("infusion", h.visit(p, "m0"), clinician,
               **values(p, bag_blind_code=other.randomization.blind_code))
    message = e.value.message_dict["bag_blind_code"][0]
    assert message.startswith("This is not the blind code of this participant's bag. Do not infuse")
    assert p.randomization.blind_code not in message and other.participant_code not in message
    assert not InfusionAdministration.objects.exists() and InfusionAdministration.history.count() == 0


def test_no_prepared_bag_is_refused(site, clinician):
    with time_machine.travel(_ago(hours=3), tick=False):
        p = h.participant(site, clinician)
    refused(p, clinician, "__all__", "The pharmacy has not recorded a bag prepared for this infusion")


def test_the_month_6_infusion_needs_the_month_6_bag(site, clinician):
    p = h.past_participant(site, clinician)
    with time_machine.travel(h.YEAR_AGO, tick=False):
        factories.prepared_bag(p, "m0")
    m6 = h.visit(p, "m6")
    start = timezone.make_aware(datetime.combine(m6.target_date, time(10, 0)))
    refused(p, clinician, "__all__", "has not recorded a bag", "m6", started_at=start,
            ended_at=start + timedelta(minutes=40))
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        factories.prepared_bag(p, "m6")
    obj, _ = h.save("infusion", m6, clinician,
                    **values(p, started_at=start, ended_at=start + timedelta(minutes=40)))
    assert obj.visit.code == "m6"


@pytest.mark.parametrize("minutes,ok", [(30, False), (31, True)])
def test_the_infusion_must_last_more_than_30_minutes(p, clinician, minutes, ok):
    start = values(p)["started_at"]
    if not ok:
        refused(p, clinician, "ended_at", "must last more than 30 minutes (protocol 2.5)",
                ended_at=start + timedelta(minutes=minutes))
        return
    obj, warnings = h.save("infusion", h.visit(p, "m0"), clinician,
                           **values(p, ended_at=start + timedelta(minutes=minutes)))
    stored = InfusionAdministration.objects.get(visit=h.visit(p, "m0"))
    assert (stored.pk, stored.ended_at - stored.started_at, warnings) == (obj.pk, timedelta(minutes=31), [])
    assert stored.history.count() == 1
    assert "Duration 31 minutes (must be more than 30)" in explain(stored)[2]


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(minutes=-5)])
def test_the_end_must_follow_the_start(p, clinician, delta):
    start = values(p)["started_at"]
    refused(p, clinician, "ended_at", "The end must be after the start.", ended_at=start + delta)


def test_times_in_the_future_or_before_the_bag_are_refused(p, clinician):
    soon = timezone.now() + timedelta(minutes=10)
    refused(p, clinician, "started_at", "in the future", started_at=soon, ended_at=_ago(minutes=1))
    early = _ago(hours=4)
    refused(p, clinician, "started_at", "cannot start before the bag was prepared", started_at=early,
            ended_at=early + timedelta(minutes=45))


def test_a_reaction_needs_a_description_and_suggests_an_ae_report(p, clinician):
    refused(p, clinician, "reaction_description", "Describe the infusion reaction.", infusion_reaction=True)
    v = h.visit(p, "m0")
    reaction = values(p, infusion_reaction=True, reaction_description="Chills and fever 38.4 °C at 20 min")
    with pytest.raises(SoftWarnings) as e:
        h.save("infusion", v, clinician, **reaction)
    assert [w.code for w in e.value.warnings] == ["reaction_ae"]
    assert "adverse event" in str(e.value.warnings[0].message)
    obj, _ = h.save("infusion", v, clinician, acknowledge=True, **reaction)
    assert obj.soft_warnings[0]["code"] == "reaction_ae"


def test_a_volume_other_than_100_ml_warns_and_zero_is_refused(p, clinician):
    refused(p, clinician, "volume_ml", "Volume infused (mL) 0 mL is not possible (accepted: 1 to 150 mL).",
            volume_ml=0)
    v = h.visit(p, "m0")
    with pytest.raises(SoftWarnings) as e:
        h.save("infusion", v, clinician, **values(p, volume_ml=90))
    assert [(w.code, w.field) for w in e.value.warnings] == [("volume_not_100", "volume_ml")]
    obj, _ = h.save("infusion", v, clinician, acknowledge=True, **values(p, volume_ml=90))
    assert obj.soft_warnings[0]["code"] == "volume_not_100"


def test_an_edit_needs_a_reason(p, clinician):
    v = h.visit(p, "m0")
    obj, _ = h.save("infusion", v, clinician, **values(p))
    obj.volume_ml = 95
    with pytest.raises(ValidationError) as e:
        h.save("infusion", v, clinician, instance=obj, acknowledge=True)
    assert "reason_for_change" in e.value.message_dict
    assert InfusionAdministration.objects.get(pk=obj.pk).volume_ml == 100 and obj.history.count() == 1


def test_the_page_refuses_a_wrong_code_and_never_shows_the_arm_or_cells(p, clinician, client_for):
    v = h.visit(p, "m0")
    client = client_for(clinician)
    url = f"/visits/{v.pk}/crf/infusion/"
    local = {k: timezone.localtime(val).strftime("%Y-%m-%dT%H:%M") if k.endswith("_at") else val
             for k, val in values(p).items()}
    response = client.post(url, h.form_data({**local, "bag_blind_code": "ZZZZ-ZZZZ"}))
    page = response.content.decode()
    assert response.status_code == 200 and "This is not the blind code of this participant" in page
    assert p.randomization.blind_code not in page
    assert not InfusionAdministration.objects.exists()
    assert client.post(url, h.form_data(local)).status_code == 302
    page = client.get(url).content.decode()
    assert "Duration 45 minutes" in page
    bag = p.bags.get(infusion="m0")
    assert not ARM_TOKEN.search(page) and not any(t in page for t in ARM_TEXT)
    assert str(bag.cell_count or 62_500_000) not in page and bag.product_lot not in page
