"""Prednisone dose log (protocol 2.5.2): weight from the vital signs or typed, hard limits, the
three protocol flags as soft warnings, the month-6 dose, dose history, dose_on()."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crf.models import PrednisoneDose
from crf.prednisone_doses import dose_on, in_force_at_month6
from crf.services.entry import SoftWarnings
from edc.clinical.dates import add_months
from tests.crf.helpers import MONTH0, TODAY, history_count, log_url, randomized_on, save_form, visit

pytestmark = pytest.mark.django_db
M6 = add_months(MONTH0, 6)
RECENT0 = TODAY - timedelta(days=70)  # month 6 still ahead: the month-6 limit cannot apply yet


@pytest.fixture
def p(site, clinician):
    return randomized_on(site, clinician, month0=RECENT0)


@pytest.fixture
def past(site, clinician):
    """Randomized 13 months ago: the month-6 target date has come."""
    return randomized_on(site, clinician)


def dose(p, user, start, mg, weight="62.5", **kw):
    return save_form("prednisone", user, participant=p, start_date=start, dose_mg_day=Decimal(mg),
                weight_kg=Decimal(weight) if weight else None, **kw)


def codes(warnings):
    return [w.code for w in warnings]


def test_typed_weight_is_used_without_vital_signs(p, clinician):
    row, warnings = dose(p, clinician, RECENT0, "60")
    row.refresh_from_db()
    assert (row.weight_kg, row.weight_source, row.mg_per_kg) == (Decimal("62.5"), "entered", Decimal("0.96"))
    assert warnings == [] and row.soft_warnings == []


def test_weight_comes_from_the_latest_vital_signs_on_or_before_the_start(p, clinician):
    pytest.importorskip("crf.models.vitals")
    for code, day, kg in (("m0", RECENT0, "58.0"), ("m1", add_months(RECENT0, 1), "64.0")):
        save_form("vitals", clinician, visit=visit(p, code), acknowledge=True, measured_on=day, systolic_bp=120,
             diastolic_bp=80, heart_rate=72, temperature_c=Decimal("36.6"), weight_kg=Decimal(kg))
    # 60 mg/day is within 1.0 mg/kg for the typed 70 kg but not for the 58 kg measured at month 0.
    with pytest.raises(SoftWarnings) as raised:
        dose(p, clinician, RECENT0 + timedelta(days=10), "60", weight="70")
    assert codes(raised.value.warnings) == ["above_1_mg_per_kg"]
    assert "58.0 kg" in raised.value.warnings[0].message
    row, _ = dose(p, clinician, add_months(RECENT0, 1), "60", weight="")  # month-1 vitals: 64 kg
    row.refresh_from_db()
    assert (row.weight_kg, row.weight_source) == (Decimal("64.0"), "vitals")


def test_no_weight_anywhere_is_refused(p, clinician):
    with pytest.raises(ValidationError) as raised:
        dose(p, clinician, RECENT0 - timedelta(days=1), "60", weight="")
    assert "weight_kg" in raised.value.message_dict
    assert PrednisoneDose.objects.count() == 0 and history_count(PrednisoneDose) == 0


@pytest.mark.parametrize("field, values", [
    ("dose_mg_day", {"mg": "0"}),
    ("dose_mg_day", {"mg": "-5"}),
    ("dose_mg_day", {"mg": "200.25"}),
    ("weight_kg", {"mg": "20", "weight": "20"}),
    ("weight_kg", {"mg": "20", "weight": "260"}),
])
def test_impossible_values_are_refused(p, clinician, field, values):
    with pytest.raises(ValidationError) as raised:
        dose(p, clinician, RECENT0, values["mg"], weight=values.get("weight", "62.5"))
    assert field in raised.value.message_dict
    assert PrednisoneDose.objects.count() == 0 and history_count(PrednisoneDose) == 0


def test_200_mg_is_the_hard_limit_and_is_saved_with_a_warning(p, clinician):
    row, warnings = dose(p, clinician, RECENT0, "200", weight="210", acknowledge=True)
    assert codes(warnings) == ["implausible_weight_kg", "above_80_mg_day"]  # 210 kg: unusual (table)


def test_one_dose_per_start_date(p, clinician):
    dose(p, clinician, RECENT0, "60")
    with pytest.raises(ValidationError) as raised:
        dose(p, clinician, RECENT0, "50")
    assert "already recorded" in raised.value.message_dict["start_date"][0]
    assert PrednisoneDose.objects.count() == 1 and history_count(PrednisoneDose) == 1


@pytest.mark.parametrize("mg, weight, expected", [
    ("63", "62.5", ["above_1_mg_per_kg"]),   # 1.008 mg/kg
    ("62.5", "62.5", []),                    # exactly 1.0 mg/kg
    ("85", "90", ["above_80_mg_day"]),       # 0.94 mg/kg but above 80 mg/day
    ("90", "60", ["above_1_mg_per_kg", "above_80_mg_day"]),
])
def test_protocol_flags_warn_and_are_recorded_when_saved_anyway(p, clinician, mg, weight, expected):
    if expected:
        with pytest.raises(SoftWarnings) as raised:
            dose(p, clinician, RECENT0, mg, weight=weight)
        assert codes(raised.value.warnings) == expected
        assert PrednisoneDose.objects.count() == 0
    row, warnings = dose(p, clinician, RECENT0, mg, weight=weight, acknowledge=True)
    row.refresh_from_db()
    assert [w["code"] for w in row.soft_warnings] == expected == codes(warnings)


def test_month6_means_the_dose_in_force_on_the_month6_target_date(past, clinician):
    taper, _ = dose(past, clinician, M6 - timedelta(days=60), "7.5", acknowledge=True)
    assert codes(_) == ["month6_not_below_5_mg_day"]  # nothing later: 7.5 mg/day on the target date
    below, warnings = dose(past, clinician, M6 - timedelta(days=10), "4")
    assert warnings == [] and not in_force_at_month6(taper) and in_force_at_month6(below)
    with pytest.raises(SoftWarnings) as raised:  # a dose starting on the target date is in force then
        dose(past, clinician, M6, "5")
    assert codes(raised.value.warnings) == ["month6_not_below_5_mg_day"]
    _, after = dose(past, clinician, M6 + timedelta(days=1), "7.5")  # after month 6: no month-6 limit
    assert after == []


def test_no_month6_flag_before_the_month6_target_date_has_come(site, clinician):
    recent = randomized_on(site, clinician, month0=add_months(MONTH0, 10))  # month 6 is ahead
    _, warnings = dose(recent, clinician, add_months(MONTH0, 10), "30", weight="62.5")
    assert warnings == []


def test_dose_on_gives_the_dose_in_force(past, clinician):
    for start, mg in ((MONTH0, "60"), (MONTH0 + timedelta(days=30), "40"), (M6 - timedelta(days=5), "4")):
        dose(past, clinician, start, mg, acknowledge=True)
    assert dose_on(past, MONTH0 - timedelta(days=1)) is None
    assert dose_on(past, MONTH0) == Decimal("60")
    assert dose_on(past, MONTH0 + timedelta(days=29)) == Decimal("60")
    assert dose_on(past, MONTH0 + timedelta(days=30)) == Decimal("40")
    assert dose_on(past, M6) == Decimal("4")


def test_an_edit_needs_a_reason(p, clinician):
    row, _ = dose(p, clinician, RECENT0, "60")
    row.dose_mg_day = Decimal("55")
    with pytest.raises(ValidationError) as raised:
        save_form("prednisone", clinician, instance=row)
    assert "reason_for_change" in raised.value.message_dict
    row.refresh_from_db()
    assert row.dose_mg_day == Decimal("60") and history_count(PrednisoneDose) == 1
    save_form("prednisone", clinician, instance=row, dose_mg_day=Decimal("55"), change_reason="Transcription error")
    assert PrednisoneDose.history.first().history_change_reason == "Transcription error"


def test_page_lists_the_dose_history_newest_first(p, clinician, client_for):
    for offset, mg in ((30, "40"), (0, "60"), (60, "20")):  # entered out of order
        dose(p, clinician, RECENT0 + timedelta(days=offset), mg)
    html = client_for(clinician).get(log_url(p, "prednisone")).content.decode()
    assert re.findall(r'data-start="([\d-]+)"', html) == [
        (RECENT0 + timedelta(days=d)).isoformat() for d in (60, 30, 0)]


def test_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    response = client_for(clinician).post(log_url(p, "prednisone"), {
        "start_date": RECENT0.isoformat(), "dose_mg_day": "0", "weight_kg": "62.5"})
    assert response.status_code == 200
    assert "is not possible (accepted: 0.5 to 200 mg/day)" in response.content.decode()
    assert PrednisoneDose.objects.count() == 0


def test_page_saves_past_a_warning_when_acknowledged(p, clinician, client_for):
    data = {"start_date": RECENT0.isoformat(), "dose_mg_day": "90", "weight_kg": "60"}
    first = client_for(clinician).post(log_url(p, "prednisone"), data)
    assert 'data-warning="above_80_mg_day"' in first.content.decode() and PrednisoneDose.objects.count() == 0
    second = client_for(clinician).post(log_url(p, "prednisone"), {**data, "acknowledge": "1"})
    assert second.status_code == 302 and PrednisoneDose.objects.get().soft_warnings[1]["code"] == "above_80_mg_day"


def test_row_page_explains_the_weight_and_the_month6_rule(past, clinician, client_for):
    row, _ = dose(past, clinician, M6 - timedelta(days=30), "4", weight="62.5")
    page = client_for(clinician).get(log_url(past, "prednisone", row)).content.decode()
    assert "Weight used: 62.5 kg (entered on this form); dose 0.06 mg/kg/day" in page
    assert f"dose in force on the month-6 visit {M6.isoformat()}" in page
