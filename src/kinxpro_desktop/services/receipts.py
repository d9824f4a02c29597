"""Disposal receipts: each wipe that disposes of buyer data writes a receipt into the audit
chain (orders affected by id, the fields, the cutoff, the checks run and their results), and
`privacy receipts --from --to --out FILE` exports the receipts of a period as a PDF.

The wipe calls `pending_disposal` before its transaction and `record_receipt` after it; the
receipt names the day keys the wipe destroyed (crypto-shredding) and checks that none older
than the window is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kinxpro_desktop.core.models import AuditEntry, WipeResult
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.retention import PII_FIELDS, utcnow
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.documents.compliance import Document, Row, Section, render
from kinxpro_desktop.services.audit_period import entries_between
from kinxpro_desktop.services.exports_files import atomic_file
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import day_keys_past_window, find_past_window

LABEL_FIELD = "label_document"


@dataclass(frozen=True)
class Pending:
    """What the past-window scan found before a wipe (ids only)."""

    order_pii: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.order_pii and not self.labels


def _scan(db: Database, now: datetime, days: int) -> Pending:
    found = {f.kind: f.order_ids for f in find_past_window(db.engine, now, days)}
    return Pending(found.get("order_pii", ()), found.get(LABEL_FIELD, ()))


def pending_disposal(db: Database, now: datetime, days: int) -> Pending:
    return _scan(db, now, days)


def _wal_bytes(db: Database) -> int | None:
    try:
        return Path(f"{db.path}-wal").stat().st_size
    except OSError:
        return None  # no WAL file at all: nothing can linger in it


def record_receipt(
    db: Database, before: Pending, result: WipeResult, days: int, actor: str
) -> AuditEntry | None:
    """After the wipe's commit: scan again and write the receipt (None when nothing was due)."""
    nothing = result.orders_wiped == 0 and result.labels_wiped == 0
    if before.empty and nothing and result.day_keys_destroyed == 0:
        return None
    after = _scan(db, result.at, days)
    wal = _wal_bytes(db)
    old_keys = day_keys_past_window(db.engine, result.at, days)
    checks: dict[str, object] = {
        "scan_before": len(before.order_pii) + len(before.labels),
        "scan_after": len(after.order_pii) + len(after.labels),
        "wal_bytes_after": wal,
        "day_keys_past_window": len(old_keys),
    }
    ok = after.empty and not wal and not old_keys
    ids = sorted(set(before.order_pii) | set(before.labels))
    detail: dict[str, object] = {
        "cutoff": result.cutoff.isoformat(),
        "retention_days": days,
        "orders": result.orders_wiped,
        "labels": result.labels_wiped,
        "fields": [*PII_FIELDS, LABEL_FIELD] if before.labels else list(PII_FIELDS),
        "checks": checks,
        "ok": ok,
        "day_keys_destroyed": result.day_keys_destroyed,
    }
    with db.transaction() as uow:
        return uow.audit.append(AuditEvent.DISPOSAL_RECEIPT, actor, ids, detail, at=result.at)


def _t(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _row(e: AuditEntry) -> Row:
    d = e.detail
    raw = d.get("checks")
    checks: dict[str, object] = raw if isinstance(raw, dict) else {}
    fields = d.get("fields")
    ids = ", ".join(e.object_ids[:60]) + (
        f" and {len(e.object_ids) - 60} more" if len(e.object_ids) > 60 else ""
    )
    text = (
        f"Orders placed on or before {str(d.get('cutoff', '?'))[:16]} "
        f"(retention {d.get('retention_days')} days): buyer data of {d.get('orders')} orders "
        f"and {d.get('labels')} label documents deleted by {e.actor}. Fields: "
        + (", ".join(str(f) for f in fields) if isinstance(fields, list) else "?")
        + f". Checks: past-window scan before {checks.get('scan_before')}, after "
        f"{checks.get('scan_after')}; WAL after the wipe {checks.get('wal_bytes_after')} bytes; "
        f"day keys older than the window {checks.get('day_keys_past_window', '?')}. Day keys "
        f"destroyed: {d.get('day_keys_destroyed', 0)}. Orders: " + (ids or "none") + "."
    )
    return Row(_t(e.at), "OK" if d.get("ok") else "ATTENTION", text)


class ReceiptService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def receipts(self, start: datetime, end: datetime) -> list[AuditEntry]:
        entries = entries_between(self._db, start, end)
        return sorted((e for e in entries if e.event == AuditEvent.DISPOSAL_RECEIPT), key=_key)

    def document(self, start: datetime, end: datetime) -> Document:
        return self._document(self.receipts(start, end), start, end)

    def _document(self, found: list[AuditEntry], start: datetime, end: datetime) -> Document:
        chain = self._db.audit.verify()
        return Document(
            title="Kinxpro Desktop: disposal receipts",
            header=[
                f"Period: {_t(start)} to {_t(end)}. Generated {_t(self._clock())}.",
                f"{len(found)} receipts, each an entry of the audit log's hash chain. "
                + chain.describe(),
            ],
            sections=[
                Section(
                    "Receipts",
                    rows=[_row(e) for e in found]
                    or [Row("none", "INFO", "no buyer data was disposed of in this period")],
                )
            ],
        )

    def write_pdf(self, start: datetime, end: datetime, out: Path, actor: str) -> int:
        self._db.access.require(Permission.EXPORT)
        found = self.receipts(start, end)
        data = render(self._document(found, start, end))
        with atomic_file(out) as (f, _tmp):
            f.write(data)
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.EXPORT,
                actor,
                (),
                {"kind": "disposal_receipts", "format": "pdf", "buyer_data": False},
                at=self._clock(),
            )
        return len(found)


def _key(e: AuditEntry) -> int:
    return e.entry_id
