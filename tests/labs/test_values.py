"""Pure parts of the lab import: unit spellings and exact conversions (edc/clinical/units.py),
non-numeric results, encodings, HL7 times and delimiters (no database)."""
from decimal import Decimal

import pytest

from edc.clinical.units import UnitNotConvertible, canonical_unit, convert_lab_value
from labs.analytes import ANALYTES, read_result
from labs.parsers import hl7v2, tabular
from labs.parsers.records import SourceRefused


@pytest.mark.parametrize("spelling,token", [("μmol/L", "umol/L"), ("µmol/l", "umol/L"), ("10^9/L", "10*9/L"),
                                            ("×10⁹/L", "10*9/L"), ("/[HPF]", "/HPF"), ("个/HPF", "/HPF"),
                                            ("g/(24.h)", "g/24h"), ("[IU]/mL", "IU/mL"), ("", "")])
def test_unit_spellings_fold_to_one_token(spelling, token):
    assert canonical_unit(spelling) == token


@pytest.mark.parametrize("value,unit,target,expected", [
    ("3.5", "g/dL", "g/L", "35.0"), ("85", "mg/dL", "g/L", "0.85"), ("0.088", "mmol/L", "umol/L", "88.000"),
    ("5.6", "10^3/uL", "10*9/L", "5.6"), ("2100", "mg/24h", "g/24h", "2.100"), ("2.4", "mg/mg", "g/g", "2.4")])
def test_exact_conversions(value, unit, target, expected):
    assert convert_lab_value(Decimal(value), unit, target) == Decimal(expected)


@pytest.mark.parametrize("unit,target", [("U/mL", "IU/mL"), ("/uL", "/HPF"), ("mg%", "g/L"), ("g/L", "U/L")])
def test_no_factor_is_guessed(unit, target):
    with pytest.raises(UnitNotConvertible):
        convert_lab_value(Decimal(1), unit, target)


@pytest.mark.parametrize("field,text,number,choice,problem", [
    ("c3_g_l", "0.52", Decimal("0.52"), "", False), ("c4_g_l", "<0.05", None, "", True),
    ("anti_dsdna_iu_ml", ">1000", None, "", True), ("upcr_value", "<0.05", Decimal(0), "", False),
    ("urine_rbc_hpf", "阴性", Decimal(0), "", False), ("urine_wbc_hpf", "++", None, "", True),
    ("urine_wbc_hpf", "±", None, "", True), ("albumin_g_l", "+", None, "", True),
    ("urinary_casts", "阴性", None, "none", False), ("urinary_casts", "红细胞管型 2/LP", None, "red_cell", False),
    ("urinary_casts", "颗粒管型", None, "heme_granular", False), ("alt_u_l", "", None, "", True)])
def test_non_numeric_results_map_only_where_the_form_has_a_place(field, text, number, choice, problem):
    reading = read_result(ANALYTES[field], text)
    assert (reading.number, reading.choice, bool(reading.problem)) == (number, choice, problem)


def test_encodings_are_detected_by_strict_decoding():
    assert tabular.decode("病历号".encode("gbk")) == ("病历号", "gb18030")
    assert tabular.decode("病历号".encode("utf-8-sig"))[1] == "utf-8-sig"
    assert tabular.decode(b"patient_id")[1] == "utf-8"
    with pytest.raises(SourceRefused):
        tabular.decode("patient_id".encode("utf-16"))


def test_hl7_times_and_delimiters():
    assert hl7v2.hl7_time("202503040740").isoformat() == "2025-03-04T07:40:00"
    assert hl7v2.hl7_time("20250304074000+0800").utcoffset().total_seconds() == 8 * 3600
    with pytest.raises(ValueError):
        hl7v2.hl7_time("2025-03-04")
    assert "MSH" in hl7v2.parse_message(1, "PID|1").error
    assert "delimiters" in hl7v2.parse_message(1, "MSH|^~\\|LIS").error
    assert "standard delimiters" in hl7v2.parse_message(1, "MSH!^~\\&!LIS").error
