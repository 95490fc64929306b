"""The lab import's part of the living demo trial (docs/DAILY_USE.md "The demo trial";
docs/LAB_IMPORT.md): three demo participants get hospital record numbers, and this week's export of
the hospital laboratory system waits on *Lab import* for the data manager's review — a file with the
Chinese header set in GBK, as the LIS writes it, staged through the real service. Its rows show what
a reviewer meets: results ready for the month-2 visit that is due, a value that differs from the form
(albumin, the one the monitor's open query asks about), results already on the form, a panel taken
between two visit windows (to place or skip), a result beyond a measuring limit ("<10") the form
cannot hold, a patient who is not in the trial and a test with no mapping."""
import csv
import io
from datetime import datetime, time, timedelta

from django.utils import timezone

DEMO_FILE = "LIS导出_本周.csv"  # "LIS export, this week"
HEADER = ["病历号", "采样时间", "项目代码", "项目名称", "结果", "单位", "参考范围", "标志", "报告单号", "状态"]
NUMBERS = {"DEMO-06": "ZY-DEMO-0006", "DEMO-07": "ZY-DEMO-0007", "DEMO-08": "ZY-DEMO-0008"}


def _panel(number, when, report, results):
    return [[number, f"{when:%Y-%m-%d %H:%M}", code, name, value, unit, ref, flag, report, "已审核"]
            for code, name, value, unit, ref, flag in results]


def demo_rows(today) -> list:
    """This week's results (collection times as the LIS writes them: local, no zone)."""
    def day(n, hour=7, minute=40):
        return datetime.combine(today - timedelta(days=n), time(hour, minute))

    rows = []
    # DEMO-06, month 2 (due this week): collected yesterday, inside the window, no form yet: ready.
    rows += _panel(NUMBERS["DEMO-06"], day(1), "R-DEMO-0601", [
        ("UPCR", "尿蛋白肌酐比", "1.650", "g/g", "<0.2", "H"),
        ("CREA", "肌酐", "90", "μmol/L", "41-81", "H"),
        ("ALB", "白蛋白", "33.0", "g/L", "40-55", "L"),
        ("C3", "补体C3", "0.74", "g/L", "0.9-1.8", "L"),
        ("DSDNA", "抗双链DNA抗体", "<10", "IU/mL", "<100", ""),
        ("URBC", "尿红细胞", "阴性", "/HPF", "0-3", ""),
        ("FERR", "铁蛋白", "210", "ng/mL", "13-150", "H"),  # no mapping: the lab form has no ferritin
    ])
    # ZY-9999: a patient of the hospital who is not in the trial.
    rows += _panel("ZY-9999", day(2, 8, 5), "R-DEMO-9901", [("CREA", "肌酐", "71", "μmol/L", "41-81", "")])
    # DEMO-07: taken three days ago, after the month-3 window closed and before month 4's opens.
    rows += _panel(NUMBERS["DEMO-07"], day(3, 8, 20), "R-DEMO-0703", [
        ("UPCR", "尿蛋白肌酐比", "1.500", "g/g", "<0.2", "H"),
        ("CREA", "肌酐", "86", "μmol/L", "41-81", "H"),
    ])
    return rows


def demo_file(rows) -> bytes:
    """The rows as the LIS exports them: the Chinese header set, CRLF, GBK."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("gbk")


def month1_rows(participant) -> list:
    """DEMO-06's month-1 panel as the laboratory reported it: UPCR as on the form, albumin 30 (the
    form holds 32 and the monitor has asked about it)."""
    visit = participant.visits.get(code="m1")
    when = datetime.combine(visit.visit_date, time(7, 50))
    return _panel(NUMBERS["DEMO-06"], when, "R-DEMO-0602", [
        ("UPCR", "尿蛋白肌酐比", "1.900", "g/g", "<0.2", "H"),
        ("ALB", "白蛋白", "30.0", "g/L", "40-55", "L"),
    ])


def load_demo(stdout) -> None:
    """Once: nothing happens when the demo's numbers are recorded already or the demo people are missing."""
    from edc.models import Participant, User
    from labs.models import HospitalRecordNumber
    from labs.services.identifiers import set_hospital_record_number
    from labs.services.staging import stage_bytes

    people = {p.screening_number: p for p in Participant.objects.filter(screening_number__in=NUMBERS)
              .select_related("site")}
    clinician = User.objects.filter(username="clinician").first()
    manager = User.objects.filter(username="datamanager").first()
    if (len(people) < len(NUMBERS) or clinician is None or manager is None
            or HospitalRecordNumber.objects.filter(participant__in=people.values()).exists()):
        return
    for screening, number in NUMBERS.items():
        set_hospital_record_number(people[screening], number, user=clinician,
                                   reason="Hospital record number from the admission record (demo)")
    data = demo_file(demo_rows(timezone.localdate()) + month1_rows(people["DEMO-06"]))
    summary = stage_bytes(data, filename=DEMO_FILE, user=manager, sites=list(manager.sites.all()))
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary["counts"].items()) if v)
    stdout.write(f"Lab import: the LIS export of this week staged as batch #{summary['batch']} ({counts}).")
