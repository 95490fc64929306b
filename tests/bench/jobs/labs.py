"""Lab import staging (docs/LAB_IMPORT.md "Performance"): a CSV export of the laboratory system is
staged as one batch — every result decided (participant by hospital record number, mapping, unit,
visit window, duplicates and conflicts with the forms) and bulk-inserted.

    python -m tests.bench.jobs.labs trial   # a panel at every scheduled visit of every participant: the
                                            # whole trial's labs (96 x 17 = 1,632 panels, 24,480 results),
                                            # staged as if on the day after the last visit (time_machine)
    python -m tests.bench.jobs.labs one     # one panel per participant, its latest done visit (at 10,000:
                                            # 10,000 panels)

Setup (not timed): hospital record numbers for every randomized participant. The synthetic trial
already holds typed lab panels, so most results are staged as duplicates or conflicts: the same
work as 'ready' (every check runs), and the realistic case of importing the history of a trial."""
import csv
import io
import resource
import sys
import time

from tests.bench.jobs import emit, setup

TESTS = [("UPCR", "mg/mmol", "226.2"), ("24HUP", "g/24h", "2.10"), ("CREA", "μmol/L", "86"), ("ALB", "g/L", "31.2"),
         ("C3", "g/L", "0.71"), ("C4", "g/L", "0.12"), ("DSDNA", "IU/mL", "188.0"), ("URBC", "/HPF", "8"),
         ("UWBC", "/HPF", "3"), ("CAST", "", "阴性"), ("HGB", "g/L", "118"), ("WBC", "10^9/L", "5.6"),
         ("PLT", "10^9/L", "210"), ("ALT", "U/L", "21"), ("AST", "U/L", "24")]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def numbers() -> dict:
    """Hospital record numbers for every randomized participant (bulk; a benchmark copy only)."""
    from edc.models import Participant
    from labs.models import HospitalRecordNumber
    from labs.services import identifiers

    fernet = identifiers._fernet()
    out, rows = {}, []
    for pk in Participant.objects.filter(randomization__isnull=False).values_list("pk", flat=True):
        number = f"ZY{len(out) + 1:08d}"
        out[pk] = number
        rows.append(HospitalRecordNumber(participant_id=pk, digest=identifiers.digest(number),
                                         ciphertext=fernet.encrypt(number.encode()).decode()))
    HospitalRecordNumber.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return out


def export_file(mode: str, hospital: dict) -> tuple[bytes, int]:
    from django.db.models import Max

    from crf.models import Visit

    done = Visit.objects.filter(visit_date__isnull=False, participant_id__in=hospital)
    if mode == "trial":
        visits = list(Visit.objects.filter(participant_id__in=hospital).only("participant_id", "month", "target_date"))
        for v in visits:
            v.visit_date = v.target_date
    elif mode == "one":
        latest = done.values("participant_id").annotate(m=Max("month"))
        wanted = {(r["participant_id"], r["m"]) for r in latest}
        visits = [v for v in done.only("participant_id", "month", "visit_date")
                  if (v.participant_id, v.month) in wanted]
    else:
        visits = list(done.only("participant_id", "month", "visit_date"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["病历号", "采样时间", "项目代码", "项目名称", "结果", "单位", "参考范围", "标志", "报告单号",
                     "状态"])
    for n, v in enumerate(visits):
        when = f"{v.visit_date} 08:00"
        for code, unit, value in TESTS:
            writer.writerow([hospital[v.participant_id], when, code, code, value, unit, "", "", f"R{n:07d}", "final"])
    return buffer.getvalue().encode("utf-8"), len(visits)


def _after_last_visit(mode: str):
    """The whole trial's labs are all in the past only after the last visit: stage on that day."""
    import contextlib
    from datetime import datetime, timedelta
    from datetime import time as day_time

    import time_machine
    from django.db.models import Max

    from crf.models import Visit

    if mode != "trial":
        return contextlib.nullcontext()
    last = Visit.objects.aggregate(m=Max("window_end"))["m"]
    return time_machine.travel(datetime.combine(last + timedelta(days=1), day_time(12)), tick=True)


def main() -> None:
    setup()
    from django.contrib.auth import get_user_model

    from edc import roles
    from edc.models import Site
    from labs.models import ImportBatch
    from labs.services.staging import stage_bytes

    mode = sys.argv[1] if len(sys.argv) > 1 else "trial"
    started = time.perf_counter()
    hospital = numbers()
    user = get_user_model().objects.filter(groups__name=roles.DATA_MANAGER).first()
    data, panels = export_file(mode, hospital)
    setup_seconds = time.perf_counter() - started
    rss_before = rss_mb()
    started = time.perf_counter()
    from django.conf import settings
    settings.LAB_IMPORT_MAX_BYTES = max(settings.LAB_IMPORT_MAX_BYTES, len(data) + 1)  # the one-file figure
    with _after_last_visit(mode):
        summary = stage_bytes(data, filename=f"bench-{mode}.csv", user=user, sites=list(Site.objects.all()),
                              fmt="csv")
    seconds = time.perf_counter() - started
    assert summary["status"] == "staged", summary
    emit({"mode": mode, "panels": panels, "results": summary["counts"]["total"], "bytes": len(data),
          "seconds": seconds, "results_per_second": summary["counts"]["total"] / seconds,
          "setup_seconds": setup_seconds, "rss_before_mb": rss_before, "rss_peak_mb": rss_mb(),
          "rss_growth_mb": rss_mb() - rss_before, "counts": summary["counts"],
          "batches": ImportBatch.objects.count()})


if __name__ == "__main__":
    main()
