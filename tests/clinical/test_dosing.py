"""uc-MSC dose and infusion duration (protocol 2.5)."""

from datetime import UTC, datetime, timedelta

import pytest

from edc.clinical.dosing import (
    INFUSION_VOLUME_ML,
    MIN_INFUSION_MINUTES,
    infusion_duration_ok,
    msc_total_cells,
)


@pytest.mark.parametrize(
    ("weight", "cells"),
    [
        (60, 60_000_000),
        (62.35, 62_350_000),
        (58.1, 58_100_000),
        (25, 25_000_000),
        (250, 250_000_000),
        (70.0000005, 70_000_001),
    ],
)
def test_one_million_cells_per_kg(weight, cells):
    assert msc_total_cells(weight) == cells
    assert isinstance(msc_total_cells(weight), int)


@pytest.mark.parametrize("weight", [24.9, 250.1, 0, -60, float("nan"), float("inf")])
def test_implausible_weight(weight):
    with pytest.raises(ValueError):
        msc_total_cells(weight)


def test_weight_message_names_range():
    with pytest.raises(ValueError, match="25-250 kg"):
        msc_total_cells(300)


def test_constants():
    assert INFUSION_VOLUME_ML == 100
    assert MIN_INFUSION_MINUTES == 30


START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration", "ok"),
    [
        (timedelta(minutes=30), False),  # "over more than 30 minutes"
        (timedelta(minutes=30, seconds=1), True),
        (timedelta(minutes=29, seconds=59), False),
        (timedelta(minutes=45), True),
        (timedelta(0), False),
    ],
)
def test_infusion_duration(duration, ok):
    assert infusion_duration_ok(START, START + duration) is ok


def test_infusion_end_before_start():
    with pytest.raises(ValueError, match="before its start"):
        infusion_duration_ok(START, START - timedelta(minutes=1))
