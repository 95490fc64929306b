"""Pharmacy (protocol 2.8): worklist with blind code, arm, weight and dose; bag record; label PDF
identical for both arms."""
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from edc import roles
from randomization.models import Arm, BagPreparation
from randomization.services.pharmacy import record_bag
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_arms(site, clinician):
    factories.strata_and_list(seed=8)
    people = [factories.randomized_participant(site, clinician) for _ in range(4)]
    by_arm = {p.randomization.row.arm: p for p in people}
    assert set(by_arm) == {Arm.MSC, Arm.PLACEBO}
    return by_arm


def test_the_dose_is_1e6_cells_per_kg(two_arms):
    bag = factories.prepared_bag(two_arms[Arm.MSC])
    assert bag.dose_cells == 62_500_000


def test_a_placebo_bag_holds_no_cells(two_arms, site):
    p = two_arms[Arm.PLACEBO]
    bag = factories.prepared_bag(p)
    assert bag.cell_count is None and bag.viability_pct is None


def test_bad_bag_input_is_refused_and_nothing_saved(two_arms, site):
    p = two_arms[Arm.MSC]
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    checker = factories.make_user(roles.PHARMACIST, site)
    base = dict(infusion="m0", body_weight_kg=Decimal("60"), product_lot="L1", cell_count=60_000_000,
                viability_pct=Decimal("95"), prepared_at=timezone.now(), checker_username=checker.username,
                checker_password=factories.PASSWORD)
    for change, field in [({"body_weight_kg": Decimal("4")}, "body_weight_kg"),
                          ({"viability_pct": Decimal("50")}, "viability_pct"),
                          ({"cell_count": None}, "cell_count"),
                          ({"infusion": "m6"}, "infusion")]:
        with pytest.raises(ValidationError) as e:
            record_bag(p, user=pharmacist, **{**base, **change})
        assert field in e.value.message_dict
    assert BagPreparation.objects.count() == 0 and BagPreparation.history.count() == 0


def test_the_worklist_shows_blind_code_and_arm_to_the_pharmacist(two_arms, site, client_for):
    c = client_for(factories.make_user(roles.PHARMACIST, site))
    r = c.get(reverse("pharmacy_worklist"))
    for p in two_arms.values():
        assert p.randomization.blind_code.encode() in r.content
    assert b"uc-MSC arm" in r.content and b"Placebo arm" in r.content


def label_text(client, p) -> str:
    r = client.get(reverse("bag_label", args=[p.pk, "m0"]))
    assert r["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)


def test_labels_read_the_same_for_both_arms(two_arms, site, client_for):
    c = client_for(factories.make_user(roles.PHARMACIST, site))
    texts = []
    for p in two_arms.values():
        bag = factories.prepared_bag(p)
        text = label_text(c, p)
        for value in (p.participant_code, p.randomization.blind_code, bag.prepared_by.printed_name,
                      bag.checked_by.printed_name):
            text = text.replace(value, "<X>")
        texts.append(text)
    assert texts[0] == texts[1]
    assert "placebo 100 mL" in texts[0] and "安慰剂" in texts[0]


def test_a_bad_infusion_in_the_url_is_404(two_arms, site, client_for):
    c = client_for(factories.make_user(roles.PHARMACIST, site))
    p = two_arms[Arm.MSC]
    assert c.get(reverse("bag_prepare", args=[p.pk, "m9"])).status_code == 404
    assert c.get(reverse("bag_label", args=[p.pk, "m0"])).status_code == 404  # no bag yet
    assert c.get("/pharmacy/not-a-uuid/m0/").status_code == 404
    assert BagPreparation.objects.count() == 0
