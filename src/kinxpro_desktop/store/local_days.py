"""Marketplace-local days: the zone of a marketplace and, for SQL, an expression that turns a
stored UTC timestamp into the marketplace's local date ("YYYY-MM-DD"), right across DST.

The expression is a CASE over the marketplace id and the UTC offset intervals of each zone
in the range being computed (found with zoneinfo, so DST rules come from the tz database);
every constant is a bound parameter."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kinxpro_desktop.core.marketplaces import MARKETPLACES, by_id

log = logging.getLogger(__name__)


@cache
def zone(name: str) -> tzinfo:
    """The zone called `name`; UTC (logged once) when the tz database lacks it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("time zone %s not available; using UTC days for it", name)
        return UTC


def zone_name(marketplace_id: str) -> str:
    m = by_id(marketplace_id)
    return m.time_zone if m is not None else "UTC"


def zone_of(marketplace_id: str) -> tzinfo:
    """The zone whose days Amazon uses for the marketplace (UTC for an unknown id)."""
    return zone(zone_name(marketplace_id))


def local_date(moment: datetime, marketplace_id: str) -> str:
    """The marketplace-local date of an aware (or naive UTC) moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone_of(marketplace_id)).strftime("%Y-%m-%d")


def _offset(tz: tzinfo, moment: datetime) -> int:
    delta = moment.astimezone(tz).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


def offsets(tz: tzinfo, lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """[(from, offset minutes)] covering [lo, hi): the first entry starts at `lo`, each next
    one at a transition (found per day, then to the minute by bisection)."""
    out = [(lo, _offset(tz, lo))]
    step = lo
    while step < hi:
        nxt = min(step + timedelta(days=1), hi)
        if _offset(tz, nxt) != out[-1][1]:
            a, b = step, nxt  # offset(a) == current, offset(b) differs
            while b - a > timedelta(minutes=1):
                mid = a + (b - a) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= a:
                    mid = a + timedelta(minutes=1)
                if _offset(tz, mid) == out[-1][1]:
                    a = mid
                else:
                    b = mid
            out.append((b, _offset(tz, b)))
        step = nxt
    return out


def day_expr(
    column: str, market_column: str, lo: datetime, hi: datetime
) -> tuple[str, dict[str, Any]]:
    """SQL for the marketplace-local date of `column` (UTC text) of a row whose marketplace
    id is in `market_column`, valid for timestamps in [lo, hi); an unknown marketplace gets
    its UTC date. Seconds are kept whole (SQLite's date() rounds fractions to the ms)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for m in MARKETPLACES:
        groups[m.time_zone].append(m.marketplace_id)
    params: dict[str, Any] = {}
    arms: list[str] = []
    ts = f"substr({column}, 1, 19)"
    for z, (name, ids) in enumerate(sorted(groups.items())):
        spans = offsets(zone(name), lo, hi)
        names = []
        for i, mid in enumerate(ids):
            params[f"z{z}m{i}"] = mid
            names.append(f":z{z}m{i}")
        if len(spans) == 1:
            params[f"z{z}o0"] = f"{spans[0][1]} minutes"
            inner = f":z{z}o0"
        else:
            whens = []
            for k, (_start, off) in enumerate(spans):
                params[f"z{z}o{k}"] = f"{off} minutes"
                if k + 1 < len(spans):
                    params[f"z{z}t{k}"] = (
                        spans[k + 1][0].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
                    )
                    whens.append(f"WHEN {ts} < :z{z}t{k} THEN :z{z}o{k}")
                else:
                    whens.append(f"ELSE :z{z}o{k}")
            inner = "CASE " + " ".join(whens) + " END"
        arms.append(f"WHEN {market_column} IN ({', '.join(names)}) THEN {inner}")
    sql = f"date({ts}, CASE {' '.join(arms)} ELSE '0 minutes' END)"
    return sql, params


def shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def day_runs(days: set[str]) -> list[tuple[str, str]]:
    """Contiguous runs of dates as [first, end) pairs (end exclusive)."""
    runs: list[tuple[str, str]] = []
    for d in sorted(days):
        if runs and runs[-1][1] == d:
            runs[-1] = (runs[-1][0], shift(d, 1))
        else:
            runs.append((d, shift(d, 1)))
    return runs
