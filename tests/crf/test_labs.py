"""Laboratory panel eCRF: canonical UPCR and creatinine, eGFR computed (CKD-EPI 2021) against the
docs/DOMAIN.md §1.3 numbers; impossible values refused and unusual ones warned (the plausibility table,
docs/DATA_QUALITY.md); the configurable reference ranges explained; an eGFR fall of more than 30 % warned."""
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from crf.ecrf.labs import LabPanelForm, explain
from crf.models import LabPanel, ReferenceRange
from crf.services.entry import SoftWarnings
from crf.services.reference_ranges import ensure_reference_ranges, reference_ranges
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db


def aged(years: int) -> date:
    """A date of birth giving `years` completed years today (1 January of the birth year)."""
    return date(timezone.localdate().year - years, 1, 1)


@pytest.fixture
def p(site, clinician):
    return h.participant(site, clinician)


@pytest.mark.parametrize("sex,age,value,unit,umol,egfr", [
    ("F", 35, "80", "umol/L", "80.0", "84.9"),  # docs/DOMAIN.md §1.3
    ("M", 45, "150", "umol/L", "150.0", "50.1"),
    ("F", 50, "1.0", "mg/dL", "88.4", "68.6"),
    ("M", 60, "1.5", "mg/dL", "132.6", "53.0"),
])
def test_egfr_is_computed_from_creatinine_age_and_sex(site, clinician, sex, age, value, unit, umol, egfr):
    p = h.participant(site, clinician, sex=sex, date_of_birth=aged(age))
    v = h.visit(p, "m0")
    obj, _ = h.save("labs", v, clinician, **h.lab_values(v, creatinine_value=Decimal(value),
                                                         creatinine_unit=unit))
    stored = LabPanel.objects.get(pk=obj.pk)
    assert (stored.creatinine_umol_l, stored.egfr) == (Decimal(umol), Decimal(egfr))
    assert any(f"= {egfr} mL/min/1.73 m²" in line and f"age {age}" in line for line in explain(stored))


@pytest.mark.parametrize("value,unit,g_g", [
    ("113.12", "mg/mmol", "1.000"), ("56.56", "mg/mmol", "0.500"), ("100", "mg/mmol", "0.884"),
    ("1500", "mg/g", "1.500"), ("499.5", "mg/g", "0.500"), ("0", "g/g", "0.000"),
])
def test_upcr_is_stored_in_g_per_g_to_three_decimals(p, clinician, value, unit, g_g):
    v = h.visit(p, "m0")
    # acknowledged: 0 (below detection) is accepted but below the table's soft range
    obj, _ = h.save("labs", v, clinician, acknowledge=True,
                    **h.lab_values(v, upcr_value=Decimal(value), upcr_unit=unit))
    assert LabPanel.objects.get(pk=obj.pk).upcr_g_g == Decimal(g_g)


def test_derived_values_cannot_be_typed_on_the_form(p):
    fields = set(LabPanelForm.base_fields)
    assert not fields & {"egfr", "upcr_g_g", "creatinine_umol_l"}
    assert {"upcr_value", "upcr_unit", "creatinine_value", "creatinine_unit"} <= fields


@pytest.mark.parametrize("field", ["urine_protein_24h_g", "albumin_g_l", "c3_g_l", "c4_g_l",
                                   "anti_dsdna_iu_ml", "urine_rbc_hpf", "urine_wbc_hpf",
                                   "haemoglobin_g_l", "wbc_10e9_l", "platelets_10e9_l", "alt_u_l",
                                   "ast_u_l"])
def test_a_negative_value_is_refused(p, clinician, field):
    v = h.visit(p, "m0")
    with pytest.raises(ValidationError) as e:
        h.save("labs", v, clinician, **h.lab_values(v, **{field: Decimal("-1")}))
    assert list(e.value.message_dict) == [field]  # the plausibility table: below its lower hard limit
    assert "-1" in e.value.message_dict[field][0] and "is not possible" in e.value.message_dict[field][0]
    assert not LabPanel.objects.exists() and LabPanel.history.count() == 0


@pytest.mark.parametrize("overrides,field,text", [
    ({"creatinine_value": Decimal("0")}, "creatinine_value", "is not possible (accepted: 10 to 2500"),
    ({"creatinine_value": Decimal("-5")}, "creatinine_value", "is not possible"),
    ({"creatinine_value": Decimal("3000")}, "creatinine_value", "is not possible"),  # > 28 mg/dL
    ({"creatinine_value": Decimal("80"), "creatinine_unit": "mg/dL"}, "creatinine_value", "µmol/L"),
    ({"upcr_value": Decimal("-0.2")}, "upcr_value", "is not possible"),
])
def test_impossible_creatinine_or_upcr_is_a_field_error(p, clinician, overrides, field, text):
    v = h.visit(p, "m0")
    with pytest.raises(ValidationError) as e:
        h.save("labs", v, clinician, **h.lab_values(v, **overrides))
    assert list(e.value.message_dict) == [field] and text in e.value.message_dict[field][0]
    assert not LabPanel.objects.exists() and LabPanel.history.count() == 0


def test_reference_ranges_default_once_and_keep_edits(db):
    ensure_reference_ranges()
    ensure_reference_ranges()
    assert ReferenceRange.objects.count() == 9
    c3 = ReferenceRange.objects.get(analyte="c3")
    assert (c3.lower, c3.upper, c3.unit) == (Decimal("0.9"), Decimal("1.8"), "g/L")
    dsdna = ReferenceRange.objects.get(analyte="anti_dsdna")
    assert (dsdna.lower, dsdna.upper) == (None, Decimal("100"))
    c3.upper = Decimal("2.0")
    c3.save()
    ensure_reference_ranges()
    assert reference_ranges()["c3"].upper == Decimal("2.0")
    assert admin.site.is_registered(ReferenceRange)


