"""The example files of docs/LAB_IMPORT.md, made by the project (python -m labs.examples.make_examples).

Two participants randomized on 2025-03-03 (month 0), each with the month-0 and month-1 panels of
the hospital's central laboratory, written in every format the import reads: the LIS's CSV export
with Chinese headers in GBK and with English headers in UTF-8 with BOM, the same as XLSX, HL7 v2.4
ORU^R01 (one message per report, plus a corrected creatinine, OBX-11 C) and a FHIR R4 Bundle.
Tests import each end to end (tests/labs/test_examples.py)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).parent
MONTH0 = "2025-03-03"
PEOPLE = [  # hospital record number, screening number, birth date, sex
    ("ZY2025000123", "0001", "1990-05-12", "F"),
    ("ZY2025000456", "0002", "1986-11-30", "F"),
]
# local code, LOINC, Chinese name, English name, unit as the LIS writes it, reference range,
# values [m0 p1, m1 p1, m0 p2, m1 p2]
TESTS = [
    ("UPCR", "2890-2", "尿蛋白肌酐比", "Urine protein/creatinine ratio", "mg/mmol", "<22.6",
     ["271.5", "203.6", "339.4", "316.7"]),
    ("24HUP", "2889-4", "24小时尿蛋白", "24-hour urine protein", "g/24h", "<0.15", ["2.85", "", "3.62", ""]),
    ("CREA", "14682-9", "肌酐", "Creatinine", "μmol/L", "41-81", ["88", "84", "102", "97"]),
    ("ALB", "1751-7", "白蛋白", "Albumin", "g/L", "40-55", ["28.4", "30.1", "26.9", "27.5"]),
    ("C3", "4485-9", "补体C3", "Complement C3", "g/L", "0.9-1.8", ["0.52", "0.61", "0.44", "0.49"]),
    ("C4", "4498-2", "补体C4", "Complement C4", "g/L", "0.1-0.4", ["0.06", "0.08", "<0.05", "0.05"]),
    ("DSDNA", "5130-0", "抗双链DNA抗体", "Anti-dsDNA", "IU/mL", "<100", ["356.2", "241.0", ">800", "512.4"]),
    ("URBC", "13945-1", "尿红细胞", "Urine RBC", "/HPF", "0-3", ["25", "12", "阴性", "18"]),
    ("UWBC", "5821-4", "尿白细胞", "Urine WBC", "/HPF", "0-5", ["6", "4", "3", "++"]),
    ("CAST", "", "管型", "Casts", "", "阴性", ["颗粒管型", "阴性", "红细胞管型", "阴性"]),
    ("HGB", "718-7", "血红蛋白", "Haemoglobin", "g/L", "115-150", ["104", "108", "96", "101"]),
    ("WBC", "6690-2", "白细胞", "White blood cells", "10^9/L", "3.5-9.5", ["4.8", "5.2", "3.1", "3.6"]),
    ("PLT", "777-3", "血小板", "Platelets", "10^9/L", "125-350", ["182", "196", "121", "140"]),
    ("ALT", "1742-6", "谷丙转氨酶", "ALT", "U/L", "7-40", ["18", "22", "31", "26"]),
    ("AST", "1920-8", "谷草转氨酶", "AST", "U/L", "13-35", ["21", "19", "28", "24"]),
]
PANELS = [  # (person index, visit, collected at, report id, value column)
    (0, "m0", "2025-03-04 07:40", "R20250304-0101", 0), (0, "m1", "2025-04-03 07:55", "R20250403-0107", 1),
    (1, "m0", "2025-03-05 08:10", "R20250305-0112", 2), (1, "m1", "2025-04-04 08:05", "R20250404-0119", 3),
]
UCUM = {"μmol/L": "umol/L", "10^9/L": "10*9/L", "/HPF": "/[HPF]", "g/24h": "g/(24.h)", "IU/mL": "[IU]/mL"}
ZH = ["病历号", "采样时间", "项目代码", "项目名称", "结果", "单位", "参考范围", "标志", "报告单号", "状态"]
EN = ["patient_id", "sample_collected_at", "test_code", "test_name", "result", "unit", "reference_range",
      "abnormal_flag", "report_id", "status"]


def _flag(value: str, ref: str) -> str:
    try:
        v = float(value)
    except ValueError:
        return ""
    if "-" in ref:
        low, high = (float(x) for x in ref.split("-"))
        return "L" if v < low else "H" if v > high else ""
    return "H" if ref.startswith("<") and v >= float(ref[1:]) else ""


def rows(chinese: bool, people=PEOPLE, panels=PANELS) -> list[list[str]]:
    out = []
    for person, _visit, when, report, col in panels:
        for code, _loinc, zh, en, unit, ref, values in TESTS:
            if values[col]:
                out.append([people[person][0], when, code, zh if chinese else en, values[col], unit, ref,
                            _flag(values[col], ref), report, "已审核" if chinese else "final"])
    return out


def csv_bytes(chinese: bool, encoding: str, people=PEOPLE, panels=PANELS) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ZH if chinese else EN)
    writer.writerows(rows(chinese, people, panels))
    return buffer.getvalue().encode(encoding)


def xlsx(path: Path, people=PEOPLE, panels=PANELS) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("检验结果")
    sheet.append(ZH)
    for row in rows(True, people, panels):
        row = list(row)
        row[1] = datetime.fromisoformat(row[1])  # Excel keeps times as dates
        sheet.append(row)
    book.save(path)


def hl7_ts(text: str) -> str:
    return text.replace("-", "").replace(" ", "").replace(":", "")


def hl7_messages(people=PEOPLE, panels=PANELS) -> str:
    messages = []
    for n, (person, _visit, when, report, col) in enumerate(panels, start=1):
        number, screening, dob, sex = people[person]
        lines = [f"MSH|^~\\&|LIS|PLAGH|EDC|TRIAL|{hl7_ts(when)}30||ORU^R01|LIS{report[-8:]}{n:02d}|P|2.4|||AL|NE|CHN",
                 f"PID|1||{number}^^^PLAGH^MR~{screening}^^^TRIAL^SN||^^|{dob.replace('-', '')}|{sex}",
                 f"OBR|1|{report}|{report}|LAB^Renal and lupus panel^L|||{hl7_ts(when)}00"]
        set_id = 0
        for code, loinc, zh, _en, unit, ref, values in TESTS:
            if not values[col]:
                continue
            set_id += 1
            kind = "NM" if values[col].replace(".", "").isdigit() else "ST"
            ident = f"{code}^{zh}^L" + (f"^{loinc}^^LN" if loinc else "")
            value = values[col].replace("^", "\\S\\")
            unit = unit.replace("^", "\\S\\")  # HL7 escape of the component separator in 10^9/L
            lines.append(f"OBX|{set_id}|{kind}|{ident}||{value}|{unit}|{ref}|{_flag(values[col], ref)}|||F")
        messages.append("\r".join(lines))
    # a corrected creatinine for the first participant's month-1 report (OBX-11 C)
    person, _visit, when, report, _col = panels[1 if len(panels) > 1 else 0]
    number, screening, dob, sex = people[person]
    messages.append("\r".join([
        f"MSH|^~\\&|LIS|PLAGH|EDC|TRIAL|{hl7_ts(when)[:8]}143000||ORU^R01|LIS{report[-8:]}C1|P|2.4|||AL|NE|CHN",
        f"PID|1||{number}^^^PLAGH^MR||^^|{dob.replace('-', '')}|{sex}",
        f"OBR|1|{report}|{report}|LAB^Renal and lupus panel^L|||{hl7_ts(when)}00",
        "OBX|1|NM|CREA^肌酐^L^14682-9^^LN||94|μmol/L|41-81|H|||C"]))
    return "\r".join(messages) + "\r"


def fhir_bundle(people=PEOPLE, panels=PANELS) -> dict:
    entries = []
    for i, (number, screening, dob, sex) in enumerate(people):
        entries.append({"fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{i}", "resource": {
            "resourceType": "Patient", "id": f"p{i}",
            "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                 "code": "MR"}]}, "value": number},
                           {"type": {"coding": [{"code": "SN"}]}, "value": screening}],
            "gender": "female" if sex == "F" else "male", "birthDate": dob}})
    for person, _visit, when, report, col in PANELS:
        for code, loinc, zh, en, unit, _ref, values in TESTS:
            value = values[col]
            if not value:
                continue
            coding = ([{"system": "http://loinc.org", "code": loinc, "display": en}] if loinc else []) + [
                {"system": "urn:oid:2.16.840.1.113883.2.52.PLAGH.lis", "code": code, "display": zh}]
            obs = {"resourceType": "Observation", "id": f"{report}-{code}".lower(),
                   "identifier": [{"system": "urn:plagh:lis:result", "value": f"{report}-{code}"}],
                   "status": "final",
                   "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                             "code": "laboratory"}]}],
                   "code": {"coding": coding, "text": zh},
                   "subject": {"reference": f"urn:uuid:00000000-0000-4000-8000-00000000000{person}"},
                   "effectiveDateTime": when.replace(" ", "T") + ":00+08:00"}
            try:
                obs["valueQuantity"] = {"value": float(value), "unit": unit,
                                        "system": "http://unitsofmeasure.org", "code": UCUM.get(unit, unit)}
            except ValueError:
                obs["valueString"] = value
            entries.append({"fullUrl": f"urn:uuid:obs-{report}-{code}".lower(), "resource": obs})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_all(out: Path, people=PEOPLE, panels=PANELS) -> list[Path]:
    files = [out / "lis_export_zh_gbk.csv", out / "lis_export_en_utf8_bom.csv", out / "lis_export_zh.xlsx",
             out / "oru_r01_v24.hl7", out / "observations_r4.json"]
    files[0].write_bytes(csv_bytes(True, "gbk", people, panels))
    files[1].write_bytes(csv_bytes(False, "utf-8-sig", people, panels))
    xlsx(files[2], people, panels)
    files[3].write_bytes(hl7_messages(people, panels).encode("utf-8"))
    files[4].write_text(json.dumps(fhir_bundle(people, panels), ensure_ascii=False, indent=1), encoding="utf-8")
    return files


def main() -> None:
    write_all(HERE)


if __name__ == "__main__":
    main()
