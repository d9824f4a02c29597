"""Sync status in words: what sync is doing, and what is waiting on which Amazon limit.

Amazon limits each SP-API operation to a rate with a burst allowance; Kinxpro keeps to them
instead of being refused. The dialog says it the way a seller reads it ("Finding new and
changed orders: waiting 2 min 10 s; Amazon allows 1 call every 3 min"), with the raw
operation names and numbers in tooltips for support.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import BucketState
from kinxpro_desktop.tasks.sync import SyncController, SyncHealth
from kinxpro_desktop.ui import fmt

HEADERS = ("What Kinxpro asks Amazon", "Amazon's limit", "Right now", "Calls", "Refused (429)")

OPERATIONS = {
    "searchOrders": "Finding new and changed orders",
    "getOrders": "Finding new and changed orders (older API)",
    "getOrder": "Fetching an order's shipping address",
    "getOrderItems": "Fetching an order's items",
    "getOrderAddress": "Fetching an order's shipping address",
    "getOrderBuyerInfo": "Fetching an order's buyer details",
    "createRestrictedDataToken": "Asking for access to buyer data",
    "getMarketplaceParticipations": "Checking your account and marketplaces",
    "createReport": "Requesting a report",
    "getReport": "Checking whether a report is ready",
    "getReports": "Listing reports",
    "getReportDocument": "Downloading a report",
    "searchListingsItems": "Reading your listings",
    "getListingsItem": "Reading one listing",
    "patchListingsItem": "Changing a listing",
    "getInventorySummaries": "Reading FBA inventory",
    "getEligibleShipmentServices": "Comparing shipping label rates",
    "createShipment": "Buying a shipping label",
    "confirmShipment": "Confirming a shipment",
    "createFeed": "Sending a feed",
    "getFeed": "Checking a feed",
}


def operation_label(operation: str) -> str:
    return OPERATIONS.get(operation, operation)


def duration(seconds: float) -> str:
    """ "45 s", "2 min 10 s", "1 h 5 min"."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, rest = divmod(s, 60)
        return f"{m} min" + (f" {rest} s" if rest else "")
    h, rest = divmod(s, 3600)
    return f"{h} h" + (f" {rest // 60} min" if rest // 60 else "")


def limit_words(state: BucketState) -> str:
    """Amazon's rate for one operation in words: "2 calls a second", "1 call every 3 min"."""
    if state.rate <= 0:
        rate = "no calls allowed right now"
    elif state.rate >= 1:
        rate = f"{fmt.plural(round(state.rate), 'call')} a second"
    else:
        every = 1 / state.rate
        rate = f"1 call every {duration(round(every / 5) * 5 if every > 60 else every)}"
    return f"{rate}, up to {fmt.number(state.burst)} at once"


def waiting_for(state: BucketState, now: datetime) -> float:
    return (state.next_call_at - now).total_seconds() if state.next_call_at else 0.0


def now_words(state: BucketState, now: datetime) -> str:
    wait = waiting_for(state, now)
    if wait > 0.5:
        return f"Waiting {duration(wait)} for Amazon's limit"
    left = int(state.tokens)
    return "Ready" + (f" ({fmt.plural(left, 'call')} left in the burst)" if left else "")


def summary(health: SyncHealth, states: list[BucketState], now: datetime, connected: bool) -> str:
    if not connected:
        return "No Amazon account is connected, so nothing is synced. Choose Account ▸ Connect…"
    lines = []
    if health.running:
        lines.append("A sync is running now.")
    elif health.last_error and health.consecutive_failures:
        lines.append(f"The last sync failed: {health.last_error}")
    if health.last_success:
        lines.append(f"Last successful sync: {fmt.local_datetime(health.last_success)}.")
    else:
        lines.append("No sync has finished yet.")
    if health.next_attempt and not health.running:
        lines.append(f"Next sync: {fmt.local_time(health.next_attempt)}.")
    waiting = [s for s in states if waiting_for(s, now) > 0.5]
    if waiting:
        longest = max(waiting, key=lambda s: waiting_for(s, now))
        lines.append(
            f"{operation_label(longest.operation)} waits {duration(waiting_for(longest, now))}: "
            f"Amazon allows {limit_words(longest)}."
        )
    elif states:
        lines.append("Nothing is waiting on Amazon's limits.")
    throttled = sum(s.throttled for s in states)
    if throttled:
        lines.append(
            f"Amazon refused {fmt.plural(throttled, 'call')} as too frequent; each was retried "
            "after the wait Amazon asked for."
        )
    return "\n".join(lines)


class RateLimitDialog(QDialog):
    def __init__(
        self, controller: SyncController, parent: QWidget | None = None, demo: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatusDialog")
        self.setWindowTitle("Sync status and Amazon's limits")
        self._controller = controller
        layout = QVBoxLayout(self)
        self.health = QLabel()
        self.health.setObjectName("syncSummary")
        self.health.setWordWrap(True)
        layout.addWidget(self.health)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        layout.addWidget(self.table)
        note = QLabel(
            "Amazon limits how often each kind of request may be made. Kinxpro waits for the "
            "limit instead of being refused, so a large first sync can take a while."
            + (
                " In the demo, the simulated Amazon runs many times faster than the real one, "
                "so its limits look more generous than Amazon's."
                if demo
                else ""
            )
        )
        note.setWordWrap(True)
        note.setObjectName("emptyStateText")
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(860, 460)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        c = self._controller
        states = sorted(c.rate_limits(), key=lambda s: (-waiting_for(s, utcnow()), s.operation))
        now = utcnow()
        self.health.setText(summary(c.health, states, now, c.connected))
        self.table.setRowCount(len(states))
        for row, s in enumerate(states):
            values = (
                operation_label(s.operation),
                limit_words(s),
                now_words(s, now),
                fmt.number(s.calls),
                fmt.number(s.throttled),
            )
            tip = (
                f"{s.operation}: rate {s.rate:g}/s, burst {s.burst}, tokens {s.tokens:.1f}, "
                f"next call {'now' if s.next_call_at is None else s.next_call_at.isoformat()}"
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(tip)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