def test_the_data_manager_edits_ranges_in_the_admin(db, client_for):
    from edc.models import User
    ensure_reference_ranges()
    boss = User.objects.create_superuser("dm", "dm@example.org", "a-long-password-123")
    client = client_for(boss)  # verified second factor: the admin needs it
    alt = ReferenceRange.objects.get(analyte="alt")
    assert client.get("/admin/crf/referencerange/").status_code == 200
    response = client.post(f"/admin/crf/referencerange/{alt.pk}/change/",
                           {"analyte": "alt", "lower": "5", "upper": "50", "unit": "U/L"})
    assert response.status_code == 302
    alt.refresh_from_db()
    assert (alt.lower, alt.upper) == (Decimal("5"), Decimal("50")) and alt.history.count() == 2


@pytest.mark.parametrize("field,value,warns", [
    ("alt_u_l", "301", True), ("alt_u_l", "300", False),  # the plausibility table's soft range 3-300 U/L
    ("anti_dsdna_iu_ml", "1001", True), ("anti_dsdna_iu_ml", "1000", False),
    ("c3_g_l", "0.05", True), ("c3_g_l", "0.1", False),  # too low is caught as well as too high
    ("platelets_10e9_l", "1100", True), ("haemoglobin_g_l", "55", True),
])
def test_unusual_values_warn_in_both_directions(p, clinician, field, value, warns):
    v = h.visit(p, "m0")
    values = h.lab_values(v, **{field: Decimal(value)})
    if not warns:
        _, warnings = h.save("labs", v, clinician, **values)
        assert warnings == []
        return
    with pytest.raises(SoftWarnings) as e:
        h.save("labs", v, clinician, **values)
    assert [(w.code, w.field) for w in e.value.warnings] == [(f"implausible_{field}", field)]
    assert not LabPanel.objects.exists()
    obj, _ = h.save("labs", v, clinician, acknowledge=True, **values)
    assert obj.soft_warnings[0]["code"] == f"implausible_{field}"


def test_an_edited_reference_range_changes_the_check(p, clinician):
    ensure_reference_ranges()
    alt = ReferenceRange.objects.get(analyte="alt")
    alt.upper = Decimal("100")
    alt.save()
    v = h.visit(p, "m0")
    _, warnings = h.save("labs", v, clinician, **h.lab_values(v, alt_u_l=Decimal("140")))
    assert warnings == []
    assert any("ALT (U/L) 140" in line and "high" in line for line in explain(LabPanel.objects.get(visit=v)))


def test_an_egfr_fall_of_more_than_30_percent_since_month_0_warns(site, clinician):
    p = h.past_participant(site, clinician)
    m0, m3, m4 = (h.visit(p, c) for c in ("m0", "m3", "m4"))
    base, _ = h.save("labs", m0, clinician, **h.lab_values(m0, creatinine_value=Decimal("80")))
    _, warnings = h.save("labs", m3, clinician, **h.lab_values(m3, creatinine_value=Decimal("100")))
    assert warnings == []  # about -23 %
    with pytest.raises(SoftWarnings) as e:
        h.save("labs", m4, clinician, **h.lab_values(m4, creatinine_value=Decimal("120")))
    assert [w.code for w in e.value.warnings] == ["egfr_drop"]
    obj, _ = h.save("labs", m4, clinician, acknowledge=True,
                    **h.lab_values(m4, creatinine_value=Decimal("120")))
    assert obj.egfr < Decimal("0.7") * base.egfr
    assert obj.soft_warnings[0]["code"] == "egfr_drop"
    assert any("since month 0" in line for line in explain(obj))


def test_an_edit_needs_a_reason_and_rederives(p, clinician):
    v = h.visit(p, "m0")
    obj, _ = h.save("labs", v, clinician, **h.lab_values(v))
    obj.upcr_value, obj.upcr_unit = Decimal("226.24"), "mg/mmol"
    with pytest.raises(ValidationError) as e:
        h.save("labs", v, clinician, instance=obj, reason="")
    assert "reason_for_change" in e.value.message_dict
    assert LabPanel.objects.get(pk=obj.pk).upcr_g_g == Decimal("2.000") and obj.history.count() == 1
    h.save("labs", v, clinician, instance=LabPanel.objects.get(pk=obj.pk), reason="Unit corrected",
           upcr_value=Decimal("226.24"), upcr_unit="mg/mmol")
    assert LabPanel.objects.get(pk=obj.pk).upcr_g_g == Decimal("2.000")
    h.save("labs", v, clinician, instance=LabPanel.objects.get(pk=obj.pk), reason="Value corrected",
           upcr_value=Decimal("113.12"))
    assert LabPanel.objects.get(pk=obj.pk).upcr_g_g == Decimal("1.000") and obj.history.count() == 3


def test_the_page_shows_a_field_error_and_saves_nothing(p, clinician, client_for):
    v = h.visit(p, "m0")
    client = client_for(clinician)
    url = f"/visits/{v.pk}/crf/labs/"
    assert client.get(url).status_code == 200
    response = client.post(url, h.form_data(h.lab_values(v, creatinine_value=Decimal("0"))))
    assert response.status_code == 200
    assert "Serum creatinine 0 µmol/L is not possible (accepted: 10 to 2500 µmol/L)." in response.content.decode()
    assert not LabPanel.objects.exists()
    response = client.post(url, {**h.form_data(h.lab_values(v)), "egfr": "150"})
    assert response.status_code == 302
    stored = LabPanel.objects.get(visit=v)
    assert stored.egfr != Decimal("150") and stored.upcr_g_g == Decimal("2.000")
    assert "KDIGO G" in client.get(url).content.decode()
