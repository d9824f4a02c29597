"""The incident report: a time range of the audit log turned into what happened, when, which
orders were affected (ids only), the time of detection and a notice to Amazon's security team
with the 24-hour deadline. Audit entries carry order ids, never buyer data, and the summaries
below use only what Kinxpro itself wrote (event names, hosts, counts, its own alert text)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import AuditEntry
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.documents.incident import Incident, TimelineItem, render_incident
from kinxpro_desktop.services.audit_period import entries_between
from kinxpro_desktop.services.exports_files import atomic_file
from kinxpro_desktop.store.database import Database

CHAIN_BROKEN = "audit_chain_broken"
SECURITY_EVENTS = frozenset(
    {
        AuditEvent.SECURITY_ALERT,
        AuditEvent.EGRESS_REFUSED,
        AuditEvent.UNLOCK_FAILED,
        AuditEvent.CREDENTIALS_CHANGED,
        AuditEvent.CREDENTIALS_REMOVED,
        CHAIN_BROKEN,
    }
)
DETECTING_EVENTS = frozenset(
    {AuditEvent.SECURITY_ALERT, AuditEvent.EGRESS_REFUSED, AuditEvent.UNLOCK_FAILED, CHAIN_BROKEN}
)
BUYER_DATA_EVENTS = frozenset(
    {
        AuditEvent.REVEAL,
        AuditEvent.EXPORT,
        AuditEvent.PII_FETCH,
        AuditEvent.LABEL_PURCHASE,
        AuditEvent.LABEL_PRINT,
        AuditEvent.LABEL_VOID,
        AuditEvent.DOCUMENT_SAVED,
        AuditEvent.DOCUMENT_PRINTED,
    }
)
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


class IncidentRangeError(UserError):
    title = "Incident report"


def _summary(entry: AuditEntry) -> str:
    d = entry.detail
    if entry.event == AuditEvent.SECURITY_ALERT:
        return str(d.get("alert", "security alert"))[:200]
    if entry.event == AuditEvent.EGRESS_REFUSED:
        return f"outbound request to {str(d.get('host', '?'))[:80]} refused"
    if entry.event == AuditEvent.UNLOCK_FAILED:
        return f"failed unlock ({str(d.get('reason', 'unknown'))[:40]})"
    if entry.event == CHAIN_BROKEN:
        return f"audit chain broken at entry {d.get('broken_at')}"
    if entry.event == AuditEvent.EXPORT:
        buyer = " with buyer data" if d.get("buyer_data") else " without buyer data"
        return f"{d.get('kind', '?')} export{buyer}, {d.get('rows', 0)} rows"
    orders = sum(1 for i in entry.object_ids if ORDER_ID.match(i))
    return f"{orders} orders" if orders else entry.event


class IncidentService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def incident(self, start: datetime, end: datetime) -> Incident:
        if end <= start:
            raise IncidentRangeError(
                "The incident period ends before it starts. Give --from before --to "
                "(both YYYY-MM-DD, --to inclusive)."
            )
        entries = list(entries_between(self._db, start, end))
        entries.reverse()  # oldest first
        counts = Counter(e.event for e in entries)
        timeline = [
            TimelineItem(e.at, e.event, e.actor, _summary(e))
            for e in entries
            if e.event in SECURITY_EVENTS or e.event in BUYER_DATA_EVENTS
        ]
        orders = sorted(
            {
                i
                for e in entries
                if e.event in BUYER_DATA_EVENTS or e.event in SECURITY_EVENTS
                for i in e.object_ids
                if ORDER_ID.match(i)
            }
        )
        now = self._clock()
        first = next((e for e in entries if e.event in DETECTING_EVENTS), None)
        detected = first.at if first else now
        detected_by = (
            f"{first.event}: {_summary(first)}" if first else "reported by the seller (no alert)"
        )
        return Incident(
            start=start,
            end=end,
            generated=now,
            detected=detected,
            detected_by=detected_by,
            counts=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
            timeline=timeline,
            order_ids=orders,
            chain=self._db.audit.verify().describe(),
        )

    def write_pdf(self, start: datetime, end: datetime, out: Path, actor: str) -> Incident:
        self._db.access.require(Permission.EXPORT)
        incident = self.incident(start, end)
        data = render_incident(incident)
        with atomic_file(out) as (f, _tmp):
            f.write(data)
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.INCIDENT_REPORT,
                actor,
                (),
                {
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "orders": len(incident.order_ids),
                    "detected": incident.detected.isoformat(),
                },
                at=self._clock(),
            )
        return incident
