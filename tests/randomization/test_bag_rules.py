"""Rules of the bag (protocol 2.5.2, 2.8; docs/DATA_QUALITY.md "The cell-therapy bag"), through the
pharmacy page and the infusion form: the prepared count against 1×10⁶ cells/kg (warned beyond ±10 %,
refused beyond ±50 %), the second pharmacist's own credentials, the lead time of a month-6 bag and the
shelf life of a prepared bag."""
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crf.models import InfusionAdministration
from edc import roles
from randomization.models import Arm, BagPreparation
from randomization.services.pharmacy import record_bag
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.db import changed_tables, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_arms(site, clinician):
    factories.strata_and_list(seed=8)
    people = [factories.randomized_participant(site, clinician) for _ in range(4)]
    by_arm = {p.randomization.row.arm: p for p in people}
    assert set(by_arm) == {Arm.MSC, Arm.PLACEBO}
    return by_arm


@pytest.fixture
def pharmacists(site):
    return factories.make_user(roles.PHARMACIST, site), factories.make_user(roles.PHARMACIST, site)


def bag_post(checker, **overrides) -> dict:
    data = {"body_weight_kg": "60.0", "product_lot": "LOT-9", "cell_count": "60000000",
            "viability_pct": "92.0", "prepared_at": timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"),
            "checker_username": checker.username, "checker_password": factories.PASSWORD, "checker_otp": ""}
    data.update(overrides)
    return data


def post(client, p, data, infusion="m0"):
    before = table_counts()
    r = client.post(reverse("bag_prepare", args=[p.pk, infusion]), data)
    return r, changed_tables(before, table_counts())


@pytest.mark.parametrize("count", ["29000000", "91000000", "6000000", "600000000"])
def test_a_count_more_than_50_percent_off_the_dose_is_refused(two_arms, pharmacists, client_for, count):
    pharmacist, checker = pharmacists
    r, changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(checker, cell_count=count))
    assert r.status_code == 200 and changes == {}
    assert "do not release this bag" in r.context["form"].errors["cell_count"][0]


def test_a_count_10_to_50_percent_off_warns_and_is_recorded(two_arms, pharmacists, client_for):
    pharmacist, checker = pharmacists
    c, p = client_for(pharmacist), two_arms[Arm.MSC]
    r, changes = post(c, p, bag_post(checker, cell_count="70000000"))  # +17 %: 1.17 ×10⁶/kg
    assert changes == {} and [w.code for w in r.context["warnings"]] == ["dose_off_target"]
    assert "1.17" in r.context["warnings"][0].message
    r, changes = post(c, p, bag_post(checker, cell_count="70000000", acknowledge="1"))
    assert r.status_code == 302
    bag = BagPreparation.objects.get(participant=p)
    assert bag.cells_per_kg == Decimal("1.17") and bag.soft_warnings[0]["code"] == "dose_off_target"
    worklist = c.get(reverse("pharmacy_worklist")).content.decode()
    assert "prepared 1.17 ×10⁶ cells/kg" in worklist


def test_the_dose_within_10_percent_is_saved_without_a_warning(two_arms, pharmacists, client_for):
    pharmacist, checker = pharmacists
    r, _changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(checker, cell_count="63000000"))
    assert r.status_code == 302
    assert BagPreparation.objects.get().soft_warnings == []


@pytest.mark.parametrize("change, field", [
    ({"checker_password": "wrong-password"}, "checker_password"),
    ({"checker_username": "nobody"}, "checker_password"),
    ({"checker_password": ""}, "checker_password"),
])
def test_the_second_pharmacist_must_give_their_own_credentials(two_arms, pharmacists, client_for, change,
                                                                 field):
    pharmacist, checker = pharmacists
    r, changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(checker, **change))
    assert r.status_code == 200 and changes == {}
    assert field in r.context["form"].errors


def test_the_preparer_cannot_check_their_own_bag(two_arms, pharmacists, client_for):
    pharmacist, _checker = pharmacists
    r, changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(pharmacist))
    assert changes == {} and "second pharmacist" in r.context["form"].errors["checker_username"][0]


