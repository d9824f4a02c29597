"""Per-operation counters and the PII log (``/_sandbox/stats``, ``/_sandbox/pii-log``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class OpStats:
    calls: int = 0
    ok: int = 0
    throttled: int = 0
    errors: int = 0
    pii_responses: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "ok": self.ok,
            "throttled": self.throttled,
            "errors": self.errors,
            "piiResponses": self.pii_responses,
            "statuses": dict(self.statuses),
        }


class Stats:
    """Thread-safe counters per operation plus a log of every PII-bearing response."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ops: dict[str, OpStats] = {}
        self._pii: list[dict[str, object]] = []

    def record(self, operation: str, status: int, pii_orders: list[str], at: str) -> None:
        with self._lock:
            op = self._ops.setdefault(operation, OpStats())
            op.calls += 1
            key = str(status)
            op.statuses[key] = op.statuses.get(key, 0) + 1
            if status == 429:
                op.throttled += 1
            elif status >= 400:
                op.errors += 1
            else:
                op.ok += 1
            if pii_orders:
                op.pii_responses += 1
                self._pii.append({"operation": operation, "orderIds": list(pii_orders), "at": at})

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            ops = {name: s.as_dict() for name, s in sorted(self._ops.items())}
            totals = {
                "calls": sum(s.calls for s in self._ops.values()),
                "throttled": sum(s.throttled for s in self._ops.values()),
                "errors": sum(s.errors for s in self._ops.values()),
                "piiResponses": sum(s.pii_responses for s in self._ops.values()),
            }
        return {"operations": ops, "totals": totals}

    def get(self, operation: str) -> OpStats:
        with self._lock:
            op = self._ops.get(operation, OpStats())
            return OpStats(
                op.calls, op.ok, op.throttled, op.errors, op.pii_responses, dict(op.statuses)
            )

    def pii_log(self) -> list[dict[str, object]]:
        with self._lock:
            return [dict(entry) for entry in self._pii]

    def reset(self) -> None:
        with self._lock:
            self._ops.clear()
            self._pii.clear()
