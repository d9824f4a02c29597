"""Fault injection for the SP-API simulator.

Spec syntax (``--faults``, ``Simulator(faults=...)``, ``POST /_sandbox/faults``)::

    SPEC  := ITEM ("," ITEM)*
    ITEM  := OP ":" KIND ["@" SECONDS] ["x" COUNT]
    OP    := an operationId (searchOrders, getOrder2026, getOrders, getReportDocument, ...),
             "lwa" for the token endpoint, or "*" for every SP-API operation
    COUNT := how many matching requests get the fault (default 1), or "*" for all of them

Kinds:

=================  ===========================================================================
``429``            429 ``QuotaExceeded`` (a "429 storm" is ``429x20``)
``500``            500 ``InternalFailure``
``503``            503 ``ServiceUnavailable``
``slow``           answer normally after ``SECONDS`` of real time (default 10, i.e. beyond a
                   5 s client timeout); not scaled by the time scale
``drop``           close the connection without answering
``malformed``      200 with a cut-off JSON body
``expired-token``  403 ``Unauthorized`` "The access token you provided has expired."
``gzip-truncated`` (getReportDocument, getFeedDocument) the next document download is a gzip
                   stream cut in half
``gzip-corrupt``   (getReportDocument, getFeedDocument) the next document download has a
                   corrupted deflate body
``fatal``          (createReport, createFeed) the next report or feed ends FATAL
``wrong-charset``  (createReport) the next report's document says UTF-8 in its Content-Type
                   but is encoded as Amazon encodes that report (Cp1252, Shift_JIS)
``checksum-mismatch`` (createShipment, getShipment) the next label's Checksum does not match
                   its bytes
``invalid-grant``  (lwa) 400 ``invalid_grant``
``invalid-client`` (lwa) 401 ``invalid_client``
=================  ===========================================================================

Example: ``searchOrders:429x5,getReportDocument:gzip-truncated,lwa:invalid-grant,*:503``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

KINDS = frozenset(
    {
        "429",
        "500",
        "503",
        "slow",
        "drop",
        "malformed",
        "expired-token",
        "gzip-truncated",
        "gzip-corrupt",
        "fatal",
        "wrong-charset",
        "invalid-grant",
        "invalid-client",
        "checksum-mismatch",
    }
)
#: kinds consumed where the response is produced (everything else is consumed by the router)
DEFERRED_KINDS = frozenset(
    {"gzip-truncated", "gzip-corrupt", "fatal", "wrong-charset", "checksum-mismatch"}
)
LWA_KINDS = frozenset({"invalid-grant", "invalid-client"})
DEFAULT_SLOW_SECONDS = 10.0

_ITEM = re.compile(
    r"^(?P<op>\*|[A-Za-z][A-Za-z0-9]*):(?P<kind>[a-z0-9-]+?)"
    r"(?:@(?P<param>\d+(?:\.\d+)?))?(?:x(?P<count>\d+|\*))?$"
)


class FaultSpecError(ValueError):
    """The fault spec string is not valid."""


@dataclass
class Fault:
    operation: str
    kind: str
    remaining: int | None  # None: unlimited
    seconds: float = DEFAULT_SLOW_SECONDS

    def describe(self) -> dict[str, object]:
        return {
            "operation": self.operation,
            "kind": self.kind,
            "remaining": "*" if self.remaining is None else self.remaining,
            "seconds": self.seconds,
        }


def parse_spec(spec: str) -> list[Fault]:
    """Parse a fault spec; raises ``FaultSpecError`` with the offending item."""
    faults: list[Fault] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        match = _ITEM.match(item)
        if match is None or match["kind"] not in KINDS:
            raise FaultSpecError(f"bad fault item {item!r} (expected OP:KIND[@SECONDS][xCOUNT])")
        count_text = match["count"]
        count = None if count_text == "*" else int(count_text or 1)
        if count == 0:
            raise FaultSpecError(f"bad fault item {item!r}: count must be at least 1")
        seconds = float(match["param"]) if match["param"] else DEFAULT_SLOW_SECONDS
        faults.append(Fault(match["op"], match["kind"], count, seconds))
    return faults


class FaultInjector:
    """Holds pending faults; the router and some handlers take them one request at a time."""

    def __init__(self, spec: str = "") -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = parse_spec(spec) if spec else []
        self.injected: dict[str, int] = {}

    def set(self, spec: str) -> None:
        faults = parse_spec(spec)
        with self._lock:
            self._faults = faults

    def add(self, spec: str) -> None:
        faults = parse_spec(spec)
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def take(self, operation: str, kinds: frozenset[str]) -> Fault | None:
        """Consume one matching fault for ``operation`` whose kind is in ``kinds``."""
        with self._lock:
            for fault in self._faults:
                if fault.kind not in kinds:
                    continue
                if fault.operation != operation and not (
                    fault.operation == "*" and operation != "lwa"
                ):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                key = f"{operation}:{fault.kind}"
                self.injected[key] = self.injected.get(key, 0) + 1
                return fault
        return None


ROUTER_KINDS = KINDS - DEFERRED_KINDS - LWA_KINDS
