"""Empty states for tabs whose data arrives with sync: they say what is happening and what
to do next, matching the app's state (not connected, first sync running, nothing yet)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

CONNECT = "Connect your Amazon account in Account ▸ Connect"

EMPTY_STATES: dict[str, dict[str, tuple[str, str]]] = {
    "Listings": {
        "not_connected": (
            "No listings yet",
            "Your listings, with price, quantity, status and issues, appear here after the "
            f"first sync. {CONNECT} (or try the demo: kinxpro-desktop --demo).",
        ),
        "syncing": (
            "Syncing your listings…",
            "The first sync is running. Listings appear here as soon as Amazon has sent them; "
            "orders usually come first. You can keep working meanwhile.",
        ),
        "waiting": (
            "Not synced yet",
            "Your listings appear here after the first sync, which starts in a moment. "
            "Choose File ▸ Sync now (F5) to start it now.",
        ),
        "connected": (
            "No listings yet",
            "The last sync found no listings for this account. Listings are refreshed every "
            "hour; choose File ▸ Sync now (F5) to check again.",
        ),
    },
    "Orders": {
        "not_connected": (
            "No orders yet",
            f"Orders are synced in the background once an Amazon account is connected. "
            f"{CONNECT}. Merchant-fulfilled orders that need shipping show the buyer's address "
            "only while you need it to ship.",
        ),
        "syncing": (
            "Syncing your orders…",
            "The first sync is downloading your recent orders from Amazon. They appear here as "
            "soon as the first page is stored.",
        ),
        "waiting": (
            "Not synced yet",
            "Your orders appear here after the first sync, which starts in a moment. "
            "Choose File ▸ Sync now (F5) to start it now.",
        ),
        "connected": (
            "No orders yet",
            "No orders in the last 90 days. New orders appear here within minutes of being "
            "placed; choose File ▸ Sync now (F5) to check now.",
        ),
    },
    "Labels": {
        "not_connected": (
            "No shipping labels yet",
            "Buy FBM shipping labels through Amazon for your unshipped merchant-fulfilled "
            "orders, then print them as PDF or on a 4x6 thermal printer (ZPL). Connect an "
            "account and sync orders first.",
        ),
        "connected": (
            "No shipping labels yet",
            "Buying and printing FBM shipping labels is not in this version yet. Orders you "
            "still have to ship are in the Orders tab: tick Needs shipping.",
        ),
    },
    "Reports": {
        "not_connected": (
            "No reports yet",
            "Amazon reports (listings, orders, inventory, sales and traffic, settlement) are "
            "downloaded and charted here, with export to CSV, XLSX and PDF. Connect an account "
            "to request your first report.",
        ),
        "connected": (
            "No reports yet",
            "Requesting and charting Amazon reports is not in this version yet. Your synced "
            "orders and listings are in the Orders and Listings tabs.",
        ),
    },
}


class EmptyStateTab(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._states = EMPTY_STATES[name]
        self.setObjectName(f"{name.lower()}Tab")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = QLabel()
        self.heading.setObjectName("emptyStateHeading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(560)  # a fixed width lets the wrapped label compute its height
        self.text.setObjectName("emptyStateText")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text)
        row.addStretch(1)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addStretch(2)
        self.state = ""
        self.set_state("not_connected")

    def set_state(self, state: str) -> None:
        title, body = self._states.get(state) or self._states["not_connected"]
        self.state = state if state in self._states else "not_connected"
        self.heading.setText(f"<h2>{title}</h2>")
        self.text.setText(body)
        self.title = title
        self.body = body
