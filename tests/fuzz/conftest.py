"""One trial for the page fuzzers: a participant randomized six months ago, so month 6 is open today, with
baseline and month-6 labs, a biospecimen consent and both bags prepared (every eCRF can be saved)."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from crf.models import Visit
from edc import roles
from edc.clinical.dates import add_months
from edc.models import Participant
from tests import factories
from tests.crf import helpers as h


@dataclass
class Trial:
    p: Participant
    m0: Visit
    m6: Visit
    clinician: object
    today: object


def fuzz_client(user) -> Client:
    """Signed in, and a server error comes back as a 500 response (with .exc_info) instead of raising."""
    return factories.signed_in_client(user, raise_request_exception=False)


def _bag(p, infusion: str, prepared_at):
    from randomization.services.pharmacy import record_bag

    pharmacist = factories.make_user(roles.PHARMACIST, p.site)
    checker = factories.make_user(roles.PHARMACIST, p.site)
    record_bag(p, user=pharmacist, infusion=infusion, body_weight_kg=Decimal("62.5"), product_lot="LOT-1",
               cell_count=62_500_000, viability_pct=Decimal("92.0"), prepared_at=prepared_at,
               checker_username=checker.username, checker_password=factories.PASSWORD)


@pytest.fixture
def trial(site, clinician) -> Trial:
    today = timezone.localdate(timezone=factories.SHANGHAI)
    month0 = add_months(today, -6)
    start = datetime.combine(month0, time(9), tzinfo=factories.SHANGHAI)
    with time_machine.travel(start, tick=False):
        p = h.participant(site, clinician)
        factories.consent(p, clinician, kind="biospecimen")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        _bag(p, "m0", timezone.now())
    _bag(p, "m6", timezone.now() - timedelta(hours=3))
    m0, m6 = h.visit(p, "m0"), h.visit(p, "m6")
    h.save("labs", m0, clinician, acknowledge=True, **h.lab_values(m0))
    h.save("labs", m6, clinician, acknowledge=True, **h.lab_values(m6, upcr_value=Decimal("0.8")))
    p.refresh_from_db()
    return Trial(p=p, m0=m0, m6=m6, clinician=clinician, today=today)


@pytest.fixture
def clinician_client(trial):
    return fuzz_client(trial.clinician)