def test_a_checker_who_is_not_a_pharmacist_is_refused(two_arms, pharmacists, site, clinician, client_for):
    pharmacist, _checker = pharmacists
    r, changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(clinician))
    assert changes == {} and "pharmacist of this site" in r.context["form"].errors["checker_username"][0]


def test_a_checker_with_an_authenticator_gives_its_code(two_arms, pharmacists, client_for):
    pharmacist, checker = pharmacists
    device = factories.authenticator(checker)
    c, p = client_for(pharmacist), two_arms[Arm.PLACEBO]
    r, changes = post(c, p, bag_post(checker))
    assert changes == {} and "checker_otp" in r.context["form"].errors
    r, changes = post(c, p, bag_post(checker, checker_otp="000000"))
    assert changes == {} or set(changes) <= {"otp_totp_totpdevice"}  # the throttle counts the miss
    assert "checker_otp" in r.context["form"].errors and not BagPreparation.objects.exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code before it checks another
    r, _changes = post(c, p, bag_post(checker, checker_otp=factories.totp_code(device)))
    assert r.status_code == 302
    assert BagPreparation.objects.get().checked_by == checker


def test_a_month_6_bag_cannot_be_prepared_months_early(site, clinician, pharmacists):
    p = h.past_participant(site, clinician)
    pharmacist, checker = pharmacists
    m6 = h.visit(p, "m6")
    base = dict(user=pharmacist, body_weight_kg=Decimal("62.5"), product_lot="L", cell_count=62_500_000,
                viability_pct=Decimal("95"), checker_username=checker.username,
                checker_password=factories.PASSWORD)
    record_bag(p, infusion="m0", prepared_at=p.randomization.randomized_at + timedelta(minutes=5), **base)
    early = timezone.make_aware(datetime.combine(m6.window_start - timedelta(days=60), time(9)))
    with pytest.raises(ValidationError) as e:
        record_bag(p, infusion="m6", prepared_at=early, **base)
    assert "can be prepared from" in e.value.message_dict["prepared_at"][0]
    assert BagPreparation.objects.filter(infusion="m6").count() == 0
    in_time = timezone.make_aware(datetime.combine(m6.target_date, time(9)))
    assert record_bag(p, infusion="m6", prepared_at=in_time, **base).infusion == "m6"


def _infusion(p, started_at):
    return {"bag_blind_code": p.randomization.blind_code, "started_at": started_at,
            "ended_at": started_at + timedelta(minutes=45), "volume_ml": 100, "infusion_reaction": False,
            "reaction_description": ""}


def test_an_infusion_after_the_bag_expired_is_refused_and_close_to_expiry_warned(site, clinician):
    prepared = timezone.now() - timedelta(hours=8)
    with time_machine.travel(prepared, tick=False):
        p = h.participant(site, clinician)
        bag = factories.prepared_bag(p, "m0")
    assert bag.expires_at == bag.prepared_at + timedelta(hours=6)
    m0 = h.visit(p, "m0")
    late = (bag.prepared_at + timedelta(hours=6, minutes=5)).replace(second=0, microsecond=0)
    with pytest.raises(ValidationError) as e:
        h.save("infusion", m0, clinician, **_infusion(p, late))
    assert "The bag expired" in e.value.message_dict["started_at"][0]
    assert not InfusionAdministration.objects.exists()
    close = (bag.prepared_at + timedelta(hours=5, minutes=30)).replace(second=0, microsecond=0)
    with pytest.raises(h.SoftWarnings) as soft:
        h.save("infusion", m0, clinician, **_infusion(p, close))
    assert [w.code for w in soft.value.warnings] == ["bag_close_to_expiry"]
    obj, _w = h.save("infusion", m0, clinician, acknowledge=True, **_infusion(p, close))
    assert obj.soft_warnings[0]["code"] == "bag_close_to_expiry"


def test_a_count_typed_in_millions_is_refused_naming_the_unit(two_arms, pharmacists, client_for):
    pharmacist, checker = pharmacists
    r, changes = post(client_for(pharmacist), two_arms[Arm.MSC], bag_post(checker, cell_count="60"))
    assert changes == {}
    assert "×10⁶ cells" in r.context["form"].errors["cell_count"][0]
