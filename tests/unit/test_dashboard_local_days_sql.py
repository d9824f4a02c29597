"""The SQL local-day expression agrees with zoneinfo for every marketplace, at every hour and
at the second either side of each DST change, over two years."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kinxpro_desktop.core.marketplaces import MARKETPLACES
from kinxpro_desktop.store.local_days import day_expr, offsets


def _moments(lo: datetime, hi: datetime) -> list[datetime]:
    out = []
    t = lo
    while t < hi:
        out.append(t)
        t += timedelta(minutes=97)  # walks through every minute-of-hour over time
    for m in MARKETPLACES:
        for when, _off in offsets(ZoneInfo(m.time_zone), lo, hi)[1:]:
            out += [when - timedelta(seconds=1), when, when + timedelta(seconds=1)]
    return sorted(set(out))


def test_sql_local_day_matches_zoneinfo_for_every_marketplace() -> None:
    lo, hi = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    expr, params = day_expr("ts", "mid", lo, hi)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (ts TEXT, mid TEXT)")
    moments = _moments(lo, hi)
    rows = [
        (t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), m.marketplace_id)
        for t in moments
        for m in MARKETPLACES
    ]
    rows += [(t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "UNKNOWN") for t in moments[:500]]
    conn.executemany("INSERT INTO t VALUES (?, ?)", rows)
    sql = f"SELECT ts, mid, {expr} FROM t"  # noqa: S608 (the expression binds its values)
    got = conn.execute(sql, params).fetchall()
    zones = {m.marketplace_id: ZoneInfo(m.time_zone) for m in MARKETPLACES}
    wrong = []
    for ts, mid, day in got:
        moment = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        want = moment.astimezone(zones.get(mid, UTC)).strftime("%Y-%m-%d")
        if day != want:
            wrong.append((ts, mid, day, want))
    assert not wrong, wrong[:5]
    assert len(got) > 200_000


def test_a_second_before_midnight_stays_on_its_day() -> None:
    """date() would round 23:59:59.9999 up to the next day; the expression keeps seconds."""
    lo, hi = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    expr, params = day_expr("ts", "mid", lo, hi)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (ts TEXT, mid TEXT)")
    conn.execute("INSERT INTO t VALUES ('2026-11-02T07:59:59.999900Z', 'ATVPDKIKX0DER')")
    sql = f"SELECT {expr} FROM t"  # noqa: S608 (the expression binds its values)
    assert conn.execute(sql, params).fetchone() == ("2026-11-01",)
