"""Worst observation carried forward for the primary endpoint (protocol 2.15)."""
import pytest

from exports.wocf import wocf


def test_observed_values_are_used_as_they_are():
    m6, m12 = wocf({3: "partial", 6: "partial", 12: "complete"})
    assert (m6.category, m6.imputed, m12.category, m12.imputed) == ("partial", False, "complete", False)
    assert m6.responder and m12.responder


def test_a_missing_month_12_takes_the_worst_earlier_observation():
    _, m12 = wocf({3: "none", 6: "complete", 9: "partial", 12: None})
    assert (m12.category, m12.imputed, m12.source_month) == ("none", True, 3)
    assert not m12.responder


def test_the_worst_earlier_value_not_the_last_one():
    _, m12 = wocf({6: "complete", 9: "partial"})
    assert (m12.category, m12.source_month) == ("partial", 9)


def test_nothing_observed_imputes_no_response():
    m6, m12 = wocf({})
    assert (m6.category, m6.imputed, m6.source_month) == ("none", True, None)
    assert m12.category == "none" and not m12.responder


def test_later_observations_are_not_carried_backwards():
    m6, _ = wocf({9: "complete", 12: "complete"})
    assert (m6.category, m6.source_month) == ("none", None)


def test_an_unknown_category_is_an_error():
    with pytest.raises(ValueError, match="Unknown response category"):
        wocf({6: "remission"})
