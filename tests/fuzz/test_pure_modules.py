"""The other pure modules, for any input: exports.stats / wocf / survival, randomization.sequence and
csv_import, crf.status and crf.workflow. Each returns a well-formed result or raises ValueError (TypeError
for a value of the wrong type); the allocation CSV parser never raises at all (its contract)."""
import hashlib
import math
import random
from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crf import workflow
from crf.status import visit_status
from exports import stats, survival, wocf
from randomization import csv_import, sequence
from tests.fuzz.strategies import any_date, fuzz, maybe

DOCUMENTED = (ValueError, TypeError)
# numpy/scipy overflow is silent (a warning and an inf or NaN in the result): here it fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
value = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                  st.floats(min_value=-1e6, max_value=1e6), st.integers(-(10**6), 10**6))


def _p_ok(p) -> bool:
    return p is None or (math.isfinite(p) and 0 <= p <= 1)


# --- exports.stats --------------------------------------------------------------------------------

@fuzz(150)
@given(st.lists(value, max_size=40), maybe(st.integers(0, 6)))
@example([1e308, -1e308, 1e308], None)  # printed "… ± inf": now refused as too large
@example([10**400], None)  # was OverflowError
@example([5e-324, 5e-324, 1e-323], None)
def test_describe(values, decimals):
    try:
        d = stats.describe(values, decimals=decimals)
    except ValueError:
        assert any(v is not None and not abs(v) <= stats.MAX_MAGNITUDE and v == v for v in values)
        return
    assert d.n + d.missing == len(values)
    assert isinstance(d.text, str) and "nan" not in d.text.lower() and "inf" not in d.text.lower()
    if d.n:
        assert d.min <= d.median <= d.max and d.q1 <= d.q3
        assert all(math.isfinite(x) for x in (d.mean, d.median, d.q1, d.q3, d.min, d.max))
        assert d.sd is None or (math.isfinite(d.sd) and d.sd >= 0)
    assert _p_ok(d.ks_p)


@fuzz(100)
@given(st.lists(value, max_size=30), st.lists(value, max_size=30))
@example([1e308, -1e308, 1e308, 1.0], [1.0, 2.0, 3.0])
@example([10**400], [1.0])
@example([1e90, -1e90, 3.0, 1e90], [1.0, 2.0, 3.0, 4.0])  # Welch's df squared the variance: overflow
def test_compare_continuous(a, b):
    try:
        c = stats.compare_continuous(a, b)
    except ValueError:
        return
    assert _p_ok(c.p) and c.test in ("t-test", "Mann–Whitney U", "not testable")
    assert isinstance(c.p_text, str) and c.significant == (c.p is not None and c.p < stats.ALPHA)
    if c.statistic is not None:
        assert math.isfinite(c.statistic)


count = st.one_of(st.integers(0, 60), st.integers(-3, 10**12), st.floats(0, 5), st.just(float("nan")))


@fuzz(120)
@given(st.lists(st.lists(count, min_size=1, max_size=4), min_size=0, max_size=4))
@example([[10**19, 1], [1, 1]])  # beyond int64: was wrapped to a negative count silently
@example([[2**64, 1], [1, 1]])  # was OverflowError
@example([[10**12, 1], [1, 10**12]])  # the odds ratio's product overflowed int64
@example([[1, 2], [3]])  # ragged
def test_compare_proportions(table):
    try:
        c = stats.compare_proportions(table)
    except ValueError:
        return
    assert _p_ok(c.p)
    assert c.estimate is None or c.estimate >= 0


@fuzz(80)
@given(st.lists(st.lists(st.lists(count, min_size=2, max_size=2), min_size=2, max_size=2), max_size=5))
@example([[[10**19, 1], [1, 1]]])
@example([[[2**64, 1], [1, 1]]])
def test_cmh(strata):
    try:
        c = stats.cmh(strata)
    except ValueError:
        return
    assert _p_ok(c.p) and c.note
    if c.ci is not None:
        assert c.ci[0] <= c.estimate <= c.ci[1]


