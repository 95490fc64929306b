"""The analysis datasets: blinded by default, analysis-set flags, WOCF response, one table per form."""
import json
from decimal import Decimal

import pytest

from crf import registry
from exports.datasets import all_datasets, participant_dataset, response_dataset
from tests import factories
from tests.crf import helpers as h
from tests.exports.helpers import crafted

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(site, clinician):
    factories.strata_and_list()
    return crafted(site, clinician), crafted(site, clinician, infused=False)


def as_dicts(ds):
    names = [c.name for c in ds.columns]
    return [dict(zip(names, row, strict=True)) for row in ds.iter_rows()]


def test_the_blinded_participant_table_has_no_arm(two):
    ds = participant_dataset()
    assert "arm" not in [c.name for c in ds.columns]
    rows = as_dicts(ds)
    arms = {p.randomization.row.arm for p in two}
    for row in rows:
        assert not (set(map(str, row.values())) & arms)
    assert [(r["safety"], r["fas"], r["pps"]) for r in rows] == [(1, 1, 1), (0, 0, 0)]
    assert rows[0]["blind_code"] == two[0].randomization.blind_code and rows[0]["infusions"] == 1


def test_the_unblinded_table_carries_the_arm(two):
    rows = as_dicts(participant_dataset(unblinded=True))
    assert [r["arm"] for r in rows] == [p.randomization.row.arm for p in two]


def test_the_response_table_imputes_missing_endpoints_by_wocf(two, clinician):
    p = two[0]
    h.save("labs", h.visit(p, "m6"), clinician, acknowledge=True, **h.lab_values(h.visit(p, "m6"),
                                                                                 upcr_value=Decimal("0.3")))
    h.save("response", h.visit(p, "m6"), clinician, acknowledge=True, investigator_confirmed=True)
    rows = [r for r in as_dicts(response_dataset()) if r["participant_id"] == p.participant_code]
    assert [(r["month"], r["response"], r["imputed"], r["source_month"]) for r in rows] == [
        (6, "complete", 0, 6), (12, "complete", 1, 6)]  # month 12 missing: month 6 carried forward
    # The form's own table: the rules applied are JSON text (not a Python list's repr).
    crf_rows = as_dicts(next(ds for ds in all_datasets() if ds.name == "crf_response"))
    rules = json.loads(crf_rows[0]["rules"])
    assert isinstance(rules, list) and rules and crf_rows[0]["rules"].startswith('["')


def test_one_long_table_per_form_and_no_internal_columns(two):
    names = {ds.name for ds in all_datasets()}
    assert {f"crf_{t.key}" for t in registry.ordered()} <= names
    labs = next(ds for ds in all_datasets() if ds.name == "crf_labs")
    cols = [c.name for c in labs.columns]
    assert cols[:3] == ["participant_id", "visit", "month"] and "egfr" in cols and "verified_by" not in cols
    rows = as_dicts(labs)
    assert {r["visit"] for r in rows} == {"m0", "m3"} and all(r["participant_id"] for r in rows)


def test_every_column_has_both_labels(two):
    for ds in all_datasets(unblinded=True):
        for c in ds.columns:
            assert c.label_en and c.label_zh, (ds.name, c.name)
