"""Explanations in the reader's language (docs/LAB_IMPORT.md "Explanations in the reader's
language"): a staged result's explanation and a refused batch's reason are stored in English (with
their template and parameters) and shown in Chinese to a Chinese reader, parameters filled in; every
template used in labs/ is marked with gettext_noop and translated."""
import ast
import html
import json
import re
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from crf.models.labs import LabPanel
from labs.explain import Explanation, explain, shown, word
from labs.models import ImportBatch, StagedResult, Status
from labs.services.accept import accept
from labs.services.mapping import ensure_default_mappings
from tests.labs.helpers import EXAMPLES, LATER, data_manager, example_trial, stage

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
HEADER = "patient_id,sample_collected_at,test_code,test_name,result,unit,reference_range,abnormal_flag,report_id,status"
MSH = "MSH|^~\\&|LIS|PLAGH|EDC|TRIAL|20250403080000||ORU^R01|{id}|P|2.4"
PID = "PID|1||ZY2025000123^^^PLAGH^MR||^^|19900512|F"


def csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


@pytest.fixture
def trial(site, clinician):
    p1, p2 = example_trial(site, clinician)
    ensure_default_mappings()
    return {"p1": p1, "dm": data_manager(site)}


def reader(client_for, user, language):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(client, batch_id) -> str:
    response = client.get(f"/labs/batches/{batch_id}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def explanation(batch_id, position) -> str:
    return StagedResult.objects.get(batch_id=batch_id, position=position).explanation


@pytest.mark.django_db
def test_a_chinese_reader_sees_every_kind_of_explanation_in_chinese(trial, client_for):
    dm = trial["dm"]
    first = stage(csv("ZY2025000123,2025-04-03 07:55,UPCR,UPCR,100,mg/mmol,,,R1,final",
                      "ZY2025000123,2025-04-03 07:55,CREA,Creatinine,84,umol/L,,,R1,final"), dm, filename="first.csv")
    with time_machine.travel(LATER, tick=False):
        done = accept(ImportBatch.objects.get(pk=first["batch"]), user=dm, reason="LIS", all_ready=True)
    assert done["accepted"] == 2
    held = LabPanel.objects.get().creatinine_value
    rows = stage(csv("ZY2025000123,2025-05-20 07:55,ALB,Albumin,30,g/L,,,R2,final",
                     "ZY2025000123,2025-04-03 07:55,CREA,Creatinine,90,umol/L,,,R3,final",
                     "ZY2025000123,2025-04-03 07:55,ESR,ESR,20,mm/h,,,R4,final",
                     "ZY2025000123,2025-04-03 07:55,C4,C4,<0.05,g/L,,,R5,final",
                     "ZY2025000123,2025-04-03 07:55,ALB,Albumin,30,mg%,,,R6,final",
                     "ZY2025000123,2025-05-02 07:55,ALB,Albumin,30,g/L,,,R7,final"), dm)["batch"]
    messages = "\r".join([MSH.format(id="A1").replace("ORU^R01", "ADT^A01"), PID,
                          MSH.format(id="V1").replace("|P|2.4", "|P|"), PID])
    hl7 = stage(messages.encode(), dm, filename="bad.hl7")["batch"]
    fhir = stage(json.dumps({"resourceType": "Bundle", "type": "collection",
                             "entry": [{"resource": {"resourceType": "Condition", "id": "c1"}}]}).encode(),
                 dm, filename="c.json")["batch"]

    # stored in English, as before (the CLI's JSON, exports and the audit trail read these)
    assert explanation(rows, 1) == "collected on 2025-05-20, outside every visit window"
    assert explanation(rows, 2) == f"the form holds {held}"
    assert explanation(rows, 4) == "'<0.05': reported beyond a measuring limit; the form holds exact numbers only"
    assert explanation(hl7, 1) == "message type ADT^A01 is not ORU^R01 (observation results)"
    assert explanation(hl7, 2) == "HL7 version (none) is not 2.3-2.5"
    assert explanation(fhir, 1) == "entry is a Condition, not an Observation"

    chinese = reader(client_for, dm, "zh-hans")
    text = page(chinese, rows)
    assert "采样日期 2025-05-20 不在任何访视窗口内" in text
    assert f"表单中的现有值为 {held}" in text
    assert "该项目代码没有映射；数据管理员可以添加" in text
    assert "'<0.05'：报告值超出检测限；表单只接收确切数值" in text
    assert "未知单位 'mg%'" in text
    assert "outside every visit window" not in text and "the form holds" not in text
    text = page(chinese, hl7)
    assert "消息类型 ADT^A01 不是ORU^R01（检验结果）" in text
    assert "HL7版本 （无） 不在2.3–2.5之内" in text  # a parameter that is a word is translated too
    assert "条目是 Condition，不是Observation" in page(chinese, fhir)

    # an accepting reviewer reading Chinese: the row keeps English, shows Chinese, the field's name translated
    lone = StagedResult.objects.get(batch_id=rows, position=6)
    assert lone.status == Status.READY
    chinese.post(f"/labs/batches/{rows}/", {"action": "rows", "rows": [lone.pk], "reason": "LIS"})
    lone.refresh_from_db()
    assert lone.status == Status.READY and lone.explanation.startswith("Not accepted: a new lab panel needs")
    assert "Urine protein/creatinine ratio (UPCR), Serum creatinine" in lone.explanation
    with translation.override("zh-hans"):
        upcr = str(LabPanel._meta.get_field("upcr_value").verbose_name)
        creatinine = str(LabPanel._meta.get_field("creatinine_value").verbose_name)
    assert f"未接受：新建化验表需要尿蛋白/肌酐比值和血肌酐；本批次中该访视没有{upcr}、{creatinine}" in \
        page(chinese, rows)

    # the same rows in English for an English reader
    english = page(reader(client_for, dm, "en"), rows)
    assert "collected on 2025-05-20, outside every visit window" in english and "采样日期" not in english


@pytest.mark.django_db
def test_a_refused_batch_is_explained_in_the_readers_language(trial, client_for):
    dm = trial["dm"]
    bundle = json.loads((EXAMPLES / "observations_r4.json").read_text())
    bundle["meta"] = {"fhirVersion": "5.0.0"}
    chinese = reader(client_for, dm, "zh-hans")
    upload = SimpleUploadedFile("r5.json", json.dumps(bundle).encode())
    response = chinese.post("/labs/batches/", {"file": upload, "format": "auto"}, follow=True)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.error == "The bundle declares FHIR 5.0.0; this interface takes FHIR R4 (4.0.x)."
    text = html.unescape(response.content.decode())
    assert "文件被拒收：该Bundle声明为FHIR 5.0.0；本接口只接收FHIR R4（4.0.x）。" in text  # the message
    assert "该Bundle声明为FHIR 5.0.0" in page(chinese, batch.pk)  # the batch page
    assert "该Bundle声明为FHIR 5.0.0" in html.unescape(chinese.get("/labs/batches/").content.decode())  # the list
    # the JSON summary (import_labs, the FHIR endpoint) stays English
    summary = stage(b"patient_id,result\n", dm, filename="short.csv")
    assert summary["error"] == ("Columns not found: sample_collected_at, report_id, test_code. Use the default "
                                "headers (English or Chinese) or a saved column mapping.")
    assert json.loads(json.dumps(summary))["error"] == summary["error"]
    assert "未找到列：sample_collected_at, report_id, test_code。" in page(chinese, summary["batch"])


def test_explanations_render_in_the_active_language():
    why = explain("%(value)s: %(problem)s", value="'++'",
                  problem=explain("a qualitative result; the form holds a measured number"))
    assert why == "'++': a qualitative result; the form holds a measured number"
    stored = why.as_json()
    with translation.override("zh-hans"):
        assert why.translated() == "'++'：定性结果；表单只接收测量数值"
        assert shown("", stored["msgid"], stored["args"]) == why.translated()  # as the row keeps it
        assert shown("repeated in this file") == "本文件中重复出现"  # a row staged before templates were kept
        assert shown("no such text") == "no such text"
        assert word("Serum creatinine").translated() == "血肌酐"
    with translation.override("en"):
        assert shown("", stored["msgid"], stored["args"]) == str(why)
    assert isinstance(why, str) and json.dumps({"e": why}) == json.dumps({"e": str(why)})


# --- every explanation is a marked template, and the catalogue translates it --------------------------

MARKED = {"explain", "SourceRefused", "verdict", "_set", "Reading"}  # where explanations are handed on


def _labs_sources():
    return [p for p in sorted((ROOT / "labs").rglob("*.py")) if "migrations" not in p.parts]


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _explanations():
    """(where, msgid) of every explain(...) call in labs/, and the places where a text that is not a
    marked template is handed on as an explanation."""
    used, unmarked = [], []
    for path in _labs_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and _name(node.func) == "explain" and path.name != "explain.py":
                first = node.args[0] if node.args else None
                if (isinstance(first, ast.Call) and _name(first.func) == "gettext_noop"
                        and isinstance(first.args[0], ast.Constant)):
                    used.append((where, first.args[0].value))
                else:
                    unmarked.append(where)
            handed = []
            if isinstance(node, ast.Call) and _name(node.func) in MARKED - {"explain"}:
                handed = node.args[-1:] if _name(node.func) != "Reading" else \
                    [k.value for k in node.keywords if k.arg == "problem"]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = zip(target.elts, node.value.elts, strict=False) if isinstance(target, ast.Tuple) and \
                        isinstance(node.value, ast.Tuple) else [(target, node.value)]
                    handed += [v for t, v in pairs
                               if isinstance(t, ast.Attribute) and t.attr in ("error", "explanation")]
            for value in handed:
                if isinstance(value, ast.JoinedStr | ast.BinOp) or (
                        isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value):
                    unmarked.append(where)
    return used, unmarked


def test_every_explanation_is_a_marked_template():
    used, unmarked = _explanations()
    assert len(used) > 50, "the scan found too few explain() calls: is it still reading labs/?"
    assert unmarked == [], "use explain(gettext_noop('...'), **params) (labs/explain.py)"


def test_every_explanation_has_a_chinese_translation():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.msgctxt and e.translated()}
    used, _ = _explanations()
    missing = sorted(f"{where}: {msgid!r}" for where, msgid in used if msgid not in po)
    assert missing == [], "add these to locale/zh_Hans/LC_MESSAGES/django.po, then scripts/compile_messages.py"
    placeholder = re.compile(r"%\((\w+)\)s")
    with translation.override("zh-hans"):
        for where, msgid in used:
            assert set(placeholder.findall(po[msgid])) == set(placeholder.findall(msgid)), where
            assert translation.gettext(msgid) == po[msgid], f"{where}: the .mo is stale"
            assert re.search(r"[\u4e00-\u9fff]", po[msgid]) or msgid in ("%(value)s: %(problem)s",), where
    assert isinstance(explain("x"), Explanation)
