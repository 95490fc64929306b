"""Dry-run import of the statistician's allocation CSV (protocol 2.7)."""
import csv
import dataclasses
import hashlib
import io

import pytest

from randomization.csv_import import MAX_BYTES, MAX_ROWS, MESSAGES, Issue, parse_allocation_csv
from randomization.sequence import ListRow, generate_list

CAPACITY = {"S1": 24, "S2": 24, "S3": 24, "S4": 24}
SMALL = {"A": 4}
HEADER = "stratum,sequence,blind_code,arm\n"


def _csv(rows: list[ListRow], *, bom: bool = False, crlf: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["stratum", "sequence", "blind_code", "arm"])
    writer.writerows([r.stratum, r.sequence, r.blind_code, r.arm] for r in rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def _small(body: str, header: str = HEADER, **kwargs):
    return parse_allocation_csv((header + body).encode(), strata_capacity=kwargs.pop("cap", SMALL), **kwargs)


GOOD = "A,1,K1,msc\nA,2,K2,placebo\nA,3,K3,placebo\nA,4,K4,msc\n"


def codes(issues: list[Issue]) -> list[tuple[str, int | None]]:
    return [(i.code, i.line) for i in issues]


# --- whole files -------------------------------------------------------------------------------------


def test_round_trip_of_generated_96_row_list():
    rows = generate_list(list(CAPACITY.items()), 20241001)
    data = _csv(rows)
    report = parse_allocation_csv(data, strata_capacity=CAPACITY)
    assert report.ok and report.errors == [] and report.warnings == []
    assert report.rows == [dataclasses.replace(r, block=0) for r in rows]
    assert report.sha256 == hashlib.sha256(data).hexdigest()


def test_excel_bom_crlf_and_trailing_blank_rows():
    rows = generate_list(list(CAPACITY.items()), 7)
    data = _csv(rows, bom=True, crlf=True) + b",,,\r\n,,,\r\n\r\n"
    report = parse_allocation_csv(data, strata_capacity=CAPACITY)
    assert report.ok, report.errors
    assert len(report.rows) == 96
    assert report.sha256 == hashlib.sha256(data).hexdigest()  # of the raw bytes, BOM included


def test_header_case_spaces_order_and_arm_aliases():
    report = _small("K1, msc ,A,1\nK2,PLACEBO,A,2\nK3,uc-MSC,A,3\nk4,Placebo,A , 4\n",
                    header=" Blind_Code ,ARM,Stratum, sequence\n")
    assert report.ok, report.errors
    assert [(r.sequence, r.arm, r.blind_code, r.block) for r in report.rows] == [
        (1, "msc", "K1", 0), (2, "placebo", "K2", 0), (3, "msc", "K3", 0), (4, "placebo", "k4", 0)]


def test_valid_file_with_blank_line_in_middle_keeps_physical_line_numbers():
    report = _small("A,1,K1,msc\n\nA,2,K2,placebo\nA,3,K3,placebo\nA,x,K4,msc\n")
    assert codes(report.errors)[0] == ("bad_sequence", 6)


def test_quoted_multiline_field_reports_first_line():
    report = _small('A,1,K1,msc\n"A\nB",2,K2,placebo\nA,3,K3,placebo\nA,4,K4,msc\n')
    assert ("unknown_stratum", 3) in codes(report.errors)


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"\n\n", b",,,\n", HEADER.encode(), HEADER.encode() + b",,,\n"]
)
def test_empty(data):
    report = parse_allocation_csv(data, strata_capacity=SMALL)
    assert codes(report.errors) == [("empty", None)] and report.rows == []


def test_not_utf8():
    report = parse_allocation_csv((HEADER + "A,1,安慰剂,msc\n").encode("gbk"), strata_capacity=SMALL)
    assert [i.code for i in report.errors] == ["encoding"]
    assert report.errors[0].params["position"] > 0
    assert "UTF-8" in report.errors[0].message


def test_utf16_excel_export_is_an_encoding_error():
    data = (HEADER + GOOD).encode("utf-16")
    assert [i.code for i in parse_allocation_csv(data, strata_capacity=SMALL).errors] == ["encoding"]


