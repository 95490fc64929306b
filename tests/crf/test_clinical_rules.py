"""The clinical rules that read the entered numbers (docs/DATA_QUALITY.md "The clinical rules"):
renal response on the UPCR at full precision, the tolerance as a trial setting, the UPCR specimen
recorded, the month-6 prednisone check on the log as it stands."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from crf.models import LabPanel, PrednisoneDose, Query, RenalResponse
from crf.services.visits import record_visit_date
from edc.clinical.dates import add_months
from tests.crf import helpers as h
from tests.crf.helpers import MONTH0, at, randomized_on
from tests.crf.helpers import save_form as save
from tests.fuzz.db import changed_tables, table_counts

pytestmark = pytest.mark.django_db
M6 = add_months(MONTH0, 6)


@pytest.fixture
def past(site, clinician):
    return h.past_participant(site, clinician)


def labs(p, code, user, upcr: str, unit: str = "g/g"):
    v = h.visit(p, code)
    h.save("labs", v, user, acknowledge=True, **h.lab_values(v, upcr_value=Decimal(upcr), upcr_unit=unit))
    return v


def test_56_55_mg_mmol_against_2_g_g_is_a_complete_response(past, clinician):
    labs(past, "m0", clinician, "2.000")
    v = labs(past, "m6", clinician, "56.55", "mg/mmol")  # 0.49991 g/g: below 0.5
    assert LabPanel.objects.get(visit=v).upcr_g_g == Decimal("0.500")  # the rounded display value
    obj, _w = h.save("response", v, clinician, investigator_confirmed=True)
    assert RenalResponse.objects.get(pk=obj.pk).category == "complete"


def test_the_tolerance_is_a_trial_setting_stored_with_the_record(past, clinician, settings):
    settings.RENAL_RESPONSE_TOLERANCE = 0.10
    labs(past, "m0", clinician, "2.000")
    v = h.visit(past, "m3")
    h.save("labs", v, clinician, acknowledge=True,
           **h.lab_values(v, upcr_value=Decimal("0.300"), creatinine_value=Decimal("90")))  # eGFR ~87 %
    obj, _w = h.save("response", v, clinician, investigator_confirmed=True)
    stored = RenalResponse.objects.get(pk=obj.pk)
    assert stored.tolerance == Decimal("0.10") and stored.category == "none"  # within 15 %, not 10 %


def test_the_upcr_specimen_is_required_on_the_page(site, clinician, client_for):
    p = h.participant(site, clinician)
    v = h.visit(p, "m0")
    data = h.form_data(h.lab_values(v))
    del data["upcr_specimen"]
    before = table_counts()
    r = client_for(clinician).post(reverse("visit_crf", args=[v.pk, "labs"]), data)
    assert r.status_code == 200 and "upcr_specimen" in r.context["form"].errors
    assert changed_tables(before, table_counts()) == {}
    r = client_for(clinician).post(reverse("visit_crf", args=[v.pk, "labs"]),
                                   {**data, "upcr_specimen": "24h"})
    assert r.status_code == 302 and LabPanel.objects.get(visit=v).upcr_specimen == "24h"


def test_800_mg_prednisone_is_refused_as_a_typo_for_80(site, clinician):
    p = randomized_on(site, clinician)
    with pytest.raises(ValidationError) as e:
        save("prednisone", clinician, participant=p, start_date=MONTH0, dose_mg_day=Decimal("800"),
             weight_kg=Decimal("62.5"))
    assert "80 mg/day would be usual" in e.value.message_dict["dose_mg_day"][0]
    assert not PrednisoneDose.objects.exists() and PrednisoneDose.history.count() == 0


def test_the_month6_dose_is_judged_when_the_month6_visit_comes_whenever_it_was_entered(site, clinician):
    p = randomized_on(site, clinician)
    m6 = h.visit(p, "m6")
    # Entered at month 3, when month 6 was still ahead: no month-6 judgement possible then.
    with time_machine.travel(at(add_months(MONTH0, 3)), tick=False):
        row, warnings = save("prednisone", clinician, participant=p, start_date=add_months(MONTH0, 3),
                             dose_mg_day=Decimal("7.5"), weight_kg=Decimal("62.5"))
    assert warnings == [] and not Query.objects.exists()
    record_visit_date(m6, user=clinician, visit_date=M6 + timedelta(days=2))
    query = Query.objects.get(object_id=row.pk, warning_code="month6_not_below_5_mg_day")
    assert query.origin == "edit_check" and "7.5" in query.text


def test_the_month6_dose_is_re_evaluated_when_the_log_changes(site, clinician):
    p = randomized_on(site, clinician)
    taper, _w = save("prednisone", clinician, participant=p, start_date=M6 - timedelta(days=20),
                     dose_mg_day=Decimal("4"), weight_kg=Decimal("62.5"))
    assert not Query.objects.exists()
    # The taper's start date was mistyped: corrected to after month 6, the earlier 10 mg is in force.
    early, _w = save("prednisone", clinician, participant=p, start_date=M6 - timedelta(days=60),
                     dose_mg_day=Decimal("10"), weight_kg=Decimal("62.5"), acknowledge=True)
    save("prednisone", clinician, instance=taper, start_date=M6 + timedelta(days=5), change_reason="date typo")
    assert Query.objects.filter(object_id=early.pk, warning_code="month6_not_below_5_mg_day").exists()
