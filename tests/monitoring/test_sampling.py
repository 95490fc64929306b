"""The SDV sample (monitoring.sampling): the same answer in Python and in PostgreSQL, reproducible,
near the configured rate, growing only by adding forms when the rate rises, and keyed."""
import uuid

import pytest
from django.db import connection

from monitoring import sampling

IDS = [uuid.UUID(int=(i * 0x9E3779B97F4A7C15 + 12345) % 2**128) for i in range(4000)]
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.mark.django_db
@pytest.mark.parametrize("rate", [0, 1, 20, 99, 100])
def test_python_and_sql_draw_the_same_sample(rate):
    sql = sampling.sql_condition("x.id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT x.id FROM unnest(%(ids)s::uuid[]) AS x(id) WHERE {sql}",
                       {"ids": IDS, **sampling.sql_params(KEY, rate)})
        in_sql = {row[0] for row in cursor.fetchall()}
    in_python = {i for i in IDS if sampling.in_sample(KEY, i, rate)}
    assert in_sql == in_python
    assert abs(len(in_python) / len(IDS) - rate / 100) < 0.03  # near the rate


@pytest.mark.django_db
def test_the_text_comparison_is_exact_at_the_threshold():
    """A draw equal to the threshold is not below it; one less is (md5 compared as text)."""
    ids = IDS[:50]
    draws = [sampling.draw(KEY, i) for i in ids]
    with connection.cursor() as cursor:
        for object_id, value in zip(ids, draws, strict=True):
            for rate_threshold, expected in ((value, False), (value + 1, True)):
                below = f"{rate_threshold:013x}"
                cursor.execute(f"SELECT {sampling.sql_condition('%(id)s::uuid')}",
                               {"id": object_id, "sampling_key": KEY + ":", "sampling_below": below})
                assert cursor.fetchone()[0] is expected


def test_the_sample_is_reproducible_monotone_and_keyed():
    at = {rate: {i for i in IDS if sampling.in_sample(KEY, i, rate)} for rate in (0, 10, 20, 30, 100)}
    assert at[0] == set() and at[100] == set(IDS)
    assert at[10] <= at[20] <= at[30]  # raising the rate only adds forms
    assert at[20] == {i for i in IDS if sampling.in_sample(KEY, i, 20)}
    other = {i for i in IDS if sampling.in_sample("another key", i, 20)}
    assert len(other & at[20]) < 0.5 * len(at[20])  # another key, another sample


@pytest.mark.parametrize("rate", [-1, 101])
def test_a_rate_outside_0_to_100_is_refused(rate):
    with pytest.raises(ValueError):
        sampling.threshold(rate)