def test_binary_garbage():
    report = parse_allocation_csv(bytes(range(256)) * 4, strata_capacity=SMALL)
    assert [i.code for i in report.errors] == ["encoding"]
    report = parse_allocation_csv(b"PK\x03\x04\x14\x00\x06\x00", strata_capacity=SMALL)  # a zip (.xlsx)
    assert [i.code for i in report.errors] == ["binary"]


def test_nul_byte_on_a_later_line_is_binary():
    report = _small("A,1,K1,msc\nA,2,K\x002,placebo\n")
    assert codes(report.errors) == [("binary", 3)] and report.rows == []


def test_unbalanced_quotes_are_malformed():
    report = _small('A,1,K1,msc\nA,2,"K2,placebo\nA,3,K3,placebo\nA,4,K4,msc\n')
    assert codes(report.errors) == [("malformed", 3)] and report.rows == []


def test_text_after_closing_quote_is_malformed():
    report = _small('A,1,K1,msc\nA,2,"K2"x,placebo\n')
    assert codes(report.errors) == [("malformed", 3)]


def test_too_large_bytes():
    data = HEADER.encode() + b"A,1,K1,msc," + b" " * MAX_BYTES + b"\n"
    report = parse_allocation_csv(data, strata_capacity=SMALL)
    assert [i.code for i in report.errors] == ["too_large"] and report.rows == []
    assert report.sha256 == hashlib.sha256(data).hexdigest()


def test_too_many_rows():
    body = "".join(f"A,{i},K{i},msc\n" for i in range(1, MAX_ROWS + 2))
    report = _small(body, cap={"A": MAX_ROWS + 1})
    assert [i.code for i in report.errors] == ["too_large"]
    exactly = _small("".join(f"A,{i},K{i},{'msc' if i % 2 else 'placebo'}\n" for i in range(1, MAX_ROWS + 1)),
                     cap={"A": MAX_ROWS})
    assert exactly.ok and len(exactly.rows) == MAX_ROWS


@pytest.mark.parametrize(
    "header, missing, extra",
    [
        ("stratum,sequence,blind_code\n", ["arm"], []),
        ("stratum,sequence,blind_code,arm,site\n", [], ["site"]),
        ("stratum;sequence;blind_code;arm\n", ["stratum", "sequence", "blind_code", "arm"],
         ["stratum;sequence;blind_code;arm"]),
        ("stratum,sequence,blind code,arm\n", ["blind_code"], ["blind code"]),
        ("stratum,sequence,blind_code,arm,arm\n", [], ["arm"]),
        ("A,1,K1,msc\n", ["stratum", "sequence", "blind_code", "arm"], ["a", "1", "k1", "msc"]),
    ],
)
def test_wrong_columns(header, missing, extra):
    report = _small(GOOD, header=header)
    assert codes(report.errors) == [("columns", 1)] and report.rows == []
    assert report.errors[0].params["missing"] == missing and report.errors[0].params["extra"] == extra


def test_columns_error_names_the_header_line():
    assert codes(_small(GOOD, header="\n,,,\nstratum,arm\n").errors) == [("columns", 3)]


def test_trailing_empty_columns_from_excel_are_ignored():
    body = "A,1,K1,msc,,\nA,2,K2,placebo,\nA,3,K3,placebo\nA,4,K4,msc\n"
    report = _small(body, header=HEADER.strip() + ",,\n")
    assert report.ok, report.errors


def test_row_with_extra_values():
    report = _small(GOOD + "A,5,K5,msc,oops\n", cap={"A": 4})
    assert codes(report.errors) == [("row_columns", 6)]
    assert report.errors[0].params == {"found": 5, "expected": 4}


def test_row_with_missing_values():
    report = _small("A,1,K1\n" + GOOD.replace("A,1,K1,msc\n", ""))
    assert ("unknown_arm", 2) in codes(report.errors)


# --- rows --------------------------------------------------------------------------------------------


