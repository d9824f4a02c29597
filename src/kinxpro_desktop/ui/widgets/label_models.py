"""Table models of the Labels tab: the queue (orders to ship with their label) and the rates of
the selected order. Small lists (a day's orders), held in memory and replaced on refresh; no
buyer data (city, state and country only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kinxpro_desktop.core.shipping import QueueEntry, RateQuote, ServiceOffer
from kinxpro_desktop.ui import fmt

Index = QModelIndex | QPersistentModelIndex
QUEUE_COLUMNS = ("Order", "Ship by", "Items", "Ship to", "Package", "Service", "Label", "Void by")
RATE_COLUMNS = ("Carrier", "Service", "Price", "Arrives by", "Protection", "Formats")
LATE = QColor("#c62828")
TODAY = QColor("#ef6c00")


def service_name(carrier: str, name: str) -> str:
    """ "UPS Ground", not "UPS UPS Ground" (Amazon's service names often start with it)."""
    return name if name.upper().startswith(carrier.upper()) else f"{carrier} {name}".strip()


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[QueueEntry] = []
        self.quotes: dict[str, RateQuote] = {}
        self.chosen: dict[str, str] = {}  # order id -> service id

    def set_entries(self, entries: Sequence[QueueEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def set_quotes(self, quotes: Sequence[RateQuote]) -> None:
        for q in quotes:
            self.quotes[q.order_id] = q
            if q.default_service_id:
                self.chosen.setdefault(q.order_id, q.default_service_id)
        self._changed()

    def choose(self, order_id: str, service_id: str) -> None:
        self.chosen[order_id] = service_id
        self._changed()

    def offer(self, order_id: str) -> ServiceOffer | None:
        quote = self.quotes.get(order_id)
        return quote.offer(self.chosen.get(order_id, "")) if quote else None

    def _changed(self) -> None:
        if self.entries:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.entries) - 1, len(QUEUE_COLUMNS) - 1)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QUEUE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QUEUE_COLUMNS[section] if 0 <= section < len(QUEUE_COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e = self.entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(e, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            if e.late:
                return QBrush(LATE)
            if e.due_today:
                return QBrush(TODAY)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(e, col)
        if role == Qt.ItemDataRole.UserRole:
            return e.order_id
        return None

    def _text(self, e: QueueEntry, col: int) -> str:
        if col == 0:
            return e.order_id
        if col == 1:
            when = fmt.local_datetime(e.ship_by) if e.ship_by else "—"
            return f"LATE · {when}" if e.late else (f"Today · {when}" if e.due_today else when)
        if col == 2:
            return fmt.plural(e.item_count, "item")
        if col == 3:
            return e.ship_to
        quote = self.quotes.get(e.order_id)
        if col == 4:
            return quote.package.describe() if quote and not quote.error else ""
        if col == 5:
            if quote is not None and quote.error:
                return "No rates (see details)"
            offer = self.offer(e.order_id)
            return (
                f"{service_name(offer.carrier, offer.name)} · {fmt.money(offer.price)}"
                if offer
                else ""
            )
        s = e.shipment
        if s is None:
            return "—"
        if col == 6:
            return f"{s.status.label} · {s.tracking_id}" if s.tracking_id else s.status.label
        return fmt.local_datetime(s.void_deadline) if s.void_deadline else ""

    def _tip(self, e: QueueEntry, col: int) -> str | None:
        if col == 2:
            return "\n".join(f"{sku} × {q}" for sku, q in e.items)
        if col == 5:
            quote = self.quotes.get(e.order_id)
            return quote.error if quote and quote.error else None
        return None


class RatesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.quote: RateQuote | None = None
        self.chosen = ""

    def set_quote(self, quote: RateQuote | None, chosen: str = "") -> None:
        self.beginResetModel()
        self.quote = quote
        self.chosen = chosen
        self.endResetModel()

    @property
    def offers(self) -> tuple[ServiceOffer, ...]:
        return self.quote.offers if self.quote else ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.offers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RATE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return RATE_COLUMNS[section] if 0 <= section < len(RATE_COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.offers):
            return None
        o = self.offers[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            star = "★ " if o.service_id == self.chosen and col == 0 else ""
            values = (
                o.carrier,
                o.name,
                fmt.money(o.price),
                (fmt.local_date(o.latest) if o.latest else "?")
                + ("" if o.arrives_in_time else " (after deliver-by)"),
                "Claims protected" if o.protected else "Not protected",
                ", ".join(o.formats),
            )
            return star + values[col]
        if role == Qt.ItemDataRole.UserRole:
            return o.service_id
        return None