@fuzz(80)
@given(st.integers(-5, 200), st.integers(-5, 200), st.integers(-5, 200), st.integers(-5, 200))
def test_table_from_counts(ea, na, eb, nb):
    try:
        t = stats.table_from_counts(ea, na, eb, nb)
    except ValueError:
        assert not (0 <= ea <= na and 0 <= eb <= nb)
        return
    assert sum(t[0]) == na and sum(t[1]) == nb and min(min(row) for row in t) >= 0


@fuzz(100)
@given(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_format_p(p):
    try:
        text = stats.format_p(p)
    except ValueError:
        assert not 0 <= p <= 1
        return
    assert text == "—" or text == "< .001" or (len(text) in (4, 5) and "." in text)


# --- exports.wocf ---------------------------------------------------------------------------------

category = st.sampled_from([None, "complete", "partial", "none"])


@fuzz(150)
@given(st.dictionaries(st.integers(-2, 30), st.one_of(category, st.text(max_size=5))), st.just(wocf.ENDPOINT_MONTHS))
def test_wocf(observed, endpoints):
    try:
        out = wocf.wocf(observed, endpoints)
    except ValueError:
        assert any(c is not None and c not in wocf.ORDER for c in observed.values())
        return
    assert [e.month for e in out] == list(endpoints)
    for e in out:
        assert e.category in wocf.ORDER
        if observed.get(e.month) is not None:
            assert not e.imputed and e.category == observed[e.month]
            continue
        assert e.imputed
        earlier = [c for m, c in observed.items() if c is not None and m < e.month]
        # never better than any earlier observation (worst carried forward), "none" with nothing earlier
        assert all(wocf.ORDER[e.category] <= wocf.ORDER[c] for c in earlier)
        assert (e.source_month is None) == (not earlier)


# --- exports.survival -----------------------------------------------------------------------------

time_value = st.one_of(st.floats(0, 60), st.integers(0, 60), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-5, 10**6))
event = st.one_of(st.booleans(), st.integers(0, 1), st.integers(-1, 3))


@fuzz(150)
@given(st.lists(st.tuples(time_value, event), max_size=40), st.booleans())
def test_kaplan_meier(pairs, drop_one):
    times = [t for t, _ in pairs]
    events = [e for _, e in pairs][: len(pairs) - 1 if drop_one and pairs else None]
    try:
        points = survival.kaplan_meier(times, events)
    except ValueError:
        return
    assert [p.time for p in points] == sorted({float(t) for t in times})
    previous = 1.0
    for p in points:
        assert 0 <= p.survival <= previous + 1e-12 and p.at_risk >= 1 and 0 <= p.events <= p.at_risk
        previous = p.survival
    assert sum(p.events for p in points) == sum(1 for e in events if e)
    median = survival.median_survival(points)
    assert median is None or median in [p.time for p in points]


@fuzz(100)
@given(st.lists(st.tuples(time_value, event), max_size=30), st.lists(st.tuples(time_value, event), max_size=30))
def test_logrank(a, b):
    try:
        c = survival.logrank([t for t, _ in a], [e for _, e in a], [t for t, _ in b], [e for _, e in b])
    except ValueError:
        return
    assert c.test == "log-rank" and _p_ok(c.p)
    assert c.statistic is None or (math.isfinite(c.statistic) and c.statistic >= 0)


@fuzz(5)
@given(st.dictionaries(st.sampled_from(["A", "安慰剂", "uc-MSC"]),
                       st.lists(st.tuples(st.floats(0, 24), st.booleans()), max_size=8), max_size=2))
def test_km_figure(curves):
    try:
        png = survival.km_figure_png({k: ([t for t, _ in v], [e for _, e in v]) for k, v in curves.items()},
                                     "title", "months")
    except ValueError:
        assert not curves or any(not v for v in curves.values())
        return
    assert png.startswith(b"\x89PNG")


# --- randomization.sequence -----------------------------------------------------------------------

