"""The scheduled-refresh rules as pure functions over a fake clock: what is due, when a type
is due again after a run or a failure, the intervals each type allows, and the stored form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinxpro_desktop.services.report_schedule import (
    DAILY,
    ScheduleEntry,
    ScheduleRefused,
    after_run,
    choices_for,
    decode_entries,
    describe,
    due,
    encode_entries,
    next_due,
    parse_every,
    spelled,
    switched,
)
from kinxpro_desktop.services.reports import KINDS

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
LISTINGS = KINDS["GET_MERCHANT_LISTINGS_ALL_DATA"]
ORDERS = KINDS["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"]
MYI = KINDS["GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"]
LEDGER = KINDS["GET_LEDGER_SUMMARY_VIEW_DATA"]


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


def on(report_type: str, every: timedelta, next_at: datetime | None) -> ScheduleEntry:
    return ScheduleEntry(report_type, every=every, next_due=next_at)


# -- intervals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("daily", DAILY), ("DAILY", DAILY), ("24h", DAILY), ("4h", 4 * H), ("12 hours", 12 * H)],
)
def test_intervals_that_parse(text: str, expected: timedelta) -> None:
    assert parse_every(text, ORDERS) == expected


def test_off_parses_to_none() -> None:
    assert parse_every("off", ORDERS) is None


@pytest.mark.parametrize("text", ["3 minutes", "30m", "weekly", "", "4", "-4h", "0.5h"])
def test_bad_intervals_say_what_to_write(text: str) -> None:
    with pytest.raises(ScheduleRefused, match="daily, off, or a whole number of hours"):
        parse_every(text, ORDERS)


def test_zero_hours_and_more_than_a_day_are_refused() -> None:
    with pytest.raises(ScheduleRefused, match="at most every hour"):
        parse_every("0h", ORDERS)
    with pytest.raises(ScheduleRefused, match="longest interval is daily"):
        parse_every("36h", ORDERS)


def test_never_shorter_than_the_regeneration_limit() -> None:
    """The ledger is built again at most every 4 hours: 2h is refused, 4h is fine."""
    with pytest.raises(ScheduleRefused, match=r"at most every 4 hours \(Amazon builds it"):
        parse_every("2h", LEDGER)
    assert parse_every("4h", LEDGER) == 4 * H
    assert parse_every("1h", MYI) == H  # MYI: 30 minutes, below our own 1 hour floor
    assert choices_for(LEDGER) == (DAILY, 12 * H, 4 * H)
    assert choices_for(MYI) == (DAILY, 12 * H, 4 * H, H)


def test_words_and_spellings() -> None:
    assert [describe(x) for x in (None, DAILY, 4 * H, H)] == [
        "off",
        "daily",
        "every 4 hours",
        "every hour",
    ]
    assert [spelled(x) for x in (None, DAILY, 4 * H)] == ["off", "daily", "4h"]


# -- what is due ----------------------------------------------------------------------------
def test_due_only_what_is_on_and_whose_time_has_come() -> None:
    clock = FakeClock(T0)
    entries = [
        on("A", DAILY, T0 - H),  # overdue
        on("B", DAILY, T0 + H),  # later
        ScheduleEntry("C"),  # off
        on("D", 4 * H, T0),  # exactly now
        on("E", DAILY, T0 - 3 * H),  # waited longest: first
    ]
    assert due(entries, clock()) == ["E", "A", "D"]
    clock.tick(H)
    assert due(entries, clock()) == ["E", "A", "D", "B"]
    assert next_due(entries) == entries[4]


def test_switched_on_without_history_is_due_at_once() -> None:
    entry = switched(ScheduleEntry("A"), DAILY, T0, None)
    assert entry.enabled and entry.next_due == T0
    assert due([entry], T0) == ["A"]


def test_switched_on_after_a_recent_run_waits_for_the_interval() -> None:
    entry = switched(ScheduleEntry("A"), DAILY, T0, T0 - 2 * H)
    assert entry.next_due == T0 + 22 * H
    assert due([entry], T0 + 21 * H) == []
    assert due([entry], T0 + 22 * H) == ["A"]


def test_switched_off_is_never_due_and_keeps_its_history() -> None:
    ran = after_run(on("A", DAILY, T0), T0, "DONE", "ok")
    off = switched(ran, None, T0 + H, None)
    assert not off.enabled and off.next_due is None and off.last_run == T0
    assert due([off], T0 + 100 * DAILY) == []


def test_changing_the_interval_counts_from_the_last_run() -> None:
    ran = after_run(on("A", DAILY, T0), T0, "DONE", "ok")
    assert switched(ran, 4 * H, T0 + H, None).next_due == T0 + 4 * H
    assert switched(ran, 4 * H, T0 + 5 * H, None).next_due == T0 + 5 * H  # overdue: now


def test_a_run_or_a_failure_is_due_again_one_interval_later() -> None:
    clock = FakeClock(T0)
    entry = on("A", 4 * H, T0)
    failed = after_run(entry, clock(), "FAILED", "Amazon could not build it")
    assert failed.next_due == T0 + 4 * H
    assert failed.last_status == "FAILED" and failed.last_message == "Amazon could not build it"
    for _ in range(5):  # checked every 10 minutes: not retried in a loop
        clock.tick(timedelta(minutes=10))
        assert due([failed], clock()) == []
    clock.now = T0 + 4 * H
    assert due([failed], clock()) == ["A"]


def test_missed_times_are_run_once_not_caught_up() -> None:
    """The app was closed for a week: one run at launch, then daily from then on."""
    clock = FakeClock(T0 + 7 * DAILY + 3 * H)
    entry = on("A", DAILY, T0)
    assert due([entry], clock()) == ["A"]
    ran = after_run(entry, clock(), "DONE", "")
    assert due([ran], clock()) == []
    assert ran.next_due == clock() + DAILY


# -- stored form ----------------------------------------------------------------------------
def test_round_trip_through_the_stored_json() -> None:
    entries = [
        after_run(on("A", DAILY, T0), T0, "DONE", "12 rows"),
        switched(ScheduleEntry("B"), 4 * H, T0, None),
        ScheduleEntry("C"),
    ]
    stored = encode_entries(entries)
    assert set(stored) == {"A", "B"}  # an entry that never was on is not stored
    assert decode_entries(stored, ["A", "B", "C"]) == {e.report_type: e for e in entries}


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "garbage",
        {"A": "x"},
        {"A": {"every_minutes": "daily"}},
        {"A": {"every_minutes": True}},
        {"A": {"every_minutes": -5}},
    ],
)
def test_damaged_stored_entries_count_as_off(stored: object) -> None:
    assert decode_entries(stored, ["A"]) == {"A": ScheduleEntry("A")}


def test_a_naive_or_bad_stored_time_is_ignored() -> None:
    stored = {"A": {"every_minutes": 60, "next_due": "2026-03-02T12:00:00", "last_run": "x"}}
    entry = decode_entries(stored, ["A"])["A"]
    assert entry.every == H and entry.next_due is None and entry.last_run is None
    assert due([entry], T0) == ["A"]  # on, with no next time: due
