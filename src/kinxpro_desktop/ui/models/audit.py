"""Table model over audit entries (newest first), in words a seller reads.

The raw detail stays available as the Detail cell's tooltip (it never holds PII: the audit
log records ids and counts only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from kinxpro_desktop.core.marketplaces import label as marketplace_label
from kinxpro_desktop.core.models import AuditEntry
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.rows import RowsModel

COLUMNS = ("#", "Time", "Event", "By", "Orders", "Details")
Index = QModelIndex | QPersistentModelIndex

EVENT_LABELS = {
    "unlock": "Database unlocked",
    "unlock_failed": "Unlock failed",
    "wipe": "Retention wipe",
    "verify": "Disposal check",
    "verify_chain": "Audit chain check",
    "settings_changed": "Setting changed",
    "credentials_changed": "Amazon account connected",
    "credentials_removed": "Amazon account disconnected",
    "credentials_shown": "Account details shown",
    "reveal": "Buyer data revealed",
    "sync": "Sync",
    "pii_fetch": "Buyer data fetched",
    "egress_refused": "Connection refused",
    "security_alert": "Security alert",
    "label_purchase": "Label bought",
    "label_print": "Label printed",
    "label_void": "Label voided",
    "shipment_confirmed": "Shipment confirmed",
    "listing_change": "Listing changed",
    "document_saved": "Document saved",
    "document_printed": "Document printed",
    "export": "Export",
    "report": "Report",
}
ACTOR_LABELS = {
    "owner": "You",
    "system": "Kinxpro (scheduled)",
    "sync": "Sync",
    "cli": "Command line",
    "unknown": "Unknown",
}
SETTING_LABELS = {"retention_days": "Buyer data retention"}


def _int(detail: dict[str, Any], key: str) -> int:
    try:
        return int(detail.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _when(text: object) -> str:
    try:
        return fmt.local_datetime(datetime.fromisoformat(str(text)))
    except ValueError:
        return str(text)


def _ok(value: object) -> str:
    return "passed" if value else "FAILED"


def _wipe(d: dict[str, Any]) -> str:
    text = (
        f"Deleted buyer data of {fmt.plural(_int(d, 'orders'), 'order')} and "
        f"{fmt.plural(_int(d, 'labels'), 'label document')}"
    )
    return text + (f", placed before {_when(d['cutoff'])}" if d.get("cutoff") else "")


def _sync(d: dict[str, Any]) -> str:
    outcome = {"ok": "Done", "failed": "Failed", "cancelled": "Cancelled"}.get(
        str(d.get("outcome", "")), str(d.get("outcome", "")).capitalize()
    )
    parts = [
        f"{fmt.plural(_int(d, 'orders'), 'order update')}",
        f"{fmt.plural(_int(d, 'listings'), 'listing update')}",
        f"buyer data for {fmt.plural(_int(d, 'pii_fetched'), 'order')}",
        f"{fmt.plural(_int(d, 'api_calls'), 'Amazon call')}",
    ]
    if _int(d, "throttled"):
        parts.append(f"{fmt.plural(_int(d, 'throttled'), 'throttled call')}")
    text = f"{outcome}: " + ", ".join(parts)
    if d.get("backfilled"):
        text += " (first backfill)"
    if d.get("error"):
        text += f". {d['error']}"
    return text


def _setting(d: dict[str, Any]) -> str:
    key = str(d.get("key", "setting"))
    name = SETTING_LABELS.get(key, key.replace("_", " ").capitalize())
    if key == "retention_days":
        return f"{name}: {fmt.plural(_int(d, 'old'), 'day')} → {fmt.plural(_int(d, 'new'), 'day')}"
    return f"{name}: {d.get('old')} → {d.get('new')}"


def _verify(d: dict[str, Any]) -> str:
    text = f"Disposal check {_ok(d.get('ok'))}"
    if _int(d, "findings"):
        text += f": {fmt.plural(_int(d, 'findings'), 'row')} past the window"
    if d.get("chain_ok") is False:
        text += f"; audit chain broken at entry {d.get('broken_at')}"
    if d.get("integrity_ok") is False:
        text += "; the database file is damaged"
    return text


def _chain(d: dict[str, Any]) -> str:
    if d.get("ok"):
        return f"Audit chain intact ({fmt.plural(_int(d, 'entries'), 'entry', 'entries')} checked)"
    return f"Audit chain broken at entry {d.get('broken_at')}"


def _credentials(d: dict[str, Any]) -> str:
    markets = ", ".join(marketplace_label(str(m)) for m in d.get("marketplaces") or [])
    parts = [p for p in (str(d.get("region") or ""), markets) if p]
    if d.get("kept_in"):
        parts.append(f"credentials kept in {d['kept_in']}")
    return "; ".join(parts)


def _unlock(d: dict[str, Any]) -> str:
    text = f"Key: {d.get('key_source', '?')}"
    return text + (" (new database)" if d.get("created") else "")


def _pii_fetch(d: dict[str, Any]) -> str:
    return "Stored to ship the order" if d.get("stored") else "Not stored (outside the window)"


DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "wipe": _wipe,
    "sync": _sync,
    "settings_changed": _setting,
    "verify": _verify,
    "verify_chain": _chain,
    "credentials_changed": _credentials,
    "unlock": _unlock,
    "pii_fetch": _pii_fetch,
    "reveal": lambda d: "Buyer name and address shown on screen",
    "egress_refused": lambda d: f"Refused {d.get('host', '?')}: {d.get('reason', '')}",
    "security_alert": lambda d: str(d.get("alert", "")),
}


def _generic(d: dict[str, Any]) -> str:
    return ", ".join(f"{str(k).replace('_', ' ')}: {v}" for k, v in sorted(d.items()))


def describe(entry: AuditEntry) -> str:
    """An audit entry's detail in words; unknown events list their fields plainly."""
    detail = dict(entry.detail)
    try:
        return DESCRIBERS.get(entry.event, _generic)(detail)
    except Exception:  # an odd old entry must not break the table
        return _generic(detail)


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event.replace("_", " ").capitalize())


class AuditTableModel(RowsModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditEntry] = []

    def set_entries(self, entries: list[AuditEntry]) -> None:
        new = list(entries)
        if [e.entry_id for e in new] == [e.entry_id for e in self._rows]:
            return  # nothing new: keep the selection and scroll position
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def entry_at(self, row: int) -> AuditEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 5:
                return json.dumps(e.detail, sort_keys=True, indent=1)
            if col == 4 and e.object_ids:
                return "\n".join(e.object_ids[:50])
            if col == 2:
                return e.event
            return None
        if role == Qt.ItemDataRole.UserRole and col == 2:
            return e.event  # the stored event name
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return e.entry_id
        if col == 1:
            return fmt.local_datetime(e.at, seconds=True)
        if col == 2:
            return event_label(e.event)
        if col == 3:
            return ACTOR_LABELS.get(e.actor, e.actor)
        if col == 4:
            return ", ".join(e.object_ids[:3]) + (" …" if len(e.object_ids) > 3 else "")
        if col == 5:
            return describe(e)
        return None