stratum_code = st.text(min_size=0, max_size=6)
strata = st.lists(st.tuples(stratum_code, st.one_of(st.integers(-2, 40), st.booleans(), st.floats(1, 3))),
                  max_size=4)
block_sizes = st.lists(st.one_of(st.sampled_from([2, 4, 6]), st.integers(-2, 9), st.booleans()), max_size=3)


@fuzz(120)
@given(strata, st.one_of(st.integers(), st.booleans(), st.text(max_size=3)), block_sizes)
@example([("a", 7), ("b", 1)], 42, [4])
def test_generate_list_is_reproducible_and_balanced(strata_, seed, sizes):
    try:
        rows = sequence.generate_list(strata_, seed, sizes)
    except ValueError:
        return
    again = sequence.generate_list(strata_, seed, sizes)  # same seed, same arms and blocks
    assert [(r.stratum, r.sequence, r.arm, r.block) for r in again] == [
        (r.stratum, r.sequence, r.arm, r.block) for r in rows]
    assert len(rows) == sum(c for _, c in strata_)
    codes = [r.blind_code for r in rows]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 9 and c[4] == "-" and not any(h in c.replace("-", "") for h in sequence.ARM_HINTS)
               for c in codes)
    biggest = max(sizes)
    for stratum, capacity in strata_:
        mine = [r for r in rows if r.stratum == stratum]
        assert [r.sequence for r in mine] == list(range(1, capacity + 1))
        blocks: dict[int, list[str]] = {}
        for r in mine:
            blocks.setdefault(r.block, []).append(r.arm)
        for number, arms in blocks.items():
            last = number == max(blocks)
            if not last or len(arms) % 2 == 0:
                assert arms.count("msc") == arms.count("placebo"), (stratum, number, arms)  # balanced block
        b = sequence.balance(mine)[stratum]
        assert b.max_running_imbalance <= biggest // 2 + 1 and abs(b.msc - b.placebo) <= 1


# --- randomization.csv_import ---------------------------------------------------------------------

CAPACITY = {"gc_mpaa": 4, "gc_cyc": 2}
cell = st.one_of(st.sampled_from(["gc_mpaa", "gc_cyc", "other", "1", "2", "3", "0", "-1", "msc", "placebo",
                                  "uc-MSC", "MSC", "AB12-CD34", "ab12-cd34", "", " ", "9" * 5000, "１", "2.0",
                                  '"', '"a,b"', "x" * 30]),
                 st.text(max_size=12))


@st.composite
def allocation_csv(draw):
    header = draw(st.one_of(st.just(list(csv_import.COLUMNS)), st.permutations(list(csv_import.COLUMNS)),
                            st.lists(st.sampled_from([*csv_import.COLUMNS, "x", "", "ARM "]), max_size=5)))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=5), max_size=12))
    text = "\n".join(",".join(r) for r in [header, *rows])
    encoded = text.encode("utf-8")
    if draw(st.booleans()):
        encoded = b"\xef\xbb\xbf" + encoded
    return encoded


@fuzz(200)
@given(st.one_of(allocation_csv(), st.binary(max_size=300)), st.sets(st.text(max_size=10), max_size=3))
@example(b"stratum,sequence,blind_code,arm\ngc_mpaa," + b"9" * 5000 + b",AB12,msc\n", set())  # was ValueError
@example(b"stratum,sequence,blind_code,arm\ngc_mpaa,99999999999999999999,AB12,msc\n", set())
@example(b"stratum,sequence,blind_code,arm\n\x00", set())
@example(b"\xff\xfe", set())
def test_parse_allocation_csv_never_raises(data, existing):
    report = csv_import.parse_allocation_csv(data, strata_capacity=CAPACITY, existing_blind_codes=existing)
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.ok == (not report.errors)
    for issue in report.errors + report.warnings:
        assert issue.code in csv_import.MESSAGES and issue.message  # every message formats
    for row in report.rows:
        assert row.stratum in CAPACITY and row.sequence >= 1 and row.arm in sequence.ARMS
        assert csv_import._BLIND_CODE.fullmatch(row.blind_code)
    if report.ok:
        assert len(report.rows) >= sum(CAPACITY.values())
        keys = [(r.stratum, r.sequence) for r in report.rows]
        assert len(set(keys)) == len(keys)


