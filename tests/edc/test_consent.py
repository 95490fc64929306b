"""Informed consent (protocol 2.3): before any trial data, taken by a site clinician."""
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from edc import roles
from edc.models import Consent
from tests import factories
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db


def test_it_records_main_then_biospecimen_consent(site, clinician):
    p = factories.screen(site, clinician)
    main = factories.consent(p, clinician)
    bio = factories.consent(p, clinician, kind="biospecimen")
    assert main.obtained_by == clinician and bio.kind == "biospecimen"
    assert Consent.history.count() == 2


def test_consent_before_the_screening_date_is_refused(site, clinician):
    p = factories.screen(site, clinician)
    day_before = datetime.combine(p.screening_date - timedelta(days=1), datetime.min.time(),
                                  tzinfo=SHANGHAI) + timedelta(hours=23)
    with pytest.raises(ValidationError) as error:
        factories.consent(p, clinician, consented_at=day_before)
    assert "before the screening date" in str(error.value.message_dict["consented_at"])
    assert Consent.objects.count() == 0 and Consent.history.count() == 0


def test_consent_in_the_future_is_refused(site, clinician):
    p = factories.screen(site, clinician)
    with pytest.raises(ValidationError, match="future"):
        factories.consent(p, clinician, consented_at=timezone.now() + timedelta(hours=2))
    assert Consent.objects.count() == 0


def test_consent_is_taken_by_a_clinician_of_the_site(site, clinician):
    coordinator = factories.make_user(roles.COORDINATOR, site)
    p = factories.screen(site, clinician)
    with pytest.raises(ValidationError, match="clinician of this site"):
        factories.consent(p, clinician, obtained_by=coordinator)
    assert Consent.objects.count() == 0


def test_biospecimen_consent_needs_the_main_consent_first(site, clinician):
    p = factories.screen(site, clinician)
    with pytest.raises(ValidationError, match="main trial consent first"):
        factories.consent(p, clinician, kind="biospecimen")
    assert Consent.objects.count() == 0


def test_the_same_consent_twice_is_refused(site, clinician):
    p = factories.screen(site, clinician)
    factories.consent(p, clinician)
    with pytest.raises(ValidationError, match="already recorded"):
        factories.consent(p, clinician)
    assert Consent.objects.count() == 1


def test_a_consent_correction_needs_a_reason(site, clinician, client_for):
    p = factories.screen(site, clinician)
    c = factories.consent(p, clinician)
    url = reverse("consent_edit", args=[p.pk, c.pk])
    data = {"form_version": "1.1", "consented_at": timezone.localtime(c.consented_at, SHANGHAI)
            .strftime("%Y-%m-%dT%H:%M"), "obtained_by": clinician.pk, "reason_for_change": ""}
    r = client_for(clinician).post(url, data)
    assert r.status_code == 200 and b"This field is required" in r.content
    c.refresh_from_db()
    assert c.form_version == "1.0" and c.history.count() == 1
    r = client_for(clinician).post(url, {**data, "reason_for_change": "wrong version noted"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.form_version == "1.1" and c.history.first().history_change_reason == "wrong version noted"


def test_the_consent_form_records_site_time(site, clinician, client_for):
    p = factories.screen(site, clinician)
    local = f"{p.screening_date.isoformat()}T09:30"
    r = client_for(clinician).post(reverse("consent_new", args=[p.pk]), {
        "kind": "main", "form_version": "1.0", "consented_at": local, "obtained_by": clinician.pk})
    assert r.status_code == 302
    stored = Consent.objects.get().consented_at
    # 09:30 in Beijing is 01:30 UTC
    assert stored.utcoffset() == timedelta(0) or stored.tzinfo is not None
    assert timezone.localtime(stored, SHANGHAI).strftime("%H:%M") == "09:30"
    assert stored.astimezone(timezone.UTC if hasattr(timezone, "UTC") else SHANGHAI)
