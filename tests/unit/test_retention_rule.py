"""The retention rule users rely on: at most 30 days, at least 1, text refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinxpro_desktop.core.errors import InvalidSetting
from kinxpro_desktop.core.retention import cutoff, expires_at, is_past_window, parse_retention_days

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, expected", [(1, 1), (30, 30), ("7", 7), (" 14 ", 14)])
def test_accepts_whole_days_from_1_to_30(value: object, expected: int) -> None:
    assert parse_retention_days(value) == expected


@pytest.mark.parametrize(
    "value, fragment",
    [
        (0, "at least 1 day"),
        (-3, "at least 1 day"),
        (31, "cannot be longer than 30 days"),
        ("31", "cannot be longer than 30 days"),
        ("ten", "whole number of days"),
        ("", "whole number of days"),
        ("7.5", "whole number of days"),
        (7.5, "whole number of days"),
        (None, "whole number of days"),
        (True, "whole number of days"),
    ],
)
def test_refuses_bad_values_with_a_clear_message(value: object, fragment: str) -> None:
    with pytest.raises(InvalidSetting) as err:
        parse_retention_days(value)
    assert fragment in err.value.message


def test_window_boundary_is_exactly_n_days_after_placement() -> None:
    placed = NOW - timedelta(days=30)
    assert is_past_window(placed, NOW, 30)
    assert not is_past_window(placed + timedelta(seconds=1), NOW, 30)
    assert expires_at(placed, 30) == NOW
    assert cutoff(NOW, 7) == NOW - timedelta(days=7)


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = datetime(2026, 10, 1, 0, 0)
    assert is_past_window(naive, NOW, 30)
    assert cutoff(datetime(2026, 11, 26, 12, 0), 1) == NOW - timedelta(days=1)


def test_cutoff_refuses_a_window_longer_than_30_days() -> None:
    with pytest.raises(InvalidSetting):
        cutoff(NOW, 45)