def test_a_generated_list_round_trips_through_the_parser():
    rows = sequence.generate_list(list(CAPACITY.items()), seed=random.Random(1).randrange(10**6))
    text = "stratum,sequence,blind_code,arm\n" + "\n".join(
        f"{r.stratum},{r.sequence},{r.blind_code},{r.arm}" for r in rows)
    report = csv_import.parse_allocation_csv(text.encode(), strata_capacity=CAPACITY)
    assert report.ok and [(r.stratum, r.sequence, r.blind_code, r.arm) for r in report.rows] == [
        (r.stratum, r.sequence, r.blind_code, r.arm) for r in rows]


# --- crf.status and crf.workflow ------------------------------------------------------------------

@fuzz(150)
@given(maybe(any_date), st.sampled_from(["", "hospitalised", " "]), st.booleans(), any_date,
       st.integers(0, 60), any_date)
def test_visit_status(visit_date, missed, not_applicable, start, length, today):
    try:
        end = start + timedelta(days=length)
    except OverflowError:
        return
    status = visit_status(visit_date=visit_date, missed_reason=missed, not_applicable=not_applicable,
                          window_start=start, window_end=end, today=today)
    assert status in ("done", "missed", "not_applicable", "scheduled", "open", "overdue")
    assert (status == "done") == (visit_date is not None)
    if status == "open":
        assert start <= today <= end
    if status == "overdue":
        assert today > end


@fuzz(150)
@given(st.booleans(), st.one_of(st.sampled_from(["", "in_progress", "complete"]), st.text(max_size=4)),
       st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_form_status_and_actions(exists, entry, verified, changed, signed, locked):
    status = workflow.form_status(exists=exists, entry_status=entry, verified=verified, changed=changed,
                                  signed=signed, locked=locked)
    assert status in workflow.ORDER
    if not exists:
        assert status == "not_started"
    elif locked:
        assert status == "locked"
    for action in workflow.ALLOWED:
        assert workflow.allowed(action, status) == (status in workflow.ALLOWED[action])
    assert not any(workflow.allowed(a, "locked") for a in workflow.ALLOWED)  # a locked form allows nothing


@fuzz(50)
@given(st.sampled_from(list(workflow.ALLOWED)), st.text(max_size=12))
def test_an_unknown_status_allows_nothing(action, status):
    assert workflow.allowed(action, status) == (status in workflow.ALLOWED[action])


@pytest.mark.django_db
@fuzz(40)
@given(maybe(any_date), st.sampled_from(["", "hospitalised"]), st.booleans(), any_date, st.integers(0, 60), any_date)
def test_the_sql_status_is_the_python_status(site, visit_date, missed, not_applicable, start, length, today):
    """crf.status: one rule for pages and SQL — the Case expression agrees with visit_status()."""
    from django.db.models import Value
    from django.db.models.functions import Cast

    from crf.status import status_expression
    from edc.models import Site

    try:
        end = start + timedelta(days=length)
    except OverflowError:
        return
    row = {"visit_date": visit_date, "missed_reason": missed, "not_applicable": not_applicable,
           "window_start": start, "window_end": end}
    from django.db import models
    casts = {name: Cast(Value(v), output_field=_field_for(v, models)) for name, v in row.items()}
    # Evaluate the expression over one literal row (annotated on the one site: no Visit needed).
    got = (Site.objects.filter(pk=site.pk).annotate(**casts).annotate(s=status_expression(today))
           .values_list("s", flat=True))
    assert list(got) == [visit_status(today=today, **row)]


def _field_for(v, models):
    if v is None or hasattr(v, "isoformat"):
        return models.DateField()
    if isinstance(v, bool):
        return models.BooleanField()
    return models.CharField()
