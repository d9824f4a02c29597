"""Simulated clock for the SP-API simulator.

Simulated time starts at ``start`` and runs ``time_scale`` times faster than real time; tests and
the ``/_sandbox/clock/advance`` endpoint can also jump it forward. Simulated time never goes back.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SimClock:
    """Monotonic simulated clock: ``now = start + elapsed_real * time_scale + jumps``."""

    def __init__(self, start: datetime, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start.timestamp()
        self._t0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()
        self.time_scale = float(time_scale)

    def now(self) -> float:
        """Simulated time as a POSIX timestamp (seconds)."""
        with self._lock:
            return self._start + (time.monotonic() - self._t0) * self.time_scale + self._offset

    def now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> float:
        """Jump simulated time forward by ``seconds``; returns the new time."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def real_seconds(self, simulated_seconds: float) -> float:
        """How long ``simulated_seconds`` of simulated time take in real time."""
        return simulated_seconds / self.time_scale


def iso(ts: float) -> str:
    """Amazon's date-time form: ``2025-01-01T12:00:00Z`` (UTC, whole seconds)."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    """Parse an ISO 8601 date or date-time to a timestamp; no time zone means UTC.

    Raises ``ValueError`` for anything that is not ISO 8601 (``TEST_CASE_400``, ``02/21/2022``).
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