def test_unknown_stratum_chinese_text():
    report = _small(GOOD + "糖皮质激素,5,K5,msc\n")
    assert codes(report.errors) == [("unknown_stratum", 6)]
    assert report.errors[0].params == {"stratum": "糖皮质激素"}
    assert "糖皮质激素" in report.errors[0].message
    assert len(report.rows) == 4


def test_chinese_stratum_code_is_accepted_when_configured():
    report = _small("狼疮,1,K1,msc\n狼疮,2,K2,placebo\n", cap={"狼疮": 2})
    assert report.ok and report.rows[0].stratum == "狼疮"


def test_chinese_arm_is_unknown():
    report = _small(GOOD.replace("placebo", "安慰剂", 1))
    assert codes(report.errors) == [("unknown_arm", 3)]
    assert report.errors[0].params == {"value": "安慰剂"}


@pytest.mark.parametrize("value", ["0", "-1", "1.0", "x", "", "１", "+2", "2e0"])
def test_bad_sequence(value):
    report = _small(GOOD.replace("A,2,", f"A,{value},"))
    assert ("bad_sequence", 3) in codes(report.errors)
    assert all(r.blind_code != "K2" for r in report.rows)


@pytest.mark.parametrize("value", ["control", "MSC+", "", "placebo?", "uc msc"])
def test_unknown_arm(value):
    report = _small(GOOD.replace("K2,placebo", f"K2,{value}"))
    assert ("unknown_arm", 3) in codes(report.errors)
    assert report.errors[0].params == {"value": value}


@pytest.mark.parametrize("value", ["", "A" * 21, "AB CD", "AB_CD", "编码12", "AB/1", "'K2"])
def test_bad_blind_code(value):
    report = _small(GOOD.replace("K2", f'"{value}"'))
    assert codes(report.errors) == [("bad_blind_code", 3)]
    assert report.errors[0].params == {"value": value}


def test_blind_code_of_20_characters_is_fine():
    assert _small(GOOD.replace("K2", "A" * 19 + "-")).ok


def test_duplicate_blind_code_case_insensitive():
    report = _small(GOOD.replace("K3", "k1"))
    assert codes(report.errors) == [("duplicate_blind_code", 4)]
    assert report.errors[0].params == {"code": "k1", "first_line": 2}
    assert [r.sequence for r in report.rows] == [1, 2, 4]


def test_blind_code_exists_in_an_existing_list():
    report = _small(GOOD, existing_blind_codes={"k2", "OTHER"})
    assert codes(report.errors) == [("blind_code_exists", 3)]
    assert report.errors[0].params == {"code": "K2"}


def test_duplicate_sequence():
    report = _small(GOOD + "A,2,K5,msc\n")
    assert ("duplicate_sequence", 6) in codes(report.errors)
    issue = next(i for i in report.errors if i.code == "duplicate_sequence")
    assert issue.params == {"stratum": "A", "sequence": 2, "first_line": 3}


def test_several_errors_on_one_row_are_all_reported():
    report = _small(GOOD + "Z,0,??,arm\n")
    assert codes(report.errors) == [("unknown_stratum", 6), ("bad_sequence", 6), ("unknown_arm", 6),
                                    ("bad_blind_code", 6)]


# --- strata ------------------------------------------------------------------------------------------


def test_gap_names_missing_numbers():
    report = _small("A,1,K1,msc\nA,2,K2,placebo\nA,4,K4,msc\nA,6,K6,placebo\nA,7,K7,msc\nA,8,K8,placebo\n")
    gap = next(i for i in report.errors if i.code == "gap")
    assert gap.line is None and gap.params == {"stratum": "A", "missing": [3, 5], "missing_count": 2}
    assert gap.message == "Stratum 'A': 2 sequence number(s) missing: 3, 5."
    assert report.warnings and report.warnings[0].code == "long_stratum"  # 6 rows for capacity 4


