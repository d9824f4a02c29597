"""Empty states for tabs whose data arrives with sync: they say what to do next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

EMPTY_STATES = {
    "Listings": (
        "No listings yet",
        "Your listings, with price, quantity, status and issues, appear here after the first "
        "sync. Connect your Amazon account in Account ▸ Connect (or start demo mode with "
        "kinxpro-desktop --demo), then choose File ▸ Sync now.",
    ),
    "Orders": (
        "No orders yet",
        "Orders are synced in the background once an Amazon account is connected "
        "(Account ▸ Connect). Merchant-fulfilled orders that need shipping show the buyer's "
        "address only while you need it to ship.",
    ),
    "Labels": (
        "No shipping labels yet",
        "Buy FBM shipping labels through Amazon for your unshipped merchant-fulfilled orders, "
        "then print them as PDF or on a 4x6 thermal printer (ZPL). Connect an account and "
        "sync orders first.",
    ),
    "Reports": (
        "No reports yet",
        "Amazon reports (listings, orders, inventory, sales and traffic, settlement) are "
        "downloaded and charted here, with export to CSV, XLSX and PDF. Connect an account "
        "to request your first report.",
    ),
}


class EmptyStateTab(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title, body = EMPTY_STATES[name]
        self.setObjectName(f"{name.lower()}Tab")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel(f"<h2>{title}</h2>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(body)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setFixedWidth(560)  # a fixed width lets the wrapped label compute its height
        text.setObjectName("emptyStateText")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text)
        row.addStretch(1)
        layout.addWidget(heading)
        layout.addLayout(row)
        layout.addStretch(2)
        self.title = title
        self.body = body
