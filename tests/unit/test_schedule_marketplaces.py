"""The pure parts of a scheduled run over several marketplaces: each marketplace's result in
plain words, the type's status and message from them, which tried marketplaces a resumed
cycle keeps, and their stored form (damaged parts are dropped, never fatal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinxpro_desktop.services.report_schedule import (
    DAILY,
    ScheduleEntry,
    after_run,
    decode_entries,
    encode_entries,
)
from kinxpro_desktop.services.report_schedule_markets import (
    MarketRun,
    carried,
    decode_tried,
    encode_tried,
    overall,
    phrase,
    settlements_message,
)

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"


def run(market: str, status: str, message: str, minutes_ago: int = 0) -> MarketRun:
    return MarketRun(market, status, message, 7, NOW - timedelta(minutes=minutes_ago))


def test_phrases() -> None:
    assert phrase("DONE", 1204, NOW, NOW, True) == "1,204 rows"
    assert phrase("DONE", 1, NOW, NOW, True) == "1 row"
    at = NOW.replace(hour=10, minute=12)
    assert phrase("REUSED", 0, at, NOW, False) == "reused the document from 10:12 UTC"
    yesterday = at - timedelta(days=1)
    assert phrase("REUSED", 0, yesterday, NOW, False) == (
        "reused the document from 2026-03-01 10:12 UTC"
    )
    assert phrase("CANCELLED", 0, NOW, NOW, True) == "no data for this range"
    assert phrase("CANCELLED", 0, NOW, NOW, False) == "no data"
    assert phrase("FATAL", 0, NOW, NOW, True) == "Amazon could not build it (FATAL)"


@pytest.mark.parametrize(
    ("statuses", "ok", "status"),
    [
        (("DONE", "DONE", "DONE"), True, "DONE"),
        (("REUSED", "REUSED", "REUSED"), True, "REUSED"),
        (("DONE", "REUSED", "CANCELLED"), True, "DONE"),  # no data is not a failure
        (("CANCELLED", "CANCELLED", "CANCELLED"), True, "CANCELLED"),
        (("DONE", "FATAL", "DONE"), False, "PARTIAL"),
        (("FATAL", "FATAL", "FATAL"), False, "FATAL"),
        (("FATAL", "FAILED", "FATAL"), False, "FAILED"),
    ],
)
def test_overall_status(statuses: tuple[str, ...], ok: bool, status: str) -> None:
    markets = [run(m, s, s.lower()) for m, s in zip((US, CA, MX), statuses, strict=True)]
    assert overall(markets)[:2] == (ok, status)


def test_overall_message_lists_every_marketplace_in_order() -> None:
    ok, status, message = overall(
        [
            run(US, "DONE", "1,204 rows"),
            run(CA, "REUSED", "reused the document from 10:12 UTC"),
            run(MX, "CANCELLED", "no data for this range"),
        ]
    )
    assert (ok, status) == (True, "DONE")
    assert message == (
        "US: 1,204 rows; CA: reused the document from 10:12 UTC; MX: no data for this range."
    )
    _, _, failed = overall(
        [
            run(US, "FAILED", "Amazon no longer has report 5; request it again."),
            run(CA, "DONE", "3 rows"),
        ]
    )
    assert failed == (
        "US: Amazon no longer has report 5; request it again; CA: 3 rows. US will be tried "
        "again at the next scheduled run."
    )


def test_settlements_message() -> None:
    assert settlements_message([]) == "0 new settlement reports stored."
    assert settlements_message([US, CA, US]) == ("3 new settlement reports stored (US: 2, CA: 1).")


def test_carried_keeps_this_cycles_tried_marketplaces_only() -> None:
    tried = [run(US, "DONE", "5 rows", 30), run(CA, "FATAL", "x", 25 * 60), run(MX, "DONE", "")]
    assert set(carried(tried, [US, CA, MX], NOW, DAILY)) == {US, MX}  # CA: a day ago
    assert set(carried(tried, [US, CA], NOW, DAILY)) == {US}  # MX no longer in the account
    assert carried(tried, [US, CA, MX], NOW, None) == {}  # switched off
    future = [run(US, "DONE", "", -10)]  # a clock set back: not trusted
    assert carried(future, [US], NOW, DAILY) == {}


def test_tried_round_trip_and_damaged_parts_are_dropped() -> None:
    tried = (run(US, "DONE", "5 rows"), MarketRun(CA, "FAILED", "no", None, NOW))
    assert decode_tried(encode_tried(tried)) == tried
    damaged = [
        *encode_tried(tried),
        {"market": MX, "status": "DONE", "at": "yesterday"},
        {"market": MX, "status": "DONE", "at": "2026-03-02T12:00:00"},  # no zone
        {"market": "", "status": "DONE", "at": NOW.isoformat()},
        {"market": MX, "status": "DONE", "at": NOW.isoformat(), "run_id": True},
        "garbage",
    ]
    decoded = decode_tried(damaged)
    assert decoded[:2] == tried and len(decoded) == 3 and decoded[2].run_id is None
    assert decode_tried({"not": "a list"}) == ()


def test_the_entry_keeps_tried_until_it_is_advanced() -> None:
    entry = ScheduleEntry(LISTINGS, every=DAILY, next_due=NOW, tried=(run(US, "DONE", "5 rows"),))
    stored = encode_entries([entry])
    again = decode_entries(stored, [LISTINGS])[LISTINGS]
    assert again.tried == entry.tried
    advanced = after_run(again, NOW, "DONE", "US: 5 rows; CA: 1 row.")
    assert advanced.tried == () and "tried" not in encode_entries([advanced])[LISTINGS]
    stored[LISTINGS]["every_minutes"] = 0  # switched off: nothing carried
    assert decode_entries(stored, [LISTINGS])[LISTINGS].tried == ()