def test_gap_lists_at_most_ten():
    report = _small("A,1,K1,msc\nA,2,K2,placebo\nA,3,K3,placebo\nA,4,K4,msc\nA,1000000000,K5,msc\n")
    gap = next(i for i in report.errors if i.code == "gap")
    assert gap.params["missing"] == list(range(5, 15))
    assert gap.params["missing_count"] == 1_000_000_000 - 5


def test_short_stratum():
    report = _small("A,1,K1,msc\nA,2,K2,placebo\n")
    assert codes(report.errors) == [("short_stratum", None)]
    assert report.errors[0].params == {"stratum": "A", "rows": 2, "capacity": 4}
    assert len(report.rows) == 2  # still previewed


def test_absent_stratum_is_short_with_zero_rows():
    report = _small(GOOD, cap={"A": 4, "B": 4})
    assert codes(report.errors) == [("short_stratum", None)]
    assert report.errors[0].params == {"stratum": "B", "rows": 0, "capacity": 4}


def test_long_stratum_is_a_warning_only():
    report = _small(GOOD + "A,5,K5,msc\nA,6,K6,placebo\n")
    assert report.ok and codes(report.warnings) == [("long_stratum", None)]
    assert report.warnings[0].params == {"stratum": "A", "rows": 6, "capacity": 4}
    assert len(report.rows) == 6


def test_imbalance_is_a_warning_with_counts():
    report = _small(GOOD.replace("placebo", "msc", 1))
    assert report.ok and codes(report.warnings) == [("imbalance", None)]
    assert report.warnings[0].params == {"stratum": "A", "msc": 3, "placebo": 1}


def test_statistician_96_rows_with_odd_even_imbalance_and_spares():
    flip = {"msc": "placebo", "placebo": "msc"}
    rows = [dataclasses.replace(r, arm=flip[r.arm]) if r.stratum == "S3" and r.sequence == 1 else r
            for r in generate_list(list(CAPACITY.items()), 99)]
    rows.append(ListRow("S4", 25, "SPARE-1", "msc", 0))
    report = parse_allocation_csv(_csv(rows), strata_capacity=CAPACITY)
    assert report.ok
    assert sorted(i.code for i in report.warnings) == ["imbalance", "imbalance", "long_stratum"]
    assert len(report.rows) == 97


# --- messages ----------------------------------------------------------------------------------------


def test_every_message_renders():
    params = {
        "too_large": {"max_bytes": 1, "max_rows": 2}, "encoding": {"position": 3}, "empty": {},
        "binary": {}, "malformed": {}, "columns": {"missing": ["arm"], "extra": [], "found": ["x"]},
        "row_columns": {"found": 5, "expected": 4}, "unknown_stratum": {"stratum": "Z"},
        "bad_sequence": {"value": "x"}, "unknown_arm": {"value": "x"}, "bad_blind_code": {"value": "x"},
        "duplicate_blind_code": {"code": "K", "first_line": 2}, "blind_code_exists": {"code": "K"},
        "duplicate_sequence": {"stratum": "A", "sequence": 1, "first_line": 2},
        "gap": {"stratum": "A", "missing": [3], "missing_count": 1},
        "short_stratum": {"stratum": "A", "rows": 0, "capacity": 24},
        "long_stratum": {"stratum": "A", "rows": 25, "capacity": 24},
        "imbalance": {"stratum": "A", "msc": 13, "placebo": 11},
    }
    assert set(params) == set(MESSAGES)
    for code, p in params.items():
        text = Issue(code, 7, p).message
        assert text and "{" not in text
    assert Issue("unknown_stratum", 9, {"stratum": "Z"}).message == "Line 9: unknown stratum 'Z'."
    assert "Unexpected: none" in Issue("columns", 1, params["columns"]).message


def test_report_never_raises_on_random_bytes():
    import random

    rng = random.Random(4)
    for _ in range(300):
        alphabet = b'AS1,"\n\r msc-placebo\xef\xbb\xbf\x00\xe4'
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(80)))
        report = parse_allocation_csv(HEADER.encode() + data, strata_capacity=SMALL)
        assert all(i.code in MESSAGES for i in report.errors + report.warnings)
        for issue in report.errors + report.warnings:
            assert issue.message
