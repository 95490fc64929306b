"""The full blinded export (exports.writers.write_zip of exports.datasets.all_datasets(): CSV and
SPSS .sav of every dataset, codebook, CDISC ODM) — its time and this process's peak memory —
and, for comparison, PostgreSQL streaming the same rows as CSV (COPY (SELECT ...) TO STDOUT).

    python -m tests.bench.jobs.export zip <path>     {"seconds", "rss_mb", "bytes"}
    python -m tests.bench.jobs.export copy           {"seconds", "bytes", "rows"}
    python -m tests.bench.jobs.export api            the largest dataset as the statistician API writes it,
                                                     and COPY of its rows, in this one process
"""
import resource
import sys
import time

from tests.bench.jobs import emit, setup


class _Sink:
    """Where COPY writes: counted, then dropped (the comparison is reading the rows, not disk speed)."""

    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        self.lines += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")
        return len(data)


def export_zip(path: str) -> dict:
    from exports.datasets import all_datasets
    from exports.services.runs import parallel
    from exports.writers import write_zip

    started = time.perf_counter()
    _sha, size = write_zip(all_datasets(), path, readme_extra="BLINDED export: blind codes only, no arm.\n",
                           **parallel())
    seconds = time.perf_counter() - started
    # the peak of this process and of the forked one that wrote half the datasets (both count in memory)
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "bytes": size, "rss_mb": peak / 1024, "processes": parallel()["processes"]}


def copy_queries() -> list[str]:
    """SQL reading the rows of every dataset (the querysets exports.datasets reads, and plain joins
    for the three datasets it assembles in Python)."""
    from django.db import connection

    from crf import registry
    from exports.datasets import INTERNAL
    from safety.models import AdverseEvent

    def sql(qs) -> str:
        text, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            return cursor.mogrify(text, params).decode()

    out = []
    for t in registry.ordered():
        fields = [f for f in t.model._meta.concrete_fields if f.name not in INTERNAL
                  and f.name not in getattr(t.model, "blinded_fields", ())]
        names = ["participant__participant_code", "visit__code", "visit__month", *[f.attname for f in fields]]
        out.append(sql(t.model.objects.order_by("participant__participant_code", "visit__month", "created_at",
                                                "pk")
                       .values_list(*names)))
    ae_names = ["participant__participant_code", "term", "soc", "onset_date", "end_date", "grade",
                *AdverseEvent.SERIOUSNESS_FIELDS, "causality", "expected", "action", "outcome", "in_collection_window"]
    out.append(sql(AdverseEvent.objects.order_by("participant__participant_code", "onset_date", "pk")
                   .values_list(*ae_names)))
    out.append("""
        SELECT p.participant_code, s.code, p.prior_therapy, r.blind_code, p.sex,
               (SELECT consented_at FROM edc_consent c WHERE c.participant_id = p.id AND c.kind = 'main'),
               (SELECT consented_at FROM edc_consent c WHERE c.participant_id = p.id AND c.kind = 'biospecimen'),
               r.randomized_at, r.month0_date,
               (SELECT count(*) FROM crf_infusionadministration i WHERE i.participant_id = p.id),
               d.date, d.reason
        FROM edc_participant p JOIN edc_site s ON s.id = p.site_id
        LEFT JOIN randomization_randomization r ON r.participant_id = p.id
        LEFT JOIN crf_discontinuation d ON d.participant_id = p.id
        WHERE p.participant_code IS NOT NULL ORDER BY p.participant_code""")
    from exports.lab_sources import lab_sources_dataset

    text, params = lab_sources_dataset().sql()  # one row per lab value held, and where it came from
    with connection.cursor() as cursor:
        out.append(cursor.mogrify(text, params).decode())
    out.append("""
        SELECT p.participant_code, v.month, rr.category FROM crf_renalresponse rr
        JOIN crf_visit v ON v.id = rr.visit_id JOIN edc_participant p ON p.id = rr.participant_id
        ORDER BY p.participant_code, v.month""")
    return out


def copy_all() -> dict:
    from django.db import connection

    queries = copy_queries()
    sink = _Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for query in queries:
            cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
    return {"seconds": time.perf_counter() - started, "bytes": sink.bytes, "rows": sink.lines - len(queries),
            "queries": len(queries)}


def api_vs_copy() -> dict:
    """The API's CSV of the dataset with the most rows (exports.copy_csv: COPY where it can), read to the end,
    against COPY of that dataset's rows as the export reads them; best of three each, in the same process."""
    from django.db import connection

    from exports.copy_csv import dataset_csv_chunks
    from exports.datasets import all_datasets

    def rows_in(dataset) -> int:
        return sum(1 for _ in dataset.iter_rows()) if dataset.sql is None else _count(dataset)

    def _count(dataset) -> int:
        sql, params = dataset.sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS q", params)
            return cursor.fetchone()[0]

    from crf import registry

    # the largest eCRF dataset (the long per-form tables are the API's big answers; the participant,
    # response and AE tables are assembled in Python and have no COPY to compare with)
    datasets = [d for d in all_datasets() if registry.get(d.name.removeprefix("crf_")) is not None]
    largest = max(datasets, key=rows_in)
    name = largest.name
    api_times, copy_times, size = [], [], 0
    for _ in range(3):
        started = time.perf_counter()
        size = sum(len(chunk) for chunk in dataset_csv_chunks(largest))
        api_times.append(time.perf_counter() - started)
        sink = _Sink()
        query = _raw_query(largest)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
        copy_times.append(time.perf_counter() - started)
    return {"dataset": name, "copy_path": largest.sql is not None, "bytes": size,
            "api_seconds": min(api_times), "copy_seconds": min(copy_times),
            "ratio": min(api_times) / min(copy_times)}


def _raw_query(dataset) -> str:
    """The dataset's rows as the export reads them, as one SQL text (the queryset COPY starts from)."""
    from django.db import connection

    from crf import registry
    from exports.datasets import INTERNAL

    t = registry.get(dataset.name.removeprefix("crf_"))
    fields = [f for f in t.model._meta.concrete_fields if f.name not in INTERNAL
              and f.name not in getattr(t.model, "blinded_fields", ())]
    names = ["participant__participant_code", "visit__code", "visit__month", *[f.attname for f in fields]]
    qs = t.model.objects.order_by("participant__participant_code", "visit__month", "created_at",
                                  "pk").values_list(*names)
    text, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(text, params).decode()


def main() -> None:
    setup()
    jobs = {"zip": lambda: export_zip(sys.argv[2]), "copy": copy_all, "api": api_vs_copy}
    emit(jobs[sys.argv[1]]())


if __name__ == "__main__":
    main()
